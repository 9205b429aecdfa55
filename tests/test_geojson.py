"""Spatial lists answer as GeoJSON for GIS clients, through the same rule, filters and pages."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from projects import permissions
from tests.compensation import factories as comp
from tests.restoration import factories as rest
from tests.test_api_generic import MAKERS

pytestmark = pytest.mark.django_db

SPATIAL = ["provinces", "divisions", "corridors", "key-areas", "projects", "monitoring-sections", "shoreline-segments"]


@pytest.fixture
def placed_projects():
    """One project in Chengdu (Sichuan), one in Yuzhong (Chongqing), one with no geometry."""
    return {
        "chengdu": rest.ProjectFactory(code="SC-2025-0001", geometry=Point(104.07, 30.67, srid=4326)),
        "yuzhong": rest.ProjectFactory(code="SC-2025-0002", geometry=Point(106.57, 29.56, srid=4326)),
        "nowhere": rest.ProjectFactory(code="SC-2025-0003"),
    }


def test_a_list_answers_as_a_feature_collection_on_request(api, placed_projects):
    for request in ({"format": "geojson"}, {}):
        headers = {} if request else {"HTTP_ACCEPT": "application/geo+json"}
        response = api.get("/api/v1/projects/", request, **headers)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/geo+json")
        body = response.json()
        assert body["type"] == "FeatureCollection"
        assert body["count"] == 3
        features = {f["properties"]["code"]: f for f in body["features"]}
        chengdu = features["SC-2025-0001"]
        assert chengdu["id"] == str(placed_projects["chengdu"].pk)
        assert chengdu["geometry"] == {"type": "Point", "coordinates": [104.07, 30.67]}
        assert "geometry" not in chengdu["properties"]
        assert features["SC-2025-0003"]["geometry"] is None


def test_a_detail_answers_as_a_feature(api, placed_projects):
    project = placed_projects["yuzhong"]
    body = api.get(f"/api/v1/projects/{project.pk}/", {"format": "geojson"}).json()
    assert body["type"] == "Feature"
    assert body["properties"]["code"] == "SC-2025-0002"


def test_bbox_keeps_what_meets_the_box(api, placed_projects):
    chongqing_box = "105.5,28.5,107.5,30.5"
    body = api.get("/api/v1/projects/", {"format": "geojson", "bbox": chongqing_box}).json()
    assert [f["properties"]["code"] for f in body["features"]] == ["SC-2025-0002"]
    # The same filter on the JSON list.
    assert [p["code"] for p in api.get("/api/v1/projects/", {"bbox": chongqing_box}).json()["results"]] == [
        "SC-2025-0002"
    ]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "107,30,105,29"])
def test_a_bad_bbox_is_a_400_naming_the_parameter(api, bbox):
    response = api.get("/api/v1/projects/", {"format": "geojson", "bbox": bbox}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "west,south,east,north" in response.json()["errors"]["bbox"][0]


def test_geojson_goes_through_the_permission_rule(api, placed_projects, monkeypatch):
    monkeypatch.setitem(permissions._scopes, "restoration.project", lambda user, queryset: queryset.none())
    monkeypatch.setitem(permissions._history_scopes, "restoration.project", lambda user: Q(pk__in=[]))
    assert api.get("/api/v1/projects/", {"format": "geojson"}).json()["features"] == []


def test_every_spatial_list_answers_geojson_at_a_fixed_query_count(client_for, administrator):
    for _ in range(3):
        rest.ProjectFactory(geometry=Point(106.0, 30.0, srid=4326))
        comp.SectionFactory()
        MAKERS["shoreline-segments"](administrator)
    client = client_for(administrator)
    for prefix in SPATIAL:
        client.get(f"/api/v1/{prefix}/", {"page_size": 1, "format": "geojson"})  # warm caches
        counts = []
        for size in (1, 3):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(f"/api/v1/{prefix}/", {"page_size": size, "format": "geojson"}).json()
            assert body["type"] == "FeatureCollection", prefix
            assert len(body["features"]) == size, prefix
            counts.append(len(queries))
        assert counts[0] == counts[1], f"{prefix}: {counts}"


def test_the_schema_offers_bbox_on_spatial_lists_only(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    names = {p["name"] for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}
    assert "bbox" in names
    names = {p["name"] for p in schema["paths"]["/api/v1/organizations/"]["get"]["parameters"]}
    assert "bbox" not in names
