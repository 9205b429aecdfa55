"""Hostile input answers 4xx with a message, never a server error: each cause the attack on
the tracker found (issue 19) is a case here, and each was fixed where it arises for every
endpoint, not for the one that showed it."""

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from projects.compensation.models import CarbonCoefficient
from projects.restoration.models import EcosystemElement
from tests.conference.factories import ActionItemFactory
from tests.restoration.factories import ReportFactory


def field_errors(response) -> dict:
    """The field messages of a 400, in the one error shape."""
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    return body["errors"]


YEAR_LISTS = [
    "/api/v1/progress-reports/",
    "/api/v1/fund-allocations/",
    "/api/v1/fund-contributions/",
    "/api/v1/meetings/",
    "/api/v1/plan-items/",
]


@pytest.mark.parametrize("url", YEAR_LISTS)
@pytest.mark.parametrize("year", ["0", "-1", "10000", "99999999999999999999"])
def test_a_year_out_of_range_is_a_400_naming_the_filter(client_for, joint_office, url, year):
    response = client_for(joint_office).get(url, {"year" if "plan-items" not in url else "plan_year": year})
    assert response.status_code == 400
    assert list(field_errors(response)) == ["year" if "plan-items" not in url else "plan_year"]


def test_a_year_in_range_still_filters(client_for, joint_office):
    assert client_for(joint_office).get("/api/v1/meetings/", {"year": "2025"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/fund-allocations/totals/?fund=%00",
        "/api/v1/projects/?search=a%00b",
        "/api/v1/projects/?lead_organization=%00",
        "/api/v1/meetings/?host_province=%00",
        "/api/v1/changes/?types=%00",
    ],
)
def test_a_nul_byte_in_a_query_is_a_400(client_for, joint_office, url):
    response = client_for(joint_office).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    param = url.split("?")[1].split("=")[0]
    assert field_errors(response) == {param: ["The text contains a NUL character (\\u0000), which no field can hold."]}


def test_a_nul_byte_in_a_reference_by_name_is_a_field_error(client_for, sc_staff):
    body = {"code": "SC-2024-0099", "name_zh": "项目", "lead_organization": "a\u0000", "total_budget": "10"}
    response = client_for(sc_staff).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert list(field_errors(response)) == ["lead_organization"]


@pytest.mark.parametrize("value", ["a\u0000", {"nested": ["x\u0000y"]}])
def test_a_nul_byte_anywhere_in_a_json_body_is_a_400(client_for, sc_staff, value):
    response = client_for(sc_staff).post("/api/v1/projects/", {"code": "SC-2024-0098", "name_zh": value}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert list(field_errors(response)) == ["name_zh"]


def test_an_action_update_without_text_is_a_400_on_text(client_for, joint_office):
    item = ActionItemFactory()
    response = client_for(joint_office).post(f"/api/v1/action-items/{item.pk}/updates/", {}, format="json")
    assert response.status_code == 400
    assert list(field_errors(response)) == ["text"]


def test_a_second_carbon_coefficient_for_one_element_is_a_400_with_a_message(client_for, expert):
    forest = EcosystemElement.objects.get(code="forest")
    if not CarbonCoefficient.objects.filter(element=forest).exists():
        CarbonCoefficient.objects.create(element=forest, tco2e_per_ha_year=Decimal("5"), source="demo")
    body = {"element": "forest", "tco2e_per_ha_year": "3", "source": "again"}
    response = client_for(expert).post("/api/v1/carbon-coefficients/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field_errors(response) == {"element": ["Carbon coefficient with this Ecosystem element already exists."]}
    assert CarbonCoefficient.objects.filter(element=forest).count() == 1


@pytest.mark.parametrize(
    ("field", "title", "name"),
    [("title", "标" * 201, "photo.png"), ("file", "", "p" * 250 + ".png")],
)
def test_an_attachment_title_or_file_name_over_200_characters_is_a_400(client_for, sc_staff, field, title, name):
    report = ReportFactory(reported_by=sc_staff)
    upload = SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    response = client_for(sc_staff).post(
        f"/api/v1/progress-reports/{report.pk}/attachments/",
        {"kind": "photo", "title": title, "file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == [field]
    assert "200" in field_errors(response)[field][0]


def test_an_error_naming_a_record_whose_parent_was_deleted_meanwhile_still_answers(client_for, sc_staff):
    from django.db.models import ProtectedError

    from api.exceptions import exception_handler

    orphan = ReportFactory.build(project_id=uuid.uuid4())  # its project is gone: str() would fail
    with translation.override("en"):
        response = exception_handler(ProtectedError("in use", {orphan}), {})
    assert response.status_code == 409
    assert response.data["code"] == "referenced"
    assert response.data["referenced_by"] == ["progress report"]


def test_a_5_mb_description_is_refused_with_the_limit_named(client_for, sc_staff, settings):
    from tests.restoration.factories import ProjectFactory

    project = ProjectFactory()
    url = f"/api/v1/projects/{project.pk}/"
    response = client_for(sc_staff).patch(
        url, {"description": "长" * 5_000_000}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert field_errors(response) == {"description": ["Ensure this field has no more than 20000 characters."]}
    assert client_for(sc_staff).patch(url, {"description": "长" * 20_000}, format="json").status_code == 200


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(client_for, sc_staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"code": "SC-2024-0097", "name_zh": "x" * 2000}
    response = client_for(sc_staff).post("/api/v1/projects/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large.", "code": "too_large", "errors": {}}


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing/", 404, "not_found"),
        ("get", "/api/v1/projects/00000000-0000-0000-0000-000000000000/", 404, "not_found"),
        ("put", "/api/v1/changes/", 405, "method_not_allowed"),
    ],
)
def test_every_4xx_is_in_the_one_shape(client_for, sc_staff, method, url, status, code):
    response = getattr(client_for(sc_staff), method)(url)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["errors"] == {} and body["detail"]


def test_anonymous_callers_get_the_shape_with_a_401(anonymous_client):
    response = anonymous_client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "errors": {},
    }


@pytest.mark.parametrize(
    "geometry", [{"type": "MultiPolygon", "coordinates": []}, {"type": "LineString", "coordinates": []}]
)
def test_an_empty_geometry_is_a_400_on_the_field(client_for, sc_staff, geometry):
    from tests.restoration.factories import ProjectFactory

    url = f"/api/v1/projects/{ProjectFactory().pk}/"
    response = client_for(sc_staff).patch(url, {"geometry": geometry}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field_errors(response).get("geometry") == ["The geometry has no coordinates."], response.json()
