"""Reporting upward: area under restoration by ecosystem type, province, corridor and year, traceable."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Polygon

from projects.core.models import Corridor
from projects.restoration.models import Indicator
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

pytestmark = pytest.mark.django_db
URL = "/api/v1/restoration-area-report/"


def _value(report, code, value):
    report.values.create(indicator=Indicator.objects.get(code=code), value=Decimal(value))


@pytest.fixture
def reported(sc_staff):
    project = ProjectFactory(
        code="SC-2024-0901",
        name_zh='=HYPERLINK("http://x")岷江修复',
        geometry=Polygon(((103.7, 29.5), (103.8, 29.5), (103.8, 29.6), (103.7, 29.5)), srid=4326),
    )
    project.corridors.add(Corridor.objects.get(slug="min"), Corridor.objects.get(slug="yangtze"))
    TargetFactory(project=project)
    first = ReportFactory(project=project, period="2025-03", status="accepted", reported_by=sc_staff)
    second = ReportFactory(project=project, period="2025-06", status="submitted", reported_by=sc_staff)
    third = ReportFactory(project=project, period="2026-01", status="accepted", reported_by=sc_staff)
    draft = ReportFactory(project=project, period="2026-02", status="draft", reported_by=sc_staff)
    _value(first, "forest-restored-area", "10.5")
    _value(second, "forest-restored-area", "4.5")
    _value(second, "wetland-restored-area", "2")
    _value(third, "forest-restored-area", "1")
    _value(draft, "forest-restored-area", "99")  # not counted
    chongqing = ProjectFactory(code="CQ-2024-0902", lead_organization=org("cq-planning-natural-resources"))
    TargetFactory(project=chongqing)
    _value(ReportFactory(project=chongqing, period="2025-05", status="accepted", reported_by=sc_staff),
           "grassland-restored-area", "3")  # fmt: skip
    return {"first": first, "second": second, "third": third}


def test_rows_per_project_year_and_ecosystem_type_name_the_reports_they_sum(client_for, cq_staff, reported):
    rows = client_for(cq_staff).get(URL).json()
    summary = [(r["year"], r["project_code"], r["ecosystem_type"], r["area_ha"], r["province_code"]) for r in rows]
    assert summary == [
        (2025, "CQ-2024-0902", "grassland", "3.0000", "500000"),
        (2025, "SC-2024-0901", "forest", "15.0000", "510000"),
        (2025, "SC-2024-0901", "lake", "2.0000", "510000"),
        (2026, "SC-2024-0901", "forest", "1.0000", "510000"),
    ]
    forest_2025 = rows[1]
    assert set(forest_2025["report_ids"].split(";")) == {str(reported["first"].pk), str(reported["second"].pk)}
    assert forest_2025["corridors"] == "min;yangtze"


def test_filters_by_year_province_and_corridor_and_refuses_a_bad_year(client_for, cq_staff, reported):
    client = client_for(cq_staff)
    assert [r["year"] for r in client.get(URL, {"year": 2026}).json()] == [2026]
    assert {r["project_code"] for r in client.get(URL, {"province": "500000"}).json()} == {"CQ-2024-0902"}
    assert {r["project_code"] for r in client.get(URL, {"corridor": "min"}).json()} == {"SC-2024-0901"}
    assert client.get(URL, {"year": "soon"}).status_code == 400


def test_csv_keeps_text_from_running_as_a_formula(client_for, cq_staff, reported):
    response = client_for(cq_staff).get(URL, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1]["area_ha"] == "15.0000"
    assert rows[1]["project_name"].startswith("'=HYPERLINK")


def test_geojson_carries_the_projects_shapes(client_for, cq_staff, reported):
    response = client_for(cq_staff).get(URL, {"format": "geojson"})
    assert response.status_code == 200
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    sichuan = [f for f in collection["features"] if f["properties"]["project_code"] == "SC-2024-0901"]
    assert sichuan[0]["geometry"]["type"] == "Polygon"
    assert sichuan[0]["properties"]["area_ha"] == "15.0000"


def test_anonymous_callers_get_401(anonymous_client):
    assert anonymous_client.get(URL).status_code == 401
