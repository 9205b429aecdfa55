"""The workspace's reporting-compliance page: the selector's rows with names, its filters, bad filters
shown beside the fields, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = pytest.mark.django_db
URL = "/figures/compliance/"


@pytest.fixture
def staff_client(client, sc_staff):
    client.force_login(sc_staff)
    return client


def test_the_page_lists_who_has_not_reported_with_names_and_links(staff_client, sc_staff):
    project = ProjectFactory(code="SC-2024-0701", planned_start=datetime.date(2025, 1, 1))
    ReportFactory(project=project, period="2025-02", status="draft", reported_by=sc_staff)
    assert reverse("workspace:compliance") == URL
    page = staff_client.get(URL, {"as_of": "2025-05-10"}).content.decode()
    assert project.name in page
    assert f"/figures/projects/{project.pk}/" in page
    assert "2025-02" in page and "2025-01" in page
    assert "四川省" in page


def test_filters_narrow_the_rows(staff_client):
    sc = ProjectFactory(code="SC-2024-0702", planned_start=datetime.date(2025, 1, 1))
    cq = ProjectFactory(
        code="CQ-2024-0703",
        planned_start=datetime.date(2025, 1, 1),
        lead_organization=org("cq-planning-natural-resources"),
    )
    page = staff_client.get(URL, {"as_of": "2025-05-10", "period": "2025-02"}).content.decode()
    assert "2025-03" not in page
    only = staff_client.get(
        URL, {"as_of": "2025-05-10", "organization": org("cq-planning-natural-resources").pk}
    ).content.decode()
    if cq.name in page:
        assert cq.name in only
    assert sc.name not in only


def test_a_bad_filter_is_a_page_with_a_message_beside_the_field(staff_client):
    answer = staff_client.get(URL, {"period": "2025-13", "status": "late"})
    assert answer.status_code == 200
    assert answer.context["form"].errors.keys() == {"period", "status"}


def test_the_page_costs_the_same_queries_for_one_project_as_for_three(staff_client):
    counts = []
    for code in ("SC-2024-0711", "SC-2024-0712", "SC-2024-0713"):
        ProjectFactory(code=code, planned_start=datetime.date(2025, 1, 1))
        staff_client.get(URL, {"as_of": "2025-05-10"})
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(URL, {"as_of": "2025-05-10"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[2], counts
