import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRACKER_WARNINGS = ("tracker.W001", "tracker.W002", "tracker.W003", "tracker.W004")
# The configuration of docs/production.md. Nothing connects to these hosts: `check` reads settings only.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value",
    "ALLOWED_HOSTS": "tracker.example.org",
    "STATIC_MANIFEST": "true",
    "DATABASE_URL": "postgres://tracker@db.invalid:5432/tracker",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "mail.invalid",
}
# Variables of the test run that would change the outcome.
_UNSET = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_PRELOAD", "PDF_FONT_PATH")


def check_deploy(**overrides):
    """``check --deploy`` with the production configuration; an override of None unsets the variable."""
    env = {key: value for key, value in os.environ.items() if key not in _UNSET}
    env.update(PRODUCTION)
    env.update(overrides)
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({"DATABASE_URL": "spatialite:///var/lib/tracker/tracker.sqlite3"}, "tracker.W001"),
        ({"DATABASE_URL": None}, "tracker.W001"),  # the embedded default
        ({"CELERY_BROKER_URL": "filesystem://"}, "tracker.W002"),
        ({"CELERY_BROKER_URL": None}, "tracker.W002"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "tracker.W003"),
        ({"EMAIL_BACKEND": None}, "tracker.W003"),
        ({"PDF_FONT_PATH": "/nonexistent/cjk.ttc"}, "tracker.W004"),
    ],
    ids=[
        "spatialite",
        "default-database",
        "filesystem-broker",
        "default-broker",
        "console-mail",
        "default-mail",
        "missing-pdf-font",
    ],
)
def test_check_deploy_warns_about_each_embedded_default_left_in_production(overrides, shown):
    result = check_deploy(**overrides)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # Shown when its condition holds, and the others (whose conditions do not) are absent.
    assert [code for code in TRACKER_WARNINGS if code in output] == [shown], output


def test_with_debug_on_the_embedded_defaults_are_not_reported():
    result = check_deploy(
        DEBUG="true",
        DATABASE_URL="spatialite:///var/lib/tracker/tracker.sqlite3",
        CELERY_BROKER_URL="filesystem://",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    output = result.stdout + result.stderr
    assert "security.W018" in output  # DEBUG itself is reported by Django
    assert not [code for code in ("tracker.W001", "tracker.W002", "tracker.W003") if code in output]


def test_hsts_preload_is_opt_in():
    assert "security.W021" not in check_deploy().stdout  # off on purpose, not reported
    result = check_deploy(SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_production_refuses_to_start():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
