"""The newcomer's path: a fresh clone, ``make run``, a working tracker with a Celery worker.

The clone reuses this test run's virtual environment (``VENV``) so the test does not
download packages again; CI itself starts from a fresh clone with ``make test``.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Variables of the test run that would steer the clone away from its embedded defaults.
_TEST_ONLY = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "VAR_DIR",
    "STATIC_MANIFEST",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_CURRENT_TEST",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, token=None, timeout=5):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def _post_json(url, payload):
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read().decode())


class MakeRun:
    def __init__(self, clone: Path, port: int):
        self.clone, self.port = clone, port
        self.env = {key: value for key, value in os.environ.items() if key not in _TEST_ONLY}
        self.env["VENV"] = sys.prefix
        self.process = None

    def __enter__(self):
        self.log = (self.clone / f"make-run-{time.time_ns()}.log").open("w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            ["make", "run", f"PORT={self.port}"],
            cwd=self.clone,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.ready_after = self._wait_for_health()
        return self

    def _wait_for_health(self, timeout=300) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"make run exited with {self.process.returncode}: {self.output()[-3000:]}")
            try:
                status, _ = _get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                if status == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the tracker did not answer within {timeout} s: {self.output()[-3000:]}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.mark.setup_path
def test_make_run_from_a_fresh_clone_serves_the_demo_and_a_second_run_keeps_data(tmp_path):
    assert (REPO / ".git").exists(), "the setup path is tested from a git clone of the project"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    with MakeRun(clone, port) as first:
        status, body = _get(f"{base}/healthz")
        health = json.loads(body)
        # Anonymous callers see only the state; the details are for staff (the embedded SpatiaLite
        # default is checked by its file below).
        assert health == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}
        assert "demo-password" not in first.output()
        assert "sc_staff" in first.output() and "tracker-demo" in first.output()
        status, body = _get(f"{base}/admin/login/")
        assert status == 200 and "登录" in body
        status, token = _post_json(f"{base}/api/v1/auth/token/", {"username": "sc_staff", "password": "tracker-demo"})
        token = token["token"]
        status, body = _get(f"{base}/api/v1/corridors/", token=token)
        assert json.loads(body)["count"] == 7
        # The worker and beat really run on the filesystem broker.
        # Its log appears when the worker has started, which on a busy machine can be after the server.
        log, deadline = clone / "var/log/celery.log", time.monotonic() + 60
        while not log.exists() or "ready" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the Celery worker never became ready"
            time.sleep(0.5)
    assert (clone / "var/tracker.sqlite3").exists()

    with MakeRun(clone, port) as second:
        # What was entered survives: the token made in the first run still signs in.
        status, body = _get(f"{base}/api/v1/me/", token=token)
        assert json.loads(body)["username"] == "sc_staff"
    print(f"\nmake run, first start to healthy: {first.ready_after:.1f} s; second: {second.ready_after:.1f} s")
