"""Reporting compliance: who has not reported, through the selector, the API and the admin."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects.core.models import Corridor
from projects.restoration.compliance import reporting_compliance
from projects.restoration.models import Project
from projects.restoration.progress import expected_periods
from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 5, 10)


@pytest.fixture
def monthly(sc_staff):
    """Started in January 2025: January accepted, February submitted, March a draft, April nothing."""
    project = ProjectFactory(code="SC-2024-0601", planned_start=datetime.date(2025, 1, 1))
    project.corridors.add(Corridor.objects.get(slug="jialing"))
    ReportFactory(project=project, period="2025-01", status="accepted", reported_by=sc_staff)
    ReportFactory(project=project, period="2025-02", status="submitted", reported_by=sc_staff)
    ReportFactory(project=project, period="2025-03", status="draft", reported_by=sc_staff)
    return project


def _statuses(result):
    return {(row["project"]["code"], row["period"]): row["status"] for row in result["rows"]}


def test_each_period_of_a_project_gets_its_status(monthly):
    result = reporting_compliance(projects=Project.objects.all(), today=TODAY)
    assert _statuses(result) == {
        ("SC-2024-0601", "2025-01"): "accepted",
        ("SC-2024-0601", "2025-02"): "submitted",
        ("SC-2024-0601", "2025-03"): "overdue",  # a draft, due on 15 April
        ("SC-2024-0601", "2025-04"): "due",  # due on 15 May
    }
    assert result["summary"]["by_corridor"]["jialing"] == {"accepted": 1, "submitted": 1, "overdue": 1, "due": 1}
    march = next(row for row in result["rows"] if row["period"] == "2025-03")
    assert march["due_date"] == datetime.date(2025, 4, 15) and march["days_overdue"] == 25
    assert march["organization"]["slug"] == "sc-natural-resources" and march["province"]["code"] == "510000"


def test_a_period_with_no_report_at_all_is_missing_and_agrees_with_the_projects_overdue_periods(monthly):
    later = datetime.date(2025, 5, 20)
    result = reporting_compliance(projects=Project.objects.all(), today=later)
    assert _statuses(result)[("SC-2024-0601", "2025-04")] == "missing"
    late = {row["period"] for row in result["rows"] if row["status"] in ("overdue", "missing")}
    assert late == set(expected_periods(monthly, later)) - {"2025-01", "2025-02"}


def test_quarterly_projects_report_per_quarter_and_projects_not_under_way_are_not_asked(sc_staff):
    ProjectFactory(code="SC-2024-0602", planned_start=datetime.date(2025, 2, 1), reporting_period="quarter")
    ProjectFactory(code="SC-2024-0603", planned_start=datetime.date(2025, 1, 1), status="approved")
    result = reporting_compliance(projects=Project.objects.all(), today=TODAY)
    assert _statuses(result) == {("SC-2024-0602", "2025-Q1"): "missing"}


def test_the_api_filters_by_status_province_corridor_organization_and_period(client_for, cq_staff, monthly):
    ProjectFactory(code="CQ-2024-0604", lead_organization=org("cq-planning-natural-resources"))
    client = client_for(cq_staff)
    url = "/api/v1/reporting-compliance/"
    body = client.get(url, {"as_of": TODAY, "status": ["overdue", "missing"], "province": "510000"}).json()
    assert [(row["project"]["code"], row["period"]) for row in body["rows"]] == [("SC-2024-0601", "2025-03")]
    assert body["rows"][0]["status_label"]
    assert client.get(url, {"as_of": TODAY, "corridor": "min"}).json()["rows"] == []
    only = client.get(url, {"as_of": TODAY, "organization": "cq-planning-natural-resources"}).json()
    assert {row["project"]["code"] for row in only["rows"]} == {"CQ-2024-0604"}
    february = client.get(url, {"as_of": TODAY, "period": "2025-02"}).json()["rows"]
    assert [(row["project"]["code"], row["status"]) for row in february] == [
        ("CQ-2024-0604", "missing"),
        ("SC-2024-0601", "submitted"),
    ]


def test_bad_filters_answer_400_with_a_message_per_field(client_for, cq_staff):
    answer = client_for(cq_staff).get("/api/v1/reporting-compliance/", {"period": "2025-13", "status": "late"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"period", "status"}


def test_anonymous_callers_get_401(anonymous_client):
    assert anonymous_client.get("/api/v1/reporting-compliance/").status_code == 401


def test_the_list_costs_the_same_queries_for_one_project_as_for_three(client_for, joint_office, sc_staff):
    client = client_for(joint_office)
    counts = []
    for code in ("SC-2024-0611", "SC-2024-0612", "SC-2024-0613"):
        project = ProjectFactory(code=code, planned_start=datetime.date(2025, 1, 1))
        project.corridors.add(Corridor.objects.get(slug="min"))
        ReportFactory(project=project, period="2025-01", status="submitted", reported_by=sc_staff)
        client.get("/api/v1/reporting-compliance/", {"as_of": TODAY})  # warm caches
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/reporting-compliance/", {"as_of": TODAY}).json()
        counts.append(len(queries))
    assert len(body["rows"]) == 12
    assert counts[0] == counts[2] and counts[0] <= 6, counts


def test_the_admin_lists_who_has_not_reported(joint_office, monthly):
    client = Client()
    client.force_login(joint_office)
    page = client.get("/admin/restoration/project/reporting-compliance/", {"as_of": "2025-05-10"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "SC-2024-0601" in text and "2025-03" in text
    assert "2025-01" not in text  # accepted: not listed unless asked for
    url = "/admin/restoration/project/reporting-compliance/"
    asked = client.get(url, {"as_of": "2025-05-10", "status": "accepted"})
    assert "2025-01" in asked.content.decode()
