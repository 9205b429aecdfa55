"""Through a real HTTP server (Django's live server), where the test client hides what a server
refuses (a header value that is not a plain str answers 500 there), and parallel writers on
PostgreSQL, whose row locks keep every change."""

import datetime
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from projects.conference import services
from projects.conference.models import ActionUpdate, PlanItem, ReviewPack
from projects.core.choices import Role
from projects.core.models import ChangeRecord
from projects.core.tokens import token_issue
from tests.conference.factories import ActionItemFactory, AnnualPlanFactory, MeetingFactory, PlanItemFactory, org
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    # The previous test of this module emptied the tables when it ended.
    call_command("load_reference", verbosity=0)


def _call(url, token, method="GET", body=None):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _token(role, organization):
    user = UserFactory(role=role, organization=org(organization))
    return token_issue(actor=user, user=user, name="test", scope="write")[1]


def test_requesting_a_review_pack_answers_202_with_a_location_a_real_server_sends(live_server):
    token = _token(Role.JOINT_OFFICE, "joint-office")
    meeting = MeetingFactory()
    status, headers, body = _call(f"{live_server.url}/api/v1/meetings/{meeting.pk}/review-pack/", token, "POST", {})
    assert status == 202, body
    assert headers["Location"].endswith(f"/api/v1/review-packs/{body['id']}/")
    status, _headers, pack = _call(headers["Location"], token)
    assert status == 200 and pack["id"] == body["id"]
    assert ReviewPack.objects.count() == 1


def test_a_progress_note_without_text_answers_400_through_a_real_server(live_server):
    token = _token(Role.PROVINCIAL_STAFF, "sc-natural-resources")
    item = ActionItemFactory()
    url = f"{live_server.url}/api/v1/action-items/{item.pk}/updates/"
    status, _headers, body = _call(url, token, "POST", {})
    assert status == 400
    assert "text" in json.loads(body)["errors"]
    status, _headers, _body = _call(url, token, "POST", {"text": "已完成初稿"})
    assert status == 201
    assert ActionUpdate.objects.filter(action_item=item).count() == 1


@pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite serialises writers and has no row locks to test")
def test_parallel_writers_on_different_parts_of_a_plan_item_all_keep_their_change(transactional_db):
    office = UserFactory(role=Role.JOINT_OFFICE, organization=org("joint-office"))
    item = PlanItemFactory(plan=AnnualPlanFactory(year=2022))
    stale = PlanItem.objects.get(pk=item.pk)  # every writer holds the copy read before the others wrote
    changes = [
        {"description": "年度建设任务"},
        {"funding": [{"source": item.funding.get().source, "amount": 150}]},
        {"milestones": [{"title": "完成设计", "due_date": datetime.date(2022, 4, 30)}]},
        {"province": item.province},
    ]
    barrier = threading.Barrier(len(changes))
    failures = []

    def write(data):
        try:
            barrier.wait()
            services.plan_item_save(actor=office, instance=stale, data=data)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(data,)) for data in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    item.refresh_from_db()
    assert item.description == "年度建设任务"
    assert str(item.planned_investment) == "150.00"
    assert list(item.milestones.values_list("title", flat=True)) == ["完成设计"]
    assert item.version == 4  # three changed it; the province sent back as it was changed nothing
    assert ChangeRecord.objects.filter(object_id=str(item.pk), action="update").count() == 3
