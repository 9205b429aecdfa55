"""OGC API – Features at /ogc/: what QGIS, GDAL/OGR and OWSLib read, through the tracker's rule."""

import datetime
import shutil
import subprocess

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from projects import permissions
from projects.core.tokens import token_issue
from tests.restoration import factories as rest

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_projects():
    return [
        rest.ProjectFactory(
            code="SC-2025-0001",
            geometry=Point(104.07, 30.67, srid=4326),
            planned_start=datetime.date(2021, 1, 1),
            planned_end=datetime.date(2022, 12, 31),
        ),
        rest.ProjectFactory(code="SC-2025-0002", geometry=Point(106.57, 29.56, srid=4326), status="approved"),
        rest.ProjectFactory(code="SC-2025-0003", geometry=Point(106.60, 29.60, srid=4326)),
    ]


def test_the_landing_page_links_conformance_and_collections(api):
    body = api.get("/ogc/").json()
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "alternate", "conformance", "data", "service-doc"} <= rels
    conformance = api.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    html = api.get("/ogc/", {"f": "html"})
    assert html["Content-Type"].startswith("text/html")
    assert "OGC API" in html.content.decode()


def test_every_page_has_an_html_form(api, placed_projects):
    for path in ("/ogc/collections", "/ogc/collections/projects", "/ogc/collections/projects/items"):
        response = api.get(path, {"f": "html"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html"), path
    page = api.get("/ogc/collections/projects/items", {"f": "html"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SC-2025-0002" in page and "3 of 3 features" in page
    refused = api.get("/ogc/collections/projects/items", {"f": "html", "limit": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "whole number" in refused.content.decode()


def test_collections_name_every_spatial_resource_with_its_extent(api, placed_projects):
    collections = {c["id"]: c for c in api.get("/ogc/collections").json()["collections"]}
    assert set(collections) >= {"corridors", "key-areas", "divisions", "provinces", "projects", "monitoring-sections"}
    west, south, east, north = collections["projects"]["extent"]["spatial"]["bbox"][0]
    assert (west, south, east, north) == pytest.approx((104.07, 29.56, 106.60, 30.67))
    assert any(link["rel"] == "items" for link in collections["projects"]["links"])
    assert api.get("/ogc/collections/projects").json()["id"] == "projects"
    assert api.get("/ogc/collections/nothing").status_code == 404


def test_items_page_with_limit_and_next_links(api, placed_projects):
    response = api.get("/ogc/collections/projects/items", {"limit": 2})
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert "offset=2" in following and "limit=2" in following
    last = api.get(following.split("testserver")[1]).json()
    assert [f["properties"]["code"] for f in last["features"]] == ["SC-2025-0003"]
    assert not any(link["rel"] == "next" for link in last["links"])


def test_items_filter_by_bbox_datetime_and_properties(api, placed_projects):
    def codes(**query):
        return [f["properties"]["code"] for f in api.get("/ogc/collections/projects/items", query).json()["features"]]

    assert codes(bbox="105.5,28.5,107.5,30.5") == ["SC-2025-0002", "SC-2025-0003"]
    assert codes(datetime="2021-06-01T00:00:00Z") == ["SC-2025-0001"]
    assert codes(datetime="../2022-01-01") == ["SC-2025-0001"]
    assert codes(datetime="2024-01-01/..") == ["SC-2025-0002", "SC-2025-0003"]
    assert codes(status="approved") == ["SC-2025-0002"]
    assert codes(bbox="105.5,28.5,107.5,30.5", status="in_progress") == ["SC-2025-0003"]


@pytest.mark.parametrize(
    "query", [{"colour": "red"}, {"limit": "0"}, {"datetime": "yesterday"}, {"bbox": "1,2"}, {"offset": "-1"}]
)
def test_bad_or_unknown_parameters_are_400(api, query):
    assert api.get("/ogc/collections/projects/items", query).status_code == 400


def test_a_single_item_is_a_feature(api, placed_projects):
    project = placed_projects[0]
    body = api.get(f"/ogc/collections/projects/items/{project.pk}").json()
    assert body["type"] == "Feature"
    assert body["id"] == str(project.pk)
    assert body["geometry"]["coordinates"] == [104.07, 30.67]
    assert api.get("/ogc/collections/projects/items/nope").status_code == 404
    html = api.get(f"/ogc/collections/projects/items/{project.pk}", {"f": "html"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "SC-2025-0001" in html.content.decode()
    assert "Lead organization" in html.content.decode()


def test_every_read_goes_through_the_rule(api, placed_projects, monkeypatch):
    monkeypatch.setitem(permissions._scopes, "restoration.project", lambda user, queryset: queryset.none())
    monkeypatch.setitem(permissions._history_scopes, "restoration.project", lambda user: Q(pk__in=[]))
    body = api.get("/ogc/collections/projects/items").json()
    assert (body["features"], body["numberMatched"]) == ([], 0)
    assert api.get(f"/ogc/collections/projects/items/{placed_projects[0].pk}").status_code == 404


def test_anonymous_callers_get_401_as_on_the_api(anonymous_client):
    for path in ("/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/projects/items"):
        assert anonymous_client.get(path).status_code == 401, path


def test_a_token_limited_to_projects_reaches_only_that_collection(anonymous_client, sc_staff, placed_projects):
    key = token_issue(actor=sc_staff, user=sc_staff, name="gis", scope="read", record_types=["projects"])[1]
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous_client.get("/ogc/collections/projects/items").status_code == 200
    assert anonymous_client.get("/ogc/collections/corridors/items").status_code == 403


def test_items_cost_the_same_queries_for_one_feature_as_for_three(api, placed_projects):
    """Built afresh and from the kept representations (the API's own) alike."""
    for collection in ("projects", "corridors", "divisions", "key-areas", "provinces"):
        api.get(f"/ogc/collections/{collection}/items", {"limit": 1})
        counts = []
        for limit in (1, 3):
            caches["representations"].clear()
            with CaptureQueriesContext(connection) as afresh:
                built = api.get(f"/ogc/collections/{collection}/items", {"limit": limit}).json()
            with CaptureQueriesContext(connection) as kept:
                body = api.get(f"/ogc/collections/{collection}/items", {"limit": limit}).json()
            assert body["numberReturned"] == limit and body["features"] == built["features"], collection
            if collection == "projects":  # kept: its prefetches are not run again
                assert len(kept) < len(afresh)
            counts.append((len(afresh), len(kept)))
        assert counts[0] == counts[1], f"{collection}: {counts}"


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_the_collections_and_their_features(live_server, sc_staff, placed_projects):
    key = token_issue(actor=sc_staff, user=sc_staff, name="gdal", scope="read")[1]
    base = ["ogrinfo", "--config", "GDAL_HTTP_HEADERS", f"Authorization: Token {key}", "-ro"]

    def ogrinfo(*arguments):
        done = subprocess.run([*base, *arguments], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    listing = ogrinfo("-so", f"OAPIF:{live_server.url}/ogc/")
    for collection in ("projects", "corridors", "key-areas", "divisions", "provinces", "monitoring-sections"):
        assert collection in listing
    projects = ogrinfo("-so", f"OAPIF:{live_server.url}/ogc/", "projects")
    assert "Feature Count: 3" in projects
    features = ogrinfo(f"OAPIF:{live_server.url}/ogc/", "projects", "-where", "code = 'SC-2025-0002'")
    assert "POINT (106.57 29.56)" in features


def test_owslib_reads_the_collections_pages_and_items(live_server, sc_staff, placed_projects):
    from owslib.ogcapi.features import Features

    key = token_issue(actor=sc_staff, user=sc_staff, name="owslib", scope="read")[1]
    service = Features(f"{live_server.url}/ogc/", headers={"Authorization": f"Token {key}"})
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in service.conformance()["conformsTo"]
    names = {collection["id"] for collection in service.collections()["collections"]}
    assert {"projects", "corridors", "key-areas", "divisions", "provinces", "monitoring-sections"} <= names
    assert service.collection("projects")["id"] == "projects"

    first = service.collection_items("projects", limit=2)
    assert first["numberMatched"] == 3 and first["numberReturned"] == 2
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = service.collection_items("projects", limit=2, offset=2)
    assert second["numberReturned"] == 1 and "offset=2" in following
    codes = {feature["properties"]["code"] for feature in first["features"] + second["features"]}
    assert codes == {"SC-2025-0001", "SC-2025-0002", "SC-2025-0003"}

    one = service.collection_item("projects", first["features"][0]["id"])
    assert one["type"] == "Feature" and one["properties"]["code"] in codes
