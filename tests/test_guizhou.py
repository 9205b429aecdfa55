"""Guizhou's prefecture-level divisions, and the divisions along 乌江 and 赤水河 where it cooperates."""

import pytest

from projects.core.models import Division

pytestmark = pytest.mark.django_db

GUIZHOU = {
    "520100": "贵阳市",
    "520200": "六盘水市",
    "520300": "遵义市",
    "520400": "安顺市",
    "520500": "毕节市",
    "520600": "铜仁市",
    "522300": "黔西南布依族苗族自治州",
    "522600": "黔东南苗族侗族自治州",
    "522700": "黔南布依族苗族自治州",
}


def test_guizhou_has_its_nine_prefecture_level_divisions_with_gb_t_2260_codes(api):
    body = api.get("/api/v1/divisions/", {"province": "520000", "page_size": 50}).json()
    assert {row["code"]: row["name_zh"] for row in body["results"]} == GUIZHOU
    assert {row["level"] for row in body["results"]} == {"prefecture"}
    assert all(row["name_en"] for row in body["results"])


def test_divisions_along_the_wu_and_the_chishui_are_flagged(api):
    wu = {row["code"] for row in api.get("/api/v1/divisions/", {"corridor": "wu", "page_size": 50}).json()["results"]}
    assert wu == {"520100", "520200", "520300", "520400", "520500", "520600", "522700",
                  "500242", "500243", "500156", "500102"}  # fmt: skip
    chishui = api.get("/api/v1/divisions/", {"corridor": "chishui"}).json()["results"]
    assert {row["code"] for row in chishui} == {"520300", "520500", "510500"}
    zunyi = next(row for row in chishui if row["code"] == "520300")
    assert {c["slug"] for c in zunyi["corridors"]} == {"wu", "chishui"}
    # Draining to the Pearl River and the Yuan: not along either.
    assert not Division.objects.get(code="522300").corridors.exists()
    assert not Division.objects.get(code="522600").corridors.exists()
    # The Sichuan–Chongqing border flag is another matter.
    assert not Division.objects.filter(province__code="520000", is_adjacent_area=True).exists()


def test_a_flag_added_in_the_admin_survives_reloading(django_db_blocker):
    from django.core.management import call_command

    from projects.core.models import Corridor

    Division.objects.get(code="522600").corridors.add(Corridor.objects.get(slug="wu"))
    call_command("load_reference", verbosity=0)
    assert Division.objects.get(code="522600").corridors.filter(slug="wu").exists()
