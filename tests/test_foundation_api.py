import pytest
from django.urls import reverse

from projects.core.models import ChangeRecord, Corridor, Division, Organization, Province

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = ["provinces", "divisions", "corridors", "key-areas", "organizations"]


@pytest.mark.parametrize("name", [*LIST_ENDPOINTS, "me"])
def test_anonymous_requests_are_refused_with_401(anonymous_client, name):
    url = f"/api/v1/{name}/"
    response = anonymous_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/schema/", "/api/v1/docs/"])
def test_api_root_schema_and_docs_need_a_sign_in(anonymous_client, url):
    assert anonymous_client.get(url).status_code == 401


def test_token_login_then_read(anonymous_client, sc_staff):
    response = anonymous_client.post(
        "/api/v1/auth/token/", {"username": "sc_staff", "password": "tracker-demo"}, format="json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("trk_") and response.json()["prefix"] in token
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anonymous_client.get("/api/v1/me/").json()
    assert me["username"] == "sc_staff"
    assert me["organization"]["province"] == "510000"


def test_token_login_with_a_wrong_password_is_a_401_with_a_message(anonymous_client, sc_staff):
    response = anonymous_client.post(
        "/api/v1/auth/token/", {"username": "sc_staff", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_provinces_carry_codes_both_names_and_geojson_outlines(api):
    body = api.get("/api/v1/provinces/").json()
    by_code = {item["code"]: item for item in body["results"]}
    assert set(by_code) == {"500000", "510000", "520000"}
    assert by_code["510000"]["name_zh"] == "四川省"
    assert by_code["510000"]["name_en"] == "Sichuan"
    assert by_code["500000"]["outline"]["type"] == "MultiPolygon"


def test_corridors_have_slugs_provinces_and_centrelines_where_the_data_has_them(api):
    body = api.get("/api/v1/corridors/", {"page_size": 20}).json()
    by_slug = {item["slug"]: item for item in body["results"]}
    assert set(by_slug) == {"yangtze", "jialing", "wu", "min", "fu", "tuo", "chishui"}
    assert by_slug["jialing"]["centreline"]["type"] == "MultiLineString"
    assert by_slug["fu"]["centreline"] is None
    assert by_slug["chishui"]["centreline"] is None
    assert by_slug["chishui"]["is_six_rivers"] is False
    assert {p["code"] for p in by_slug["wu"]["provinces"]} == {"500000", "520000"}


def test_corridor_filter_by_province_code(api):
    body = api.get("/api/v1/corridors/", {"province": "520000"}).json()
    assert {item["slug"] for item in body["results"]} == {"wu", "chishui"}


def test_divisions_filter_search_order_and_paginate(api):
    body = api.get("/api/v1/divisions/", {"province": "500000", "page_size": 10, "ordering": "-code"}).json()
    assert body["count"] == 38
    assert len(body["results"]) == 10
    codes = [item["code"] for item in body["results"]]
    assert codes == sorted(codes, reverse=True)
    assert api.get("/api/v1/divisions/", {"search": "万州"}).json()["results"][0]["code"] == "500101"


def test_adjacent_areas_are_marked_on_both_sides_of_the_border(api):
    body = api.get("/api/v1/divisions/", {"is_adjacent_area": "true", "page_size": 100}).json()
    provinces = {item["province"]["code"] for item in body["results"]}
    assert provinces == {"510000", "500000"}
    assert "511600" in {item["code"] for item in body["results"]}  # 广安市


def test_key_areas_include_qinba(api):
    body = api.get("/api/v1/key-areas/").json()
    qinba = next(item for item in body["results"] if item["slug"] == "qinba")
    assert qinba["name_zh"] == "秦巴山区"
    assert {p["code"] for p in qinba["provinces"]} == {"510000", "500000"}


def test_required_organizations_exist_with_their_provinces(api):
    body = api.get("/api/v1/organizations/", {"page_size": 100}).json()
    by_name = {item["name_zh"]: item for item in body["results"]}
    assert by_name["重庆市规划和自然资源局"]["province"]["code"] == "500000"
    assert by_name["四川省自然资源厅"]["province"]["code"] == "510000"
    assert by_name["贵州省自然资源厅"]["province"]["code"] == "520000"
    assert by_name["川渝国土空间生态修复共建联席会议办公室"]["province"] is None


def test_records_are_addressed_by_stable_uuid(api):
    corridor = Corridor.objects.get(slug="jialing")
    response = api.get(f"/api/v1/corridors/{corridor.id}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(corridor.id)


def test_reference_api_is_read_only(client_for, joint_office):
    response = client_for(joint_office).post("/api/v1/provinces/", {"code": "123456"}, format="json")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # count + page
        ("provinces", 2),
        # count + page with province and parent joined + corridors
        ("divisions", 3),
        # count + page + provinces prefetched
        ("corridors", 3),
        ("key-areas", 3),
        ("organizations", 2),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(api, django_assert_num_queries, name, queries):
    with django_assert_num_queries(queries):
        response = api.get(f"/api/v1/{name}/", {"page_size": 100})
    assert response.status_code == 200


def test_reloading_reference_data_changes_nothing_and_keeps_ids(django_db_blocker):
    from django.core.management import call_command

    ids = {d.code: d.id for d in Division.objects.all()}
    history = ChangeRecord.objects.count()
    call_command("load_reference", verbosity=0)
    assert {d.code: d.id for d in Division.objects.all()} == ids
    assert ChangeRecord.objects.count() == history
    assert Province.objects.count() == 3
    assert Organization.objects.filter(slug="joint-office").count() == 1


def test_api_schema_is_openapi_3_and_swagger_assets_are_local(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    # The page's script (a separate file, as the Content-Security-Policy allows no inline script)
    # reads the tracker's own schema.
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = api.get("/api/v1/docs/", {"script": ""}).content.decode()
    assert reverse("api-schema") in script
