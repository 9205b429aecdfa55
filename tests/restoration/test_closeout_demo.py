"""The demo shows close-out end to end: an accepted project with its acceptance, a failed one back in
progress, overdue reports that have been reminded of, and a report with changes to compare."""

import datetime

import pytest
from django.test import Client

from projects.core.demo import load_users
from projects.core.models import Notification, User
from projects.restoration import demo
from projects.restoration.compliance import reporting_compliance
from projects.restoration.models import AcceptanceRecord, ProgressReport, Project, ReminderLog

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def test_the_demo_shows_acceptance_reminders_and_a_comparison(client_for):
    load_users()
    demo.load(today=TODAY)
    office = User.objects.get(username="joint_office")
    api = client_for(office)

    accepted = Project.objects.get(code="SC-2022-0003")
    assert accepted.status == "accepted"
    record = AcceptanceRecord.objects.get(project=accepted)
    assert (record.kind, record.conclusion, record.status) == ("whole_project", "passed", "concluded")
    assert all(row.shortfall_reason for row in record.indicators.all() if row.share < 0.8)
    assert api.get(f"/api/v1/acceptance-records/{record.pk}/form/").content.startswith(b"%PDF")

    failed = Project.objects.get(code=demo.FAILED_ACCEPTANCE)
    assert failed.status == "in_progress"
    failure = AcceptanceRecord.objects.get(project=failed)
    assert failure.conclusion == "failed" and failure.rectifications.filter(status="open").count() == 2

    late = reporting_compliance(projects=Project.objects.all(), today=TODAY, statuses=["overdue", "missing"])
    assert late["rows"]
    assert ReminderLog.objects.exists() and Notification.objects.filter(user=office).exists()
    assert api.get("/api/v1/reporting-compliance/", {"as_of": TODAY, "status": "missing"}).json()["rows"]

    waiting = ProgressReport.objects.get(project__code=demo.COMPARED_REPORT, status="submitted")
    comparison = api.get(f"/api/v1/progress-reports/{waiting.pk}/compare/").json()
    assert comparison["baseline"] is not None and "percent_complete" in comparison["went_backwards"]
    assert comparison["narrative"]["changed"]

    rows = api.get("/api/v1/restoration-area-report/").json()
    assert rows and all(row["report_ids"] for row in rows)

    admin = Client()
    admin.force_login(office)
    page = admin.get(f"/admin/restoration/progressreport/{waiting.pk}/change/").content.decode()
    assert "汛期洪水" in page
    assert admin.get("/admin/restoration/project/reporting-compliance/").status_code == 200
