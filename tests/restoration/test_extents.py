"""Projects drawn as lines and polygons carry their measured length and area, the same on every backend."""

from decimal import Decimal

import pytest
from django.contrib.gis.db.models.functions import Area, Length, Transform
from django.contrib.gis.geos import LineString, Polygon

from projects.core.measure import gauss_kruger_srid, measure
from projects.restoration.models import Project
from tests.restoration.test_projects_api import NEW_PROJECT

pytestmark = pytest.mark.django_db

# An isolation belt along the Jialing at Nanchong (about 2.2 km) and a buffer zone beside it.
BELT = [[106.080, 30.800], [106.090, 30.806], [106.100, 30.809]]
ZONE = [[106.080, 30.795], [106.100, 30.795], [106.100, 30.803], [106.080, 30.803], [106.080, 30.795]]


def test_zone_is_the_cgcs2000_gauss_kruger_zone_of_the_nearest_central_meridian():
    assert gauss_kruger_srid(106.08) == 4544  # CM 105°E: 103.5°E up to 106.5°E
    assert gauss_kruger_srid(104.0) == 4544
    assert gauss_kruger_srid(106.6) == 4545  # CM 108°E
    assert gauss_kruger_srid(103.4) == 4543  # CM 102°E
    assert gauss_kruger_srid(75.0) == 4534 and gauss_kruger_srid(140.0) == 4554


def test_a_project_drawn_as_a_polygon_and_a_line_has_both_extents(api):
    geometry = {
        "type": "GeometryCollection",
        "geometries": [{"type": "LineString", "coordinates": BELT}, {"type": "Polygon", "coordinates": [ZONE]}],
    }
    body = api.post("/api/v1/projects/", {**NEW_PROJECT, "geometry": geometry}, format="json").json()
    assert body["geometry"]["type"] == "GeometryCollection"
    # The same figures as measuring each part on its own (a polygon's outline is not a length).
    line = measure(LineString(BELT, srid=4326))
    polygon = measure(Polygon(ZONE, srid=4326))
    assert Decimal(body["extent_length_km"]) == line.length_km
    assert Decimal(body["extent_area_ha"]) == polygon.area_ha
    assert line.area_m2 is None and polygon.length_m is None
    # 0.02° × 0.008° at 30.8°N: about 1,913 m × 887 m.
    assert Decimal("165") < polygon.area_ha < Decimal("175")
    assert Decimal("2.0") < line.length_km < Decimal("2.4")


def test_a_point_has_no_extent_and_a_new_geometry_is_measured_again(api):
    body = api.post("/api/v1/projects/", NEW_PROJECT, format="json").json()
    assert body["extent_length_km"] is None and body["extent_area_ha"] is None
    changed = api.patch(
        f"/api/v1/projects/{body['id']}/", {"geometry": {"type": "LineString", "coordinates": BELT}}, format="json"
    ).json()
    assert Decimal(changed["extent_length_km"]) == measure(LineString(BELT, srid=4326)).length_km
    # Derived: a value sent for it is ignored.
    ignored = api.patch(f"/api/v1/projects/{body['id']}/", {"extent_length_km": "99"}, format="json").json()
    assert ignored["extent_length_km"] == changed["extent_length_km"]


@pytest.mark.parametrize(("coordinates", "kind"), [(BELT, "line"), ([ZONE], "polygon")])
def test_the_database_measures_the_same_as_python_within_a_thousandth(api, coordinates, kind):
    """On PostGIS and on SpatiaLite alike: transformed on the database to the same zone, and
    measured geodesically on the ellipsoid, the figures agree with the stored ones within 0.1 %."""
    geometry = {"type": "LineString" if kind == "line" else "Polygon", "coordinates": coordinates}
    body = api.post("/api/v1/projects/", {**NEW_PROJECT, "geometry": geometry}, format="json").json()
    srid = gauss_kruger_srid(106.09)
    row = Project.objects.filter(pk=body["id"]).annotate(planar=Transform("geometry", srid))
    if kind == "line":
        stored = Decimal(body["extent_length_km"]) * 1000
        on_database = row.annotate(measured=Length("planar"), geodesic=Length("geometry")).get()
        assert abs(Decimal(on_database.measured.m) - stored) / stored < Decimal("0.001")
        assert abs(Decimal(on_database.geodesic.m) - stored) / stored < Decimal("0.001")
    else:
        stored = Decimal(body["extent_area_ha"]) * 10000
        on_database = row.annotate(measured=Area("planar")).get()
        assert abs(Decimal(on_database.measured.sq_m) - stored) / stored < Decimal("0.001")
