"""A real worker, on the configured broker (Redis in CI, the filesystem transport locally)."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_real_worker_runs_a_task_sent_through_the_broker(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_RESULT_BACKEND": f"file://{results}",
        "VAR_DIR": str(tmp_path / "var"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracker",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            f"test-{os.getpid()}",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        sender = subprocess.run(
            [
                sys.executable,
                "-c",
                "from tracker.celery import app; "
                f"r = app.send_task('projects.core.tasks.ping', queue='test-{os.getpid()}'); "
                "print(r.get(timeout=60))",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sender.returncode == 0, sender.stderr
    assert sender.stdout.strip() == "pong"


def test_a_worker_freezes_what_it_loaded_in_every_pool():
    """The prefork pool's children (after the fork) and the main process (the solo pool) each move
    what is loaded out of the collector's way, as the web processes do."""
    import gc

    from celery.signals import worker_process_init, worker_ready

    from tracker.celery import freeze_what_is_loaded

    assert freeze_what_is_loaded in worker_process_init._live_receivers(None)
    assert freeze_what_is_loaded in worker_ready._live_receivers(None)
    frozen = gc.get_freeze_count()
    try:
        freeze_what_is_loaded()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
