"""API tokens: hashed at rest, scoped, expiring, revocable, one per named client, rate-limited."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.authentication import TokenRateThrottle
from projects.core.models import ApiToken, ChangeRecord
from projects.core.models.tokens import hash_key
from projects.core.tokens import token_issue
from tests.restoration.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def sign_in(client, **extra):
    return client.post(
        "/api/v1/auth/token/", {"username": "sc_staff", "password": "tracker-demo", **extra}, format="json"
    )


def test_a_token_is_shown_once_and_stored_only_as_its_hash(anonymous_client, sc_staff):
    body = sign_in(anonymous_client, name="省平台同步").json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hash_key(body["token"]) and body["token"] not in str(ApiToken.objects.values())
    assert "token" not in with_token(body["token"]).get("/api/v1/auth/tokens/").json()["results"][0]
    record = ChangeRecord.objects.get(object_id=str(token.pk), action="create")
    assert body["token"] not in str(record.after) and record.after["key_hash"] == "***"


def test_a_new_sign_in_under_the_same_name_replaces_the_old_token(anonymous_client, sc_staff):
    first = sign_in(anonymous_client, name="sync").json()["token"]
    second = sign_in(anonymous_client, name="sync").json()["token"]
    other = sign_in(anonymous_client, name="pages").json()["token"]
    assert first != second
    assert with_token(first).get("/api/v1/me/").status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 200
    assert with_token(other).get("/api/v1/me/").status_code == 200


def test_a_read_only_token_reads_but_never_writes(sc_staff):
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="reader", scope="read")
    project = ProjectFactory()
    client = with_token(key)
    assert client.get(f"/api/v1/projects/{project.id}/").status_code == 200
    response = client.patch(f"/api/v1/projects/{project.id}/", {"name_en": "x"}, format="json")
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name_en != "x"


def test_a_token_limited_to_some_record_types_reaches_only_those(sc_staff):
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="reports", scope="read", record_types=["projects"])
    client = with_token(key)
    assert client.get("/api/v1/projects/").status_code == 200
    assert client.get("/api/v1/progress-reports/").status_code == 403


def test_expired_and_revoked_tokens_are_refused(sc_staff):
    token, key = token_issue(
        actor=sc_staff, user=sc_staff, name="short", scope="read", expires_in=datetime.timedelta(days=1)
    )
    client = with_token(key)
    assert client.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me/").status_code == 401
    token2, key2 = token_issue(actor=sc_staff, user=sc_staff, name="revoked", scope="write")
    assert with_token(key2).delete(f"/api/v1/auth/tokens/{token2.pk}/").status_code == 204
    assert with_token(key2).get("/api/v1/me/").status_code == 401
    assert ChangeRecord.objects.filter(object_id=str(token2.pk), event="core.apitoken.revoked").exists()


def test_last_use_is_shown(sc_staff):
    token, key = token_issue(actor=sc_staff, user=sc_staff, name="used", scope="read")
    assert token.last_used_at is None
    with_token(key).get("/api/v1/me/", REMOTE_ADDR="10.1.2.3")
    listed = with_token(key).get(f"/api/v1/auth/tokens/{token.pk}/").json()
    assert listed["last_used_at"] is not None and listed["last_used_from"] == "10.1.2.3"


def test_people_see_and_revoke_only_their_own_tokens(sc_staff, cq_staff):
    mine, _key = token_issue(actor=sc_staff, user=sc_staff, name="mine", scope="read")
    _theirs, their_key = token_issue(actor=cq_staff, user=cq_staff, name="theirs", scope="write")
    client = with_token(their_key)
    assert str(mine.pk) not in [t["id"] for t in client.get("/api/v1/auth/tokens/").json()["results"]]
    assert client.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 404


def test_a_malformed_authorization_header_is_a_401_not_a_500(anonymous_client):
    for header in ("Token", "Token a b", "Bearer \u00ff", "Token trk_nope"):
        anonymous_client.credentials(HTTP_AUTHORIZATION=header)
        assert anonymous_client.get("/api/v1/me/").status_code == 401, header


def _throttle_at(monkeypatch, rate: str, clock: list):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": rate})
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    return TokenRateThrottle


def _redis_location() -> str:
    """The Redis beside PostgreSQL (``CELERY_BROKER_URL``)."""
    import os

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.skip("Redis runs beside PostgreSQL (CELERY_BROKER_URL)")
    return broker


def _redis_cache():
    """A Redis cache of its own on the Redis beside PostgreSQL."""
    import uuid

    from django.core.cache.backends.redis import RedisCache

    return RedisCache(_redis_location(), {"KEY_PREFIX": f"test-{uuid.uuid4()}"})


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_the_previous_minute_weighs_by_the_part_of_it_still_within_the_last_minute(
    sc_staff, monkeypatch, settings, backend
):
    """A sliding minute: ten requests late in one minute leave room for only two more a quarter
    into the next, and the answer says when the next one fits. With the default cache on Redis
    (as ``CACHE_URL`` sets it) counted in one round trip, never by Django's add: the same answers."""
    import uuid

    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    if backend == "redis":
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_location()},
        }
        settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4()}"

        def refused(*args, **kwargs):
            raise AssertionError("counted by Django's add, incr and get, not in one round trip")

        monkeypatch.setattr(RedisCache, "add", refused)
    cache.clear()
    clock = [600.0 + 59]
    _throttle_at(monkeypatch, "10/min", clock)
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="sliding", scope="read")
    client = with_token(key)
    assert [client.get("/api/v1/me/").status_code for _ in range(11)] == [200] * 10 + [429]
    clock[0] = 660.0 + 15  # 7.5 of the 10 still count
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429 and refused["Retry-After"] == "3"  # at 18 s: 7.0 + 3 fit
    clock[0] = 660.0 + 18
    assert client.get("/api/v1/me/").status_code == 200  # refused requests were not counted
    clock[0] = 720.0 + 60 * 2  # two minutes later nothing counts
    assert [client.get("/api/v1/me/").status_code for _ in range(10)] == [200] * 10


def test_parallel_requests_are_all_counted(monkeypatch):
    """Workers counting at once on Redis, as in production: exactly the allowed number pass
    (DRF's list of request times, read and written back by each, let 100-odd more through)."""
    import threading
    from types import SimpleNamespace

    monkeypatch.setattr(TokenRateThrottle, "cache", _redis_cache())
    _throttle_at(monkeypatch, "100/min", [1000.0])
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=7), auth=None)
    allowed = []

    def hammer():
        throttle = TokenRateThrottle()
        allowed.extend(throttle.allow_request(request, None) for _ in range(40))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 100 and len(allowed) == 320


def test_requests_beyond_the_rate_get_429_with_retry_after(sc_staff, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="busy", scope="read")
    client = with_token(key)
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me/")
    assert int(response["Retry-After"]) > 0 and response.json()["detail"]
