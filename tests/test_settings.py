"""Every setting an operator may need comes from the environment, and README documents each one."""

import re
import runpy
import warnings
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

REPO = Path(__file__).resolve().parents[1]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "s" * 60}
# Variables of the test run that would change the outcome.
_UNSET = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_PRELOAD",
    "PDF_FONT_PATH",
    "EMAIL_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "STATIC_MANIFEST",
)


@pytest.fixture
def read(monkeypatch):
    """``read(names, **env)``: the named settings as tracker/settings.py computes them from that
    environment (the module is run afresh; the running Django settings are not touched)."""

    def run(names, **env):
        for name in _UNSET:
            monkeypatch.delenv(name, raising=False)
        for name, value in {**PRODUCTION, **env}.items():
            monkeypatch.setenv(name, value)
        computed = runpy.run_path(str(REPO / "tracker" / "settings.py"), run_name="tracker_settings_under_test")
        return {name: computed[name] for name in names}

    return run


def test_hsts_preload_is_opt_in(read):
    assert read(["SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS"]) == {
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    assert read(["SECURE_HSTS_PRELOAD"], SECURE_HSTS_PRELOAD="true") == {"SECURE_HSTS_PRELOAD": True}


def test_cookies_are_secure_in_production_and_plain_for_make_run(read):
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]
    assert read(names) == dict.fromkeys(names[:3], True) | {"SECURE_HSTS_SECONDS": 31536000}
    assert read(names, DEBUG="true") == dict.fromkeys(names[:3], False) | {"SECURE_HSTS_SECONDS": 0}


# variable, value given, setting, value expected
FROM_ENVIRONMENT = [
    ("PDF_FONT_PATH", "/srv/fonts/NotoSansCJK-Regular.ttc", "PDF_FONT_PATH", "/srv/fonts/NotoSansCJK-Regular.ttc"),
    ("PDF_FONT_INDEX", "2", "PDF_FONT_INDEX", 2),
    ("FILE_UPLOAD_MAX_MEMORY_SIZE", "1048576", "FILE_UPLOAD_MAX_MEMORY_SIZE", 1048576),
    ("DATA_UPLOAD_MAX_MEMORY_SIZE", "4194304", "DATA_UPLOAD_MAX_MEMORY_SIZE", 4194304),
    ("ATTACHMENT_MAX_BYTES", "52428800", "ATTACHMENT_MAX_BYTES", 52428800),
    ("CELERY_TASK_TIME_LIMIT", "900", "CELERY_TASK_TIME_LIMIT", 900),
    ("CELERY_TASK_SOFT_TIME_LIMIT", "840", "CELERY_TASK_SOFT_TIME_LIMIT", 840),
    ("SESSION_COOKIE_AGE", "28800", "SESSION_COOKIE_AGE", 28800),
    ("SESSION_EXPIRE_AT_BROWSER_CLOSE", "true", "SESSION_EXPIRE_AT_BROWSER_CLOSE", True),
    ("SESSION_COOKIE_SECURE", "false", "SESSION_COOKIE_SECURE", False),
    ("SESSION_COOKIE_SAMESITE", "strict", "SESSION_COOKIE_SAMESITE", "Strict"),
    ("SESSION_COOKIE_DOMAIN", "example.org", "SESSION_COOKIE_DOMAIN", "example.org"),
    ("CSRF_COOKIE_SECURE", "false", "CSRF_COOKIE_SECURE", False),
    ("CSRF_COOKIE_SAMESITE", "Strict", "CSRF_COOKIE_SAMESITE", "Strict"),
    ("CSRF_COOKIE_DOMAIN", "example.org", "CSRF_COOKIE_DOMAIN", "example.org"),
    ("SECURE_HSTS_SECONDS", "600", "SECURE_HSTS_SECONDS", 600),
    ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false", "SECURE_HSTS_INCLUDE_SUBDOMAINS", False),
    ("EMAIL_HOST_USER", "tracker", "EMAIL_HOST_USER", "tracker"),
    ("EMAIL_USE_TLS", "true", "EMAIL_USE_TLS", True),
    ("EMAIL_TIMEOUT", "5", "EMAIL_TIMEOUT", 5),
    ("SERVER_EMAIL", "errors@example.org", "SERVER_EMAIL", "errors@example.org"),
    ("ADMINS", "ops@example.org, dev@example.org", "ADMINS", [("ops@example.org",) * 2, ("dev@example.org",) * 2]),
]


def test_operator_settings_come_from_the_environment(read, tmp_path):
    password_file = tmp_path / "smtp-password"
    password_file.write_text("from-a-secret-file\n")
    given = {variable: value for variable, value, _setting, _expected in FROM_ENVIRONMENT}
    expected = {setting: value for _variable, _given, setting, value in FROM_ENVIRONMENT}
    names = [*expected, "EMAIL_HOST_PASSWORD"]
    assert read(names, **given, EMAIL_HOST_PASSWORD_FILE=str(password_file)) == {
        **expected,
        "EMAIL_HOST_PASSWORD": "from-a-secret-file",
    }


def test_defaults_keep_todays_behaviour(read):
    assert read(["PDF_FONT_PATH", "PDF_FONT_INDEX", "CELERY_TASK_TIME_LIMIT", "CELERY_TASK_SOFT_TIME_LIMIT"]) == {
        "PDF_FONT_PATH": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "PDF_FONT_INDEX": 0,
        "CELERY_TASK_TIME_LIMIT": 300,
        "CELERY_TASK_SOFT_TIME_LIMIT": 240,
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CELERY_TASK_SOFT_TIME_LIMIT": "300"}, "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below"),
        ({"SESSION_COOKIE_SAMESITE": "sometimes"}, "SESSION_COOKIE_SAMESITE must be one of Lax, Strict, None"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other"),
        ({"SESSION_COOKIE_AGE": "two weeks"}, "SESSION_COOKIE_AGE must be an integer"),
    ],
)
def test_bad_values_stop_the_tracker_with_the_variable_named(read, env, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        read(["DEBUG"], **env)


def _documented_variables() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def _variables_read_by_the_settings() -> set[str]:
    source = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "tracker").glob("*.py"))
    return set(re.findall(r"""env_(?:str|bool|int|list|choice)\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def test_readme_documents_every_variable_the_settings_read():
    read_by_settings = _variables_read_by_the_settings()
    assert {"DATABASE_URL", "PDF_FONT_PATH", "CELERY_TASK_TIME_LIMIT"} <= read_by_settings
    assert sorted(read_by_settings - _documented_variables()) == []


def test_readme_documents_no_variable_nothing_reads():
    used = _variables_read_by_the_settings() | {"PORT"}  # PORT: the Makefile's, for make run
    assert sorted(_documented_variables() - used) == []


def test_a_replica_and_object_storage_come_from_the_environment(read):
    computed = read(
        ["DATABASES", "DATABASE_ROUTERS", "STORAGES"],
        DATABASE_URL="postgres://tracker@primary:5432/tracker",
        DATABASE_REPLICA_URL="postgres://tracker@replica:5432/tracker",
        MEDIA_STORAGE="s3",
        S3_BUCKET="tracker-media",
        S3_ENDPOINT_URL="https://minio.example.org",
    )
    replica = computed["DATABASES"]["replica"]
    assert (replica["HOST"], replica["TEST"]) == ("replica", {"MIRROR": "default"})
    assert replica["OPTIONS"]["options"] == computed["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
    assert computed["DATABASE_ROUTERS"] == ["tracker.db.ReplicaRouter"]
    media = computed["STORAGES"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == "tracker-media"
    assert media["OPTIONS"]["endpoint_url"] == "https://minio.example.org"


def test_redis_replies_are_parsed_in_c():
    """hiredis (requirements.txt) is what redis-py uses when it is installed: the kept pages and
    figures are read from Redis, and the pure-Python parser was a fifth of a kept feed page."""
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    """tracker/cache.py: Django's Redis cache built a client for every operation."""
    import os
    import uuid

    from tracker.cache import RedisCache

    location = os.environ.get("CELERY_BROKER_URL", "")
    if not location.startswith("redis://"):
        pytest.skip("Redis runs beside PostgreSQL (CELERY_BROKER_URL)")
    cache = RedisCache(location, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    cache.set("嘉陵江", {"version": 3}, 30)
    assert cache.get("嘉陵江") == {"version": 3} and cache.get_many(["嘉陵江", "none"]) == {"嘉陵江": {"version": 3}}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.delete("嘉陵江")
    assert cache.get("嘉陵江") is None
    # No memcached limits: a long key with spaces is kept, and no warning is spent on it.
    key = "figures:a key with spaces:" + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, 1, 30)
        assert cache.get_many([key]) == {key: 1}
    cache.delete(key)
