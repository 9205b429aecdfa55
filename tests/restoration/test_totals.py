"""Province and corridor totals: every indicator combined across projects by its rule.

Hand-computed. Reports (accepted unless said):

=====  ===========================  ======================================  ==================  ==========
proj.  provinces, corridors         areas (ha)                              natural ratio        vegetation
=====  ===========================  ======================================  ==================  ==========
P1     川; 嘉陵江                    forest 10 (2023-06), forest 20 (2024-03)  70 (03), **90** (09)   60, 80 → 70
P2     川 + 渝; 嘉陵江, 长江          wetland 30 (2024-06)                     50                   40
P3     渝; 长江                      farmland 5 (2024-05); a draft of 100     —                    —
=====  ===========================  ======================================  ==================  ==========

Recorded shoreline: P1 3 km, P2 1 km. In 2024, for Sichuan (P1, P2):

* restored area, added up: 20 + 30 = 50 (P1's 2023 forest is another year);
* natural shoreline ratio, weighted by shoreline length: (90 × 3 + 50 × 1) ÷ 4 = 80;
* vegetation cover, weighted by restored area to the end of 2024: (70 × 30 + 40 × 30) ÷ 60 = 55.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.core.cache import caches
from django.db import connection

from projects.core.models import Corridor, Province
from projects.restoration.models import Indicator, ShorelineSegment
from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/totals/"


def reported(project, period, values, status="accepted"):
    report = ReportFactory(project=project, period=period, status=status)
    for code, value in values.items():
        report.values.create(indicator=Indicator.objects.get(code=code), value=Decimal(value))


def on(project, *slugs):
    project.corridors.set(Corridor.objects.filter(slug__in=slugs))
    return project


def stretch(project, corridor, province, length_m, state, bank="left"):
    n = ShorelineSegment.objects.count()
    ShorelineSegment.objects.create(
        corridor=Corridor.objects.get(slug=corridor),
        province=Province.objects.get(code=province),
        bank=bank,
        state=state,
        geometry=LineString((106.0 + n * 0.01, 30.0), (106.005 + n * 0.01, 30.0), srid=4326),
        length_m=Decimal(length_m),
        project=project,
        surveyed_on=datetime.date(2024, 1, 10),
    )


@pytest.fixture
def projects():
    p1 = on(ProjectFactory(code="SC-2023-0001"), "jialing")
    p2 = on(ProjectFactory(code="SC-2023-0002", partners=[org("cq-planning-natural-resources")]), "jialing", "yangtze")
    p3 = on(ProjectFactory(code="CQ-2023-0003", lead_organization=org("cq-planning-natural-resources")), "yangtze")
    reported(p1, "2023-06", {"forest-restored-area": "10"})
    reported(p1, "2024-03", {"forest-restored-area": "20", "natural-shoreline-ratio": "70", "vegetation-cover": "60"})
    reported(p1, "2024-09", {"natural-shoreline-ratio": "90", "vegetation-cover": "80", "species-recorded": "40"})
    reported(p2, "2024-06", {"wetland-restored-area": "30", "natural-shoreline-ratio": "50",
                             "vegetation-cover": "40", "species-recorded": "20"})  # fmt: skip
    reported(p3, "2024-05", {"farmland-restored-area": "5"})
    reported(p3, "2024-06", {"farmland-restored-area": "100"}, status="draft")
    stretch(p1, "jialing", "510000", "3000", "natural")
    stretch(p2, "jialing", "500000", "1000", "hardened", bank="right")
    stretch(None, "yangtze", "500000", "2000", "natural")
    return p1, p2, p3


def rows(group):
    return {row["indicator"]: row for row in group["indicators"]}


def test_province_totals_of_a_year_follow_each_indicators_rule(api, projects):
    body = api.get(URL, {"by": "province", "year": 2024}).json()
    assert (body["start"], body["end"]) == ("2024-01-01", "2024-12-31")
    groups = {group["province"]["code"]: group for group in body["groups"]}
    sichuan, chongqing = rows(groups["510000"]), rows(groups["500000"])

    assert sichuan["restored-area"]["value"] == "50.000" and sichuan["restored-area"]["rule"] == "sum"
    assert sichuan["natural-shoreline-ratio"]["value"] == "80.000"
    assert sichuan["vegetation-cover"]["value"] == "55.000"
    assert sichuan["species-recorded"]["value"] is None and sichuan["species-recorded"]["rule"] == "per_project"
    assert sichuan["species-recorded"]["projects"] == 2
    # A cross-regional project counts in full in each province taking part.
    assert chongqing["restored-area"]["value"] == "35.000"  # P2 30 + P3 5; P3's draft does not count
    assert chongqing["natural-shoreline-ratio"]["value"] == "50.000"  # P2 alone
    assert groups["500000"]["projects"] == 2 and groups["510000"]["projects"] == 2

    everything = rows(body["all"])
    assert everything["restored-area"]["value"] == "55.000"  # each project once
    assert everything["natural-shoreline-ratio"]["value"] == "80.000"
    assert body["all"]["projects"] == 3

    # The shoreline each province keeps: Sichuan 3 km natural; Chongqing 2 natural of 3.
    assert groups["510000"]["shoreline"]["natural_ratio"] == "100.000"
    assert groups["500000"]["shoreline"]["natural_ratio"] == "66.667"


def test_totals_without_a_year_count_every_report_to_date(api, projects):
    body = api.get(URL, {"by": "province"}).json()
    sichuan = rows(next(g for g in body["groups"] if g["province"]["code"] == "510000"))
    assert sichuan["restored-area"]["value"] == "60.000"  # P1 10 + 20, P2 30


def test_corridor_totals_and_the_projects_behind_each_figure(api, projects):
    p1, p2, _p3 = projects
    ProjectFactory(code="SC-2023-0009")  # on no corridor, nothing reported
    body = api.get(URL, {"by": "corridor", "year": 2024, "detail": "true"}).json()
    groups = {(g["corridor"] or {}).get("slug"): g for g in body["groups"]}
    assert set(groups) == {"jialing", "yangtze", None}
    jialing, yangtze = rows(groups["jialing"]), rows(groups["yangtze"])
    assert jialing["natural-shoreline-ratio"]["value"] == "80.000"
    assert {c["project"]: (c["figure"], c["weight"]) for c in jialing["natural-shoreline-ratio"]["contributions"]} == {
        p1.code: ("90.000", "3.000"),
        p2.code: ("50.000", "1.000"),
    }
    assert yangtze["restored-area"]["value"] == "35.000"
    assert yangtze["vegetation-cover"]["value"] == "40.000"
    assert groups[None]["projects"] == 0 and groups[None]["indicators"] == []
    assert groups["jialing"]["shoreline"]["natural_ratio"] == "75.000"  # 3 natural of 4


def test_bad_questions_are_a_400(api):
    assert api.get(URL, {"by": "county"}).status_code == 400
    assert api.get(URL, {"by": "province", "year": "last"}).status_code == 400
    assert api.get(URL).status_code == 400


def test_totals_run_a_fixed_number_of_queries(api, projects, django_assert_num_queries):
    # PostgreSQL combines in the database: the last change's position 1, catalogue 2, groups 1,
    # the figures of every group 1, shoreline 1. SQLite in Python: the last change's position 1,
    # catalogue 2, groups 1, codes 1, figures 2, restored-area weights 2, shoreline lengths 1, shoreline 1.
    queries = 6 if connection.vendor == "postgresql" else 11
    with django_assert_num_queries(queries):
        api.get(URL, {"by": "province", "year": 2024})
    for n in range(3):
        project = on(ProjectFactory(code=f"SC-2023-01{n:02d}"), "tuo")
        reported(project, "2024-02", {"forest-restored-area": "1", "natural-shoreline-ratio": "60"})
    caches["representations"].clear()  # the factories wrote without the services' change records
    with django_assert_num_queries(queries):
        computed = api.get(URL, {"by": "province", "year": 2024}).json()
    with django_assert_num_queries(1):  # nothing changed since: the figures kept, by the last change
        assert api.get(URL, {"by": "province", "year": 2024}).json() == computed
