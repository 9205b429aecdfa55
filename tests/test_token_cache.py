"""API tokens kept in the shared cache (api/authentication.py): read once, and refused or changed
at once when the token, its user or their organization changes."""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.authentication import _keep_token, _kept_token
from projects.core.models import ApiToken, Organization
from projects.core.models.tokens import hash_key
from projects.core.tokens import token_issue, token_revoke
from tests.test_tokens import _redis_location, with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings):
    """The default cache on Redis, as in production (a process's own memory keeps no token)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "tracker.cache.RedisCache",
            "LOCATION": _redis_location(),
            "KEY_PREFIX": f"test-{uuid.uuid4()}",
        },
    }
    settings.TOKEN_CACHE_SECONDS = 60


def token_reads(client, path="/api/v1/me/"):
    """The answer to ``path`` and the statements it sent about tokens."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [query["sql"] for query in queries if "core_apitoken" in query["sql"]]


def kept(client):
    """``client``, once its token is kept: a request reads none (by the third at the latest)."""
    for _attempt in range(3):
        response, reads = token_reads(client)
        assert response.status_code == 200
        if not reads:
            return client
    raise AssertionError("the token was never kept")


def test_a_kept_token_is_read_once_and_its_last_use_written_once(shared_cache, sc_staff):
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = with_token(key)
    first, first_reads = token_reads(client)
    second, second_reads = token_reads(client)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and second.json()["username"] == "sc_staff"
    assert len(first_reads) == 2  # read, and its last use written
    assert second_reads == []


def test_without_a_shared_cache_every_request_reads_the_token(settings, sc_staff):
    settings.TOKEN_CACHE_SECONDS = 60  # the default cache is this process's memory
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = with_token(key)
    token_reads(client)
    assert len(token_reads(client)[1]) == 1


def test_a_revoked_token_is_refused_at_once(shared_cache, sc_staff):
    token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = kept(with_token(key))
    token_revoke(actor=sc_staff, instance=token)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_replaced_under_its_name_is_refused_at_once(shared_cache, sc_staff):
    _token, first = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = kept(with_token(first))
    token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_deactivated_user_is_refused_at_once(shared_cache, sc_staff):
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = kept(with_token(key))
    sc_staff.is_active = False
    sc_staff.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_a_user_moved_or_their_organization_changed_is_seen_at_once(shared_cache, sc_staff):
    _token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    client = kept(with_token(key))
    assert client.get("/api/v1/me/").json()["organization"]["slug"] == "sc-natural-resources"
    sc_staff.organization = Organization.objects.get(slug="cq-planning-natural-resources")
    sc_staff.save()
    organization = client.get("/api/v1/me/").json()["organization"]
    assert organization["slug"] == "cq-planning-natural-resources"
    sc_staff.organization.name_zh = "重庆市规划和自然资源局（改名）"
    sc_staff.organization.save()
    assert client.get("/api/v1/me/").json()["organization"]["name_zh"] == "重庆市规划和自然资源局（改名）"


def test_a_kept_token_past_its_expiry_is_refused(shared_cache, sc_staff, monkeypatch):
    _token, key = token_issue(
        actor=sc_staff, user=sc_staff, name="sync", scope="read", expires_in=datetime.timedelta(hours=1)
    )
    client = kept(with_token(key))
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_read_before_a_change_committed_is_not_kept_past_the_commit(
    shared_cache, sc_staff, django_capture_on_commit_callbacks
):
    """A request that read the generation after the change began and the row before it committed
    keeps the old row: the commit stales it again."""
    token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    key_hash = hash_key(key)
    client = kept(with_token(key))
    before = ApiToken.objects.select_related("user__organization").get(pk=token.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        token_revoke(actor=sc_staff, instance=token)
        found, generation = _kept_token(key_hash)  # another request, reading in between
        assert found is None
        _keep_token(key_hash, before, generation)  # what it read: the row not yet revoked
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_revoked_in_the_admin_is_refused_at_once(shared_cache, sc_staff, administrator, client):
    token, key = token_issue(actor=sc_staff, user=sc_staff, name="sync", scope="read")
    api = kept(with_token(key))
    client.force_login(administrator)
    response = client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/me/").status_code == 401
