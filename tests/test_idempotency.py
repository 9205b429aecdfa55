"""Idempotency-Key: a repeated POST gets the first answer and changes nothing more."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from api.idempotency import prune
from api.models import IdempotentRequest
from projects.core.models import ChangeRecord
from projects.core.tokens import token_issue
from projects.restoration.models import Project
from tests.factories import UserFactory
from tests.restoration.factories import org


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=user, user=user, name='t', scope='write')[1]}")
    return client


@pytest.fixture
def api(sc_staff):
    return token_client(sc_staff)


NEW = {
    "code": "SC-2025-0801",
    "name_zh": "幂等测试项目",
    "lead_organization": "sc-natural-resources",
    "total_budget": "1",
}


@pytest.mark.django_db
def test_a_repeated_post_gets_the_first_answer_and_creates_nothing_more(api):
    first = api.post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="create-0801")
    history = ChangeRecord.objects.count()
    again = api.post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="create-0801")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert Project.objects.filter(code=NEW["code"]).count() == 1 and ChangeRecord.objects.count() == history


@pytest.mark.django_db
def test_a_refusal_is_replayed_too_and_another_body_with_the_same_key_is_a_422(api):
    bad = api.post("/api/v1/projects/", {**NEW, "code": "bad"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400
    assert api.post("/api/v1/projects/", {**NEW, "code": "bad"}, format="json", HTTP_IDEMPOTENCY_KEY="k1").json() == (
        bad.json()
    )
    other = api.post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422 and other.json()["detail"]
    assert not Project.objects.filter(code=NEW["code"]).exists()


@pytest.mark.django_db
def test_keys_belong_to_their_client_and_expire(client_for, sc_staff, joint_office, settings):
    assert (
        client_for(sc_staff).post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code
        == 201
    )
    other = {**NEW, "code": "SC-2025-0802"}
    response = token_client(joint_office).post("/api/v1/projects/", other, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201  # another client's key of the same name is its own
    settings.IDEMPOTENCY_TTL = 0
    assert prune() >= 1 and not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_a_bad_key_is_a_400(api):
    response = api.post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert response.status_code == 400 and not Project.objects.exists()


@pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite serialises writers")
def test_parallel_posts_with_one_key_create_once(transactional_db):
    staff = UserFactory(organization=org("sc-natural-resources"))
    key = token_issue(actor=staff, user=staff, name="t", scope="write")[1]
    barrier, statuses = threading.Barrier(4), []

    def post():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            barrier.wait()
            statuses.append(
                client.post("/api/v1/projects/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="race").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Project.objects.filter(code=NEW["code"]).count() == 1
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
