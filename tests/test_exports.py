"""Any list exports with its filters as CSV, XLSX and GeoJSON, streamed, cells safe to open."""

import csv
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.db.models.query import QuerySet
from openpyxl import load_workbook

from api import exports
from projects import permissions
from tests.restoration import factories as rest
from tests.test_api_generic import ROUTES, _ensure_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects():
    return [
        rest.ProjectFactory(
            code="SC-2025-0001",
            name_zh='=HYPERLINK("http://evil")',
            geometry=Point(104.07, 30.67, srid=4326),
            partners=[rest.org("cq-planning-natural-resources")],
        ),
        rest.ProjectFactory(code="SC-2025-0002", name_zh="嘉陵江生态缓冲带", status="approved"),
    ]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_has_translated_headers_names_beside_ids_and_the_lists_filters(api, projects):
    response = api.get("/api/v1/projects/export/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="project-')
    rows = list(csv.DictReader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert [row["Project code"] for row in rows] == ["SC-2025-0001", "SC-2025-0002"]
    first = rows[0]
    assert first["Lead organization"] == "Department of Natural Resources of Sichuan Province"
    assert first["Lead organization ID"] == str(projects[0].lead_organization_id)
    assert "Planning and Natural Resources" in first["Partner organizations"]
    assert first["Status"].startswith("In progress")
    assert first["Chinese name"].startswith("'=")  # a formula is neutralized
    assert "geometry" not in " ".join(first).lower()
    chinese = api.get("/api/v1/projects/export/", {"status": "approved"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(_body(chinese).decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "项目编号", "中文名称"]
    assert [row[1] for row in rows[1:]] == ["SC-2025-0002"]


def test_xlsx_is_a_workbook_with_the_same_columns(api, projects):
    response = api.get("/api/v1/projects/export/", {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    sheet = load_workbook(io.BytesIO(_body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "Project code" in header and "Lead organization ID" in header and "Funding" not in header
    code, name = header.index("Project code"), header.index("Chinese name")
    assert rows[1][code] == "SC-2025-0001"
    assert rows[1][name].startswith("'=")
    budget = header.index(next(h for h in header if h.startswith("Total budget")))
    assert rows[1][budget] == 1000  # a number, not text


def test_geojson_is_streamed_with_every_feature(api, projects):
    response = api.get("/api/v1/projects/export/", {"format": "geojson"})
    assert response.streaming
    body = json.loads(_body(response))
    assert body["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert features["SC-2025-0001"]["geometry"]["coordinates"] == [104.07, 30.67]
    assert features["SC-2025-0002"]["geometry"] is None


def test_a_list_without_geometry_refuses_geojson_and_any_list_exports(api):
    refused = api.get("/api/v1/organizations/export/", {"format": "geojson"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert "no geometry" in refused.json()["errors"]["format"][0]
    rows = list(csv.reader(io.StringIO(_body(api.get("/api/v1/organizations/export/")).decode("utf-8-sig"))))
    assert len(rows) > 3


def test_rows_are_read_in_chunks(api, projects, monkeypatch):
    sizes = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    for kind in ("csv", "xlsx", "geojson"):
        response = api.get("/api/v1/projects/export/", {"format": kind})
        assert response.status_code == 200
        _body(response)
    assert sizes == [1, 1, 1]


def test_export_goes_through_the_rule(api, projects, monkeypatch):
    monkeypatch.setitem(permissions._scopes, "restoration.project", lambda user, queryset: queryset.none())
    monkeypatch.setitem(permissions._history_scopes, "restoration.project", lambda user: Q(pk__in=[]))
    rows = list(csv.reader(io.StringIO(_body(api.get("/api/v1/projects/export/")).decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_anonymous_callers_get_401(anonymous_client):
    assert anonymous_client.get("/api/v1/projects/export/", {"format": "csv"}).status_code == 401


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_every_list_exports_as_csv_and_xlsx(client_for, administrator, prefix, viewset):
    _ensure_rows(prefix, viewset, administrator, count=1)
    client = client_for(administrator)
    answer = client.get(f"/api/v1/{prefix}/export/", {"include_drafts": "true"})
    rows = list(csv.reader(io.StringIO(_body(answer).decode("utf-8-sig"))))
    assert len(rows) >= 2, prefix
    assert not any(label.islower() for label in rows[0]), (prefix, rows[0])  # people's headers, not field names
    sheet = client.get(f"/api/v1/{prefix}/export/", {"format": "xlsx", "include_drafts": "true"})
    assert sheet.status_code == 200, prefix
    assert len(list(load_workbook(io.BytesIO(_body(sheet)), read_only=True).active.iter_rows())) == len(rows)
