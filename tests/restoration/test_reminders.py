"""Reporting reminders: each step once, to the right people, by the channel each chose; the inbox."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from projects.core.choices import NotifyBy, Role
from projects.core.models import Notification
from projects.restoration.models import ReminderLog
from projects.restoration.services.reminders import send_reporting_reminders
from projects.restoration.tasks import send_reporting_reminders as reminder_task
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = pytest.mark.django_db
# A monthly project from April 2025: April's report is due on 15 May.
DUE = datetime.date(2025, 5, 15)


def _user(name, slug, **extra):
    return UserFactory(username=name, organization=org(slug), email=f"{name}@example.org", **extra)


@pytest.fixture
def people(db):
    return {
        "reporter": _user("reporter", "sc-forestry-grassland"),
        "quiet": _user("quiet", "sc-forestry-grassland", notify_by=NotifyBy.TRACKER),
        "lead": _user("lead", "sc-natural-resources"),
        "office": _user("office", "joint-office", role=Role.JOINT_OFFICE, notify_by=NotifyBy.EMAIL),
    }


@pytest.fixture
def project(people):
    return _project()


def _project():
    return ProjectFactory(
        code="SC-2024-0801",
        lead_organization=org("sc-forestry-grassland"),
        planned_start=datetime.date(2025, 4, 1),
        planned_end=datetime.date(2025, 4, 30),
    )


def _steps():
    return sorted(ReminderLog.objects.values_list("period", "step"))


def test_each_step_goes_once_to_its_people_by_their_chosen_channel(people, project):
    assert send_reporting_reminders(today=DUE - datetime.timedelta(days=6)) == []  # too early
    sent = send_reporting_reminders(today=DUE - datetime.timedelta(days=5))
    assert [(log.period, log.step) for log in sent] == [("2025-04", "before")]
    assert [m.to for m in mail.outbox] == [["reporter@example.org"]]  # "quiet" chose the tracker only
    inbox = Notification.objects.filter(event="restoration.report.reminder.before")
    assert sorted(inbox.values_list("user__username", flat=True)) == ["quiet", "reporter"]
    assert "SC-2024-0801" in inbox.first().subject and "2025-05-15" in inbox.first().body
    # Running again the same day, or the next, sends nothing more.
    assert send_reporting_reminders(today=DUE - datetime.timedelta(days=5)) == []
    assert send_reporting_reminders(today=DUE - datetime.timedelta(days=4)) == []

    send_reporting_reminders(today=DUE)
    province = send_reporting_reminders(today=DUE + datetime.timedelta(days=7))
    assert province[0].recipients == ["lead"]  # the provincial authority of the province
    office = send_reporting_reminders(today=DUE + datetime.timedelta(days=14))
    assert office[0].recipients == ["office"] and office[0].emails == 1
    assert not Notification.objects.filter(user=people["office"]).exists()  # e-mail only
    assert _steps() == [("2025-04", "before"), ("2025-04", "due"), ("2025-04", "office"), ("2025-04", "province")]
    assert len(mail.outbox) == 4


def test_a_submitted_report_stops_the_reminders(people, project, sc_staff):
    ReportFactory(project=project, period="2025-04", status="submitted", reported_by=sc_staff)
    assert send_reporting_reminders(today=DUE) == []


def test_a_missed_week_sends_only_the_latest_step_and_old_periods_are_left_to_the_list(people, project):
    assert [log.step for log in send_reporting_reminders(today=DUE + datetime.timedelta(days=10))] == ["province"]
    assert send_reporting_reminders(today=DUE + datetime.timedelta(days=200)) == []


def test_nobody_to_tell_is_tried_again_later(db):
    _project()
    # No users in the organization, the province's authority or the joint office yet.
    assert send_reporting_reminders(today=DUE) == []
    assert not ReminderLog.objects.exists()
    UserFactory(organization=org("sc-forestry-grassland"), email="late@example.org")
    assert [log.step for log in send_reporting_reminders(today=DUE)] == ["due"]


def test_the_beat_task_runs_the_service(people, project, settings, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: DUE)
    assert reminder_task() == 1
    assert "restoration-send-reporting-reminders" in settings.CELERY_BEAT_SCHEDULE


def test_the_inbox_shows_mine_only_and_marks_read(client_for, people, project, sc_staff):
    send_reporting_reminders(today=DUE)
    mine = client_for(people["reporter"])
    body = mine.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert body["count"] == 1 and body["results"][0]["is_read"] is False
    other = Notification.objects.get(user=people["quiet"])
    assert mine.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert mine.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    own = body["results"][0]["id"]
    assert mine.post(f"/api/v1/notifications/{own}/read/").json()["is_read"] is True
    assert mine.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert client_for(people["quiet"]).post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}
    other.refresh_from_db()
    assert other.read_at is not None


def test_the_admin_lists_my_notifications_and_the_reminders_sent(people, project, joint_office):
    send_reporting_reminders(today=DUE)
    client = Client()
    client.force_login(people["reporter"])
    page = client.get("/admin/core/notification/").content.decode()
    assert "SC-2024-0801" in page
    client.force_login(joint_office)
    assert "2025-04" in client.get("/admin/restoration/reminderlog/").content.decode()
