"""Meetings, their decisions and follow-up actions, and the overdue check."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from projects.conference import services
from projects.conference.choices import ActionStatus, MeetingStatus
from projects.conference.models import ActionItem, ActionUpdate, Decision, Meeting
from projects.conference.tasks import mark_overdue_action_items
from projects.core.models import ChangeRecord
from tests.conference.factories import CQ, SC, ActionItemFactory, DecisionFactory, MeetingFactory, org
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_joint_office_schedules_a_meeting_and_the_hosts_take_turns(client_for, joint_office):
    MeetingFactory(sequence_no=1)  # hosted by Sichuan
    office = client_for(joint_office)
    payload = {
        "date": "2022-09-01",
        "place": "重庆",
        "attending_organizations": ["sc-natural-resources", "cq-planning-natural-resources"],
        "attendees": ["张三", "李四"],
        "agenda": [{"title": "审议年度实施计划"}, {"title": "督办事项", "presenter": "joint-office"}],
    }
    response = office.post("/api/v1/meetings/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sequence_no"] == 2
    assert body["host_province"]["code"] == CQ  # Sichuan hosted no. 1
    assert [a["title"] for a in body["agenda"]] == ["审议年度实施计划", "督办事项"]
    assert body["agenda"][1]["presenter"]["slug"] == "joint-office"
    assert body["status"] == "planned" and body["allowed_transitions"] == ["held"]
    assert {o["slug"] for o in body["attending_organizations"]} == {
        "sc-natural-resources",
        "cq-planning-natural-resources",
    }


def test_the_same_host_twice_in_a_row_is_a_400(client_for, joint_office):
    MeetingFactory(sequence_no=1)  # Sichuan
    response = client_for(joint_office).post(
        "/api/v1/meetings/", {"date": "2022-09-01", "place": "成都", "host_province": SC}, format="json"
    )
    assert response.status_code == 400
    assert "host_province" in response.json()["errors"]
    assert Meeting.objects.count() == 1


def test_guizhou_does_not_host_the_joint_conference(client_for, joint_office):
    response = client_for(joint_office).post(
        "/api/v1/meetings/", {"date": "2022-09-01", "place": "贵阳", "host_province": "520000"}, format="json"
    )
    assert response.status_code == 400
    assert "host_province" in response.json()["errors"]


def test_provincial_staff_cannot_schedule_meetings(client_for, sc_staff):
    response = client_for(sc_staff).post("/api/v1/meetings/", {"date": "2022-09-01", "place": "成都"}, format="json")
    assert response.status_code == 403


def test_meeting_transitions_and_their_refusals(client_for, joint_office):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, date=timezone.localdate() + datetime.timedelta(days=3))
    office = client_for(joint_office)
    url = f"/api/v1/meetings/{meeting.pk}/transition/"

    refused = office.post(url, {"to": "minutes_approved"})
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["held"]

    early = office.post(url, {"to": "held"})
    assert early.status_code == 409  # not before its date

    meeting.date = timezone.localdate()
    meeting.save()
    assert office.post(url, {"to": "held"}).status_code == 200

    no_minutes = office.post(url, {"to": "minutes_approved"})
    assert no_minutes.status_code == 400
    assert "minutes" in no_minutes.json()["errors"]

    assert office.patch(f"/api/v1/meetings/{meeting.pk}/", {"minutes": "会议纪要"}, format="json").status_code == 200
    approved = office.post(url, {"to": "minutes_approved"})
    assert approved.status_code == 200
    assert approved.json()["allowed_transitions"] == []
    assert ChangeRecord.objects.filter(object_id=str(meeting.pk), action="transition").count() == 2

    locked = office.patch(f"/api/v1/meetings/{meeting.pk}/", {"minutes": "改写"}, format="json")
    assert locked.status_code == 409


def test_decisions_are_numbered_and_only_for_a_held_meeting(client_for, joint_office):
    planned = MeetingFactory(status=MeetingStatus.PLANNED)
    held = MeetingFactory()
    office = client_for(joint_office)
    refused = office.post("/api/v1/decisions/", {"meeting": str(planned.pk), "title": "决议"}, format="json")
    assert refused.status_code == 409
    first = office.post("/api/v1/decisions/", {"meeting": str(held.pk), "title": "建立制度"}, format="json")
    second = office.post("/api/v1/decisions/", {"meeting": str(held.pk), "title": "编制规划"}, format="json")
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    duplicate = office.post(
        "/api/v1/decisions/", {"meeting": str(held.pk), "title": "重复", "number": 1}, format="json"
    )
    assert duplicate.status_code == 400
    assert Decision.objects.filter(meeting=held).count() == 2


def test_a_follow_up_action_cannot_fall_due_before_its_meeting(client_for, joint_office):
    decision = DecisionFactory(meeting__date=datetime.date(2022, 3, 18))
    response = client_for(joint_office).post(
        "/api/v1/action-items/",
        {
            "decision": str(decision.pk),
            "title": "建立监测",
            "responsible_organization": "cq-ecology-environment",
            "due_date": "2022-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()["errors"]
    assert not ActionItem.objects.exists()


def test_the_responsible_organization_reports_and_closes_its_action(client_for, sc_staff, cq_staff):
    item = ActionItemFactory(due_date=timezone.localdate() + datetime.timedelta(days=30))
    staff = client_for(sc_staff)
    note = staff.post(f"/api/v1/action-items/{item.pk}/updates/", {"text": "已完成初稿"}, format="json")
    assert note.status_code == 201
    assert client_for(cq_staff).post(f"/api/v1/action-items/{item.pk}/updates/", {"text": "?"}).status_code == 403
    assert client_for(cq_staff).post(f"/api/v1/action-items/{item.pk}/transition/", {"to": "done"}).status_code == 403
    assert staff.post(f"/api/v1/action-items/{item.pk}/transition/", {"to": "dropped"}).status_code == 403
    done = staff.post(f"/api/v1/action-items/{item.pk}/transition/", {"to": "done", "comment": "已印发"})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["completed_on"] == timezone.localdate().isoformat()
    updates = staff.get(f"/api/v1/action-items/{item.pk}/updates/").json()["results"]
    assert [(u["text"], u["to_status"]) for u in updates] == [("已印发", "done"), ("已完成初稿", "")]
    assert updates[0]["author"]["username"] == "sc_staff"


def test_nobody_marks_an_action_overdue_by_hand(client_for, joint_office):
    item = ActionItemFactory(due_date=timezone.localdate() + datetime.timedelta(days=30))
    response = client_for(joint_office).post(f"/api/v1/action-items/{item.pk}/transition/", {"to": "overdue"})
    assert response.status_code == 409
    assert "overdue" not in response.json()["allowed"]


def test_the_periodic_task_marks_overdue_actions_and_emails_the_organization_once(
    django_capture_on_commit_callbacks, sc_staff
):
    UserFactory(username="sc_colleague", email="colleague@example.org", organization=org("sc-natural-resources"))
    UserFactory(username="cq_person", email="cq@example.org", organization=org("cq-planning-natural-resources"))
    late = ActionItemFactory(due_date=timezone.localdate() - datetime.timedelta(days=1))
    on_time = ActionItemFactory(due_date=timezone.localdate())
    done = ActionItemFactory(due_date=timezone.localdate() - datetime.timedelta(days=9), status=ActionStatus.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue_action_items.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue_action_items.delay().get() == 0  # safe to run twice

    late.refresh_from_db()
    on_time.refresh_from_db()
    done.refresh_from_db()
    assert (late.status, on_time.status, done.status) == ("overdue", "open", "done")
    assert late.overdue_notified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@example.org"]
    assert late.title in mail.outbox[0].subject
    update = ActionUpdate.objects.get(action_item=late)
    assert update.author is None and update.to_status == "overdue"
    # Notifying again sends nothing.
    assert services.notify_overdue_action(item_id=late.pk) == 0


def test_a_new_due_date_reopens_an_overdue_action(client_for, joint_office):
    item = ActionItemFactory(due_date=datetime.date(2022, 9, 30), status=ActionStatus.OVERDUE)
    office = client_for(joint_office)
    reopen = office.post(f"/api/v1/action-items/{item.pk}/transition/", {"to": "open"})
    assert reopen.status_code == 400 and "due_date" in reopen.json()["errors"]
    new_date = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = office.patch(f"/api/v1/action-items/{item.pk}/", {"due_date": new_date}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_action_items_filter_by_organization_and_unfinished(api):
    ActionItemFactory(status=ActionStatus.OVERDUE)
    ActionItemFactory(status=ActionStatus.DONE)
    ActionItemFactory(responsible_organization=org("cq-forestry"))
    assert api.get("/api/v1/action-items/", {"unfinished": "true"}).json()["count"] == 2
    assert api.get("/api/v1/action-items/", {"responsible_organization": "cq-forestry"}).json()["count"] == 1
    assert api.get("/api/v1/action-items/", {"status": "overdue"}).json()["count"] == 1


def test_the_overdue_check_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "projects.conference.tasks.mark_overdue_action_items" in tasks
