"""Shoreline segments: recorded by the joint office or the responsible province, measured in metres."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.db.models.functions import Length, Transform
from django.contrib.gis.geos import LineString
from django.test import Client

from projects.core.measure import gauss_kruger_srid, measure
from projects.core.models import ChangeRecord, Corridor
from projects.restoration.models import ShorelineSegment
from tests.restoration.factories import ProjectFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/shoreline-segments/"

# About 1.6 km of the Jialing's left bank at Hechuan (Chongqing).
JIALING = [[106.270, 29.970], [106.276, 29.975], [106.283, 29.979]]


def segment(**changes):
    return {
        "corridor": "jialing",
        "province": "500000",
        "bank": "left",
        "state": "natural",
        "geometry": {"type": "LineString", "coordinates": JIALING},
        "surveyed_on": "2024-05-10",
        **changes,
    }


def test_the_joint_office_records_a_segment_whose_length_is_measured(client_for, joint_office):
    response = client_for(joint_office).post(URL, segment(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert Decimal(body["length_m"]) == measure(LineString(JIALING, srid=4326)).length_metres
    assert Decimal("1500") < Decimal(body["length_m"]) < Decimal("1700")
    assert body["corridor"]["slug"] == "jialing" and body["province"]["code"] == "500000"
    assert ChangeRecord.objects.get(object_id=body["id"]).action == "create"


def test_a_new_line_is_measured_again_and_a_typed_length_is_ignored(client_for, joint_office):
    client = client_for(joint_office)
    body = client.post(URL, segment(), format="json").json()
    shorter = client.patch(
        f"{URL}{body['id']}/",
        {"geometry": {"type": "LineString", "coordinates": JIALING[:2]}, "length_m": "5"},
        format="json",
    ).json()
    assert Decimal(shorter["length_m"]) == measure(LineString(JIALING[:2], srid=4326)).length_metres
    assert shorter["version"] == body["version"] + 1


@pytest.mark.parametrize(
    ("persona", "province", "status"),
    [
        ("cq_staff", "500000", 201),
        ("sc_staff", "510000", 201),
        ("sc_staff", "500000", 403),  # not their province's stretch
        ("gz_staff", "500000", 403),
        ("expert", "500000", 403),
        ("partner", "500000", 403),
    ],
)
def test_who_records_a_segment(client_for, personas, persona, province, status):
    response = client_for(personas[persona]).post(URL, segment(province=province), format="json")
    assert response.status_code == status, response.json()
    assert ShorelineSegment.objects.count() == (1 if status == 201 else 0)


def test_a_province_keeps_its_own_segments_and_cannot_hand_them_over(client_for, sc_staff, cq_staff):
    mine = client_for(cq_staff).post(URL, segment(), format="json").json()
    assert client_for(sc_staff).patch(f"{URL}{mine['id']}/", {"state": "hardened"}, format="json").status_code == 403
    assert client_for(sc_staff).delete(f"{URL}{mine['id']}/").status_code == 403
    handed = client_for(cq_staff).patch(f"{URL}{mine['id']}/", {"province": "510000"}, format="json")
    assert handed.status_code == 403
    assert ShorelineSegment.objects.get().province.code == "500000"
    restored = client_for(cq_staff).patch(f"{URL}{mine['id']}/", {"state": "restored"}, format="json")
    assert restored.status_code == 200 and restored.json()["state"] == "restored"
    assert client_for(cq_staff).delete(f"{URL}{mine['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"corridor": "min"}, "province"),  # the Min River does not run through Chongqing
        ({"surveyed_on": "2099-12-31"}, "surveyed_on"),
        ({"geometry": {"type": "Point", "coordinates": [106.27, 29.97]}}, "geometry"),
        ({"bank": "both"}, "bank"),
        ({"state": "eroded"}, "state"),
    ],
)
def test_bad_segments_are_a_400_on_the_field(client_for, joint_office, change, field):
    response = client_for(joint_office).post(URL, segment(**change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ShorelineSegment.objects.exists()


def test_a_project_must_be_on_the_segments_corridor(client_for, joint_office):
    on_min = ProjectFactory()
    on_min.corridors.set(Corridor.objects.filter(slug="min"))
    on_jialing = ProjectFactory()
    on_jialing.corridors.set(Corridor.objects.filter(slug="jialing"))
    client = client_for(joint_office)
    refused = client.post(URL, segment(project=on_min.code), format="json")
    assert refused.status_code == 400 and "project" in refused.json()["errors"]
    accepted = client.post(URL, segment(project=on_jialing.code), format="json")
    assert accepted.status_code == 201 and accepted.json()["project"]["code"] == on_jialing.code


def test_a_stretch_is_recorded_once_per_bank(client_for, joint_office):
    client = client_for(joint_office)
    assert client.post(URL, segment(), format="json").status_code == 201
    again = client.post(URL, segment(state="hardened"), format="json")
    assert again.status_code == 400 and "geometry" in again.json()["errors"]
    # The other bank, or a stretch that only touches the recorded one, is another stretch.
    assert client.post(URL, segment(bank="right"), format="json").status_code == 201
    onward = [JIALING[-1], [106.290, 29.984]]
    onward_segment = segment(geometry={"type": "LineString", "coordinates": onward})
    assert client.post(URL, onward_segment, format="json").status_code == 201


def test_the_database_measures_a_segment_as_python_does_within_a_thousandth(client_for, joint_office):
    """PostGIS and SpatiaLite, transformed to the same zone and geodesically, agree with the stored length."""
    body = client_for(joint_office).post(URL, segment(), format="json").json()
    stored = Decimal(body["length_m"])
    row = (
        ShorelineSegment.objects.filter(pk=body["id"])
        .annotate(planar=Length(Transform("geometry", gauss_kruger_srid(106.276))), geodesic=Length("geometry"))
        .get()
    )
    assert abs(Decimal(row.planar.m) - stored) / stored < Decimal("0.001")
    assert abs(Decimal(row.geodesic.m) - stored) / stored < Decimal("0.001")


def test_segment_list_runs_a_fixed_number_of_queries(client_for, joint_office, django_assert_num_queries):
    client = client_for(joint_office)
    project = ProjectFactory()
    project.corridors.set(Corridor.objects.filter(slug="jialing"))
    start = [106.0, 29.5]
    for index in range(3):
        line = [[start[0] + index * 0.01, start[1]], [start[0] + index * 0.01 + 0.005, start[1] + 0.003]]
        geometry = {"type": "LineString", "coordinates": line}
        client.post(URL, segment(geometry=geometry, project=project.code), format="json")
        with django_assert_num_queries(2):  # count, page with corridor, province and project
            assert client.get(URL).json()["count"] == index + 1


def test_the_admin_records_a_segment_through_the_service(joint_office, cq_staff):
    client = Client()
    client.force_login(cq_staff)
    form = {
        "corridor": str(Corridor.objects.get(slug="jialing").pk),
        "province": str(cq_staff.province_id),
        "bank": "right",
        "state": "hardened",
        "geometry": LineString(JIALING, srid=4326).ewkt,
        "project": "",
        "surveyed_on": "2024-05-10",
        "description": "",
    }
    response = client.post("/admin/restoration/shorelinesegment/add/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    saved = ShorelineSegment.objects.get()
    assert saved.length_m == measure(LineString(JIALING, srid=4326)).length_metres
    assert ChangeRecord.objects.filter(object_id=saved.pk).get().actor == cq_staff
    # In the future: refused on the form, nothing saved.
    future = {**form, "bank": "left", "surveyed_on": "2099-01-01"}
    refused = client.post("/admin/restoration/shorelinesegment/add/", future)
    assert refused.status_code == 200 and ShorelineSegment.objects.count() == 1
    assert datetime.date(2024, 5, 10) == saved.surveyed_on
