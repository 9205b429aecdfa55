import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

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


def test_check_deploy_shows_each_embedded_default_left_in_production():
    result = check_deploy(
        DATABASE_URL=None,  # the embedded SpatiaLite file
        CELERY_BROKER_URL=None,  # the filesystem broker
        EMAIL_BACKEND=None,  # the console
        PDF_FONT_PATH="/nonexistent/cjk.ttc",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert [code for code in TRACKER_WARNINGS if code in output] == list(TRACKER_WARNINGS), output


# The checks themselves, one condition at a time (in this process: a subprocess each is slow).
EMBEDDED = {
    "tracker.W001": ("DATABASES.ENGINE", "django.contrib.gis.db.backends.spatialite"),
    "tracker.W002": ("CELERY_BROKER_URL", "tracker-fs://localhost//"),
    "tracker.W003": ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    "tracker.W004": ("PDF_FONT_PATH", "/nonexistent/cjk.ttc"),
}
PRODUCTION_VALUES = {
    "DATABASES.ENGINE": "django.contrib.gis.db.backends.postgis",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PDF_FONT_PATH": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
}


def _tracker_deploy_warnings(settings, monkeypatch, debug, values):
    settings.DEBUG = debug
    for name, value in values.items():
        if name == "DATABASES.ENGINE":
            monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", value)
        else:
            setattr(settings, name, value)
    return [message.id for message in run_checks(include_deployment_checks=True, tags=["tracker"])]


@pytest.mark.parametrize(
    ("shown", "extra"),
    [
        ("tracker.W001", {"DATABASES.ENGINE": "django.db.backends.sqlite3"}),
        ("tracker.W002", {"CELERY_BROKER_URL": "filesystem://"}),
        ("tracker.W003", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
        *[(code, {}) for code in EMBEDDED],
    ],
)
def test_each_warning_is_shown_when_its_condition_holds_and_absent_otherwise(settings, monkeypatch, shown, extra):
    assert Path(PRODUCTION_VALUES["PDF_FONT_PATH"]).is_file(), "bin/ensure-system-deps installs fonts-wqy-zenhei"
    name, value = EMBEDDED[shown]
    values = {**PRODUCTION_VALUES, name: value, **extra}
    assert _tracker_deploy_warnings(settings, monkeypatch, False, values) == [shown]
    assert _tracker_deploy_warnings(settings, monkeypatch, False, PRODUCTION_VALUES) == []


def test_with_debug_on_only_the_missing_font_is_reported(settings, monkeypatch):
    embedded = dict(EMBEDDED.values())
    assert _tracker_deploy_warnings(settings, monkeypatch, True, embedded) == ["tracker.W004"]


def test_hsts_preload_when_asked_for_passes_too():
    # Off by default, with Django's "not preloaded" warning (security.W021) silenced while off.
    result = check_deploy(SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_production_refuses_to_start():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
