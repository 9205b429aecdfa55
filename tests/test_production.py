"""The production path of docs/production.md, run for real.

DEBUG off, a real secret key, ``collectstatic --no-input`` with the manifest storage into a
temporary STATIC_ROOT, then gunicorn (a subprocess) on the test database. Signed in through
the admin's login form or with a token, the admin, Swagger UI and the browsable API answer
200, and every static file those pages reference is served under its hashed name. Django's
test client would skip all of it: the manifest, WhiteNoise and the WSGI server.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.utils import get_random_secret_key
from django.db import connection

from projects.core.choices import Role
from projects.core.models import Corridor, Organization
from projects.core.tokens import token_issue
from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[1]
HOST = "tracker.example.org"
PASSWORD = "a-production-password-4711"
# Variables of the test run that production does not set (or sets otherwise).
_TEST_ONLY = {
    "STATIC_MANIFEST",
    "SECURE_SSL_REDIRECT",
    "CELERY_TASK_ALWAYS_EAGER",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_CURRENT_TEST",
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def _test_database_url() -> str:
    """The configured DATABASE_URL pointed at this run's test database (credentials and options kept)."""
    name = connection.settings_dict["NAME"]
    if settings.IS_SPATIALITE:
        return f"spatialite:///{Path(name).resolve()}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path=f"/{name}").geturl()


def production_env(tmp_path: Path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in _TEST_ONLY}
    env.update(
        DEBUG="false",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        **extra,
    )
    return env


class Browser:
    """HTTP/1.1 to 127.0.0.1 as a browser behind the TLS proxy sends it: Host, X-Forwarded-Proto
    and the cookies it was given (they are Secure, which http.cookiejar would keep off plain HTTP)."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token, self.cookies = port, token, {}

    def request(self, method, path, *, body=None, headers=None):
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response, content

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)


class Gunicorn:
    """``gunicorn tracker.wsgi:application`` as docs/production.md runs it, on a free port."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log_path = env, log

    def __enter__(self):
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "tracker.wsgi:application"),
                *("--bind", "127.0.0.1:0", "--workers", "2", "--worker-class", "gthread", "--threads", "4"),
                *("--timeout", "60"),
                *("--access-logfile", "-", "--error-logfile", "-"),
            ],
            cwd=REPO,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.output())
            if found:
                self.port = int(found.group(1))
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        raise AssertionError(f"gunicorn did not start: {self.output()[-3000:]}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _end_connections_but_this_one() -> None:
    """Ends every other connection to the test database, as a restart of the server would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchall(), "the serving threads held no connection to end"
    time.sleep(0.2)  # the notices reach the sockets


def static_references(page: str) -> set[str]:
    return set(re.findall(r"""["'(](/static/[^"'()\s?#]+)""", page))


def assert_assets_served(browser: Browser, page: str, page_path: str) -> set[str]:
    assets = static_references(page)
    assert assets, f"{page_path} references no static file"
    for asset in assets:
        assert HASHED.search(asset), f"{page_path} references {asset} without a hashed name"
        response, content = browser.get(asset)
        assert response.status == 200, f"{asset} (from {page_path}): {response.status}"
        assert content, asset
        assert "immutable" in response.headers.get("Cache-Control", ""), asset  # WhiteNoise, hashed file
    return assets


def test_every_source_map_a_static_file_points_at_exists():
    """The manifest storage follows ``sourceMappingURL`` comments; one to a missing map fails collectstatic."""
    js = re.compile(r"(?m)^//# (?-i:sourceMappingURL)=(\S+)\s*$")
    css = re.compile(r"(?m)^/\*# (?-i:sourceMappingURL)=(\S+) \*/\s*$")
    missing, checked = [], 0
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            pattern = js if path.endswith(".js") else css if path.endswith(".css") else None
            if pattern is None:
                continue
            checked += 1
            text = Path(storage.path(path)).read_text(encoding="utf-8", errors="replace")
            for target in pattern.findall(text):
                if target.startswith("data:"):
                    continue
                if finders.find(os.path.normpath(os.path.join(os.path.dirname(path), target))) is None:
                    missing.append(f"{path} -> {target}")
    assert checked > 20
    assert missing == []


def test_a_serving_process_keeps_what_it_loaded_out_of_the_collectors_way():
    """tracker/wsgi.py freezes what is loaded at start (Django, the apps, the URLs): a full
    collection every few requests walked it all (about 110 ms on the corridor page's p95)."""
    probe = "import gc, tracker.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    frozen = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True)
    assert frozen.returncode == 0, frozen.stderr
    assert int(frozen.stdout) > 100_000


@pytest.mark.usefixtures("transactional_db")
def test_the_documented_production_path_serves_admin_docs_and_browsable_api(tmp_path, settings):
    # Committed data the gunicorn subprocess sees. The subprocess knows only the default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    office = Organization.objects.get(slug="joint-office")
    admin_user = UserFactory(
        username="ops_admin", role=Role.ADMINISTRATOR, organization=office, is_superuser=True, password=PASSWORD
    )
    staff = UserFactory(username="ops_staff", organization=Organization.objects.get(slug="sc-natural-resources"))
    token = token_issue(actor=staff, user=staff, name="test", scope="write")[1]
    corridor = Corridor.objects.get(slug="fu")
    assert admin_user.check_password(PASSWORD)

    env = production_env(tmp_path, DATABASE_URL=_test_database_url())
    started = time.monotonic()
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    print(f"\ncollectstatic: {collected.stdout.strip()} ({time.monotonic() - started:.1f} s)")

    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        browser = Browser(server.port)

        # The admin's login page, with its assets, then signing in through its form.
        response, content = browser.get("/admin/login/")
        assert response.status == 200, server.output()[-3000:]
        hsts = response.headers["Strict-Transport-Security"]
        assert hsts.startswith("max-age=31536000") and "preload" not in hsts  # preload is opt-in
        login_page = content.decode()
        assert "登录" in login_page
        assets = assert_assets_served(browser, login_page, "/admin/login/")
        assert any(asset.endswith(".css") for asset in assets)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        response, _content = browser.request(
            "POST",
            "/admin/login/?next=/admin/",
            body=urlencode({"username": "ops_admin", "password": PASSWORD, "csrfmiddlewaretoken": csrf}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}/admin/login/",
            },
        )
        assert response.status == 302, server.output()[-3000:]
        assert response.headers["Location"] == "/admin/"
        assert "sessionid" in browser.cookies

        # A change form with the map widget: the vendored OpenLayers and the base map, hashed.
        path = f"/admin/core/corridor/{corridor.pk}/change/"
        response, content = browser.get(path)
        assert response.status == 200, server.output()[-3000:]
        assets = assert_assets_served(browser, content.decode(), path)
        assert any(asset.startswith("/static/vendor/ol/ol.") and asset.endswith(".js") for asset in assets)
        assert any(asset.startswith("/static/core/basemap.") for asset in assets)

        # Swagger UI and the browsable API, signed in by session and by token.
        for signed_in in (browser, Browser(server.port, token=token)):
            response, content = signed_in.get("/api/v1/docs/")
            assert response.status == 200, server.output()[-3000:]
            assert "swagger-ui" in content.decode()
            assert_assets_served(signed_in, content.decode(), "/api/v1/docs/")
            for path in ("/api/v1/", "/api/v1/corridors/"):
                response, content = signed_in.get(path, Accept="text/html")
                assert response.status == 200, server.output()[-3000:]
                assert response.headers["Content-Type"].startswith("text/html")
                assert_assets_served(signed_in, content.decode(), path)

        # The database server ends the serving threads' connections, as a restart would: each is
        # found gone before a request uses it (tracker/postgis/base.py), not answered 503.
        if not settings.IS_SPATIALITE:
            _end_connections_but_this_one()
            for _ in range(8):  # 2 workers of 4 threads, most holding a connection
                response, _content = Browser(server.port, token=token).get("/api/v1/corridors/")
                assert response.status == 200, server.output()[-3000:]

        anonymous = Browser(server.port)
        response, _content = anonymous.get("/api/v1/docs/")
        assert response.status in (401, 403)
        response, _content = anonymous.get("/admin/login/", **{"X-Forwarded-Proto": "http"})
        assert response.status == 301  # SECURE_SSL_REDIRECT stays on
        assert "Traceback" not in server.output()
