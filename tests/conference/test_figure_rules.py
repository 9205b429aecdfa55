"""The corridor plan's progress and the annual plan's execution add indicators up as the catalogue says.

Hand-computed: three projects on the Jialing corridor report in 2022.

=========  ===============================  =============  ===============  ==============  =======
project    restored area (derived)          shoreline      natural ratio    vegetation      species
=========  ===============================  =============  ===============  ==============  =======
A          forest 20 + 10, wetland 5 = 35   3 km recorded  70 then **80**   60, 70 → **65**  40 → 45
B          farmland 15 = 15                 1 km recorded  60               90              30
C          —                                none           50               —               —
=========  ===============================  =============  ===============  ==============  =======

* restored area, added up: 35 + 15 = **50**
* natural shoreline ratio, latest over time, mean weighted by shoreline length:
  (80 × 3 + 60 × 1) ÷ 4 = **75** (C has no recorded shoreline: left out). Summed it was 190.
* vegetation cover, average over time, mean weighted by restored area:
  (65 × 35 + 90 × 15) ÷ 50 = **72.5** (averaged without weights it was 77.5).
* species recorded: not additive, listed per project.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.core.cache import caches

from projects.conference.choices import PlanStatus
from projects.conference.execution import corridor_progress, plan_execution
from projects.conference.models import CorridorPlan, CorridorTarget
from projects.core.models import Corridor, Province
from projects.restoration.models import ShorelineSegment
from tests.conference.factories import AnnualPlanFactory, PlanItemFactory, ProjectFactory, cq_project, indicator, report

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2022, 12, 31)


def stretch(project, length_m, state, bank="left", surveyed_on=datetime.date(2022, 5, 1), province="510000"):
    """A recorded segment of a given measured length (the rule reads the length, not the line)."""
    n = ShorelineSegment.objects.count()
    return ShorelineSegment.objects.create(
        corridor=Corridor.objects.get(slug="jialing"),
        province=Province.objects.get(code=province),
        bank=bank,
        state=state,
        geometry=LineString((106.0 + n * 0.01, 30.0), (106.005 + n * 0.01, 30.0), srid=4326),
        length_m=Decimal(length_m),
        project=project,
        surveyed_on=surveyed_on,
    )


@pytest.fixture
def jialing():
    targets = {"restored-area": "100", "natural-shoreline-ratio": "80", "vegetation-cover": "70"}
    a = ProjectFactory(targets={**targets, "species-recorded": "50"})
    b = cq_project(targets=targets)
    c = ProjectFactory(targets={"natural-shoreline-ratio": "80"})
    report(a, "2022-03", "100", {"forest-restored-area": "20", "natural-shoreline-ratio": "70",
                                 "vegetation-cover": "60", "species-recorded": "40"})  # fmt: skip
    report(a, "2022-09", "200", {"forest-restored-area": "10", "wetland-restored-area": "5",
                                 "natural-shoreline-ratio": "80", "vegetation-cover": "70",
                                 "species-recorded": "45"})  # fmt: skip
    report(b, "2022-06", "100", {"farmland-restored-area": "15", "natural-shoreline-ratio": "60",
                                 "vegetation-cover": "90", "species-recorded": "30"})  # fmt: skip
    report(c, "2022-06", "100", {"natural-shoreline-ratio": "50"})
    stretch(a, "2000", "natural")
    stretch(a, "1000", "hardened")
    stretch(b, "1000", "restored", bank="right", province="500000")
    stretch(None, "4000", "natural", bank="right")
    stretch(None, "5000", "hardened", surveyed_on=datetime.date(2023, 3, 1))  # after the date asked for
    return a, b, c


def corridor_targets(**values):
    plan = CorridorPlan.objects.get(slug="six-rivers-2021-2035")
    for code, value in values.items():
        CorridorTarget.objects.create(
            plan=plan, corridor=Corridor.objects.get(slug="jialing"), indicator=indicator(code), year=2035,
            target_value=Decimal(value),
        )  # fmt: skip
    return plan


def test_corridor_progress_combines_each_indicator_by_its_rule(jialing):
    a, b, c = jialing
    plan = corridor_targets(
        **{"restored-area": "500", "natural-shoreline-ratio": "80", "vegetation-cover": "75", "species-recorded": "100"}
    )
    [corridor] = corridor_progress(corridor_plan=plan, as_of=AS_OF)["corridors"]
    rows = {row["indicator"]: row for row in corridor["indicators"]}

    area = rows["restored-area"]
    assert (area["rule"], area["achieved"], area["remaining"], area["share_achieved"]) == (
        "sum", "50.000", "450.000", "0.100"
    )  # fmt: skip
    assert {p["project"]: p["figure"] for p in area["projects"]} == {a.code: "35.000", b.code: "15.000"}

    ratio = rows["natural-shoreline-ratio"]
    assert ratio["rule"] == "weighted_mean:shoreline_length"
    assert ratio["achieved"] == "75.000" and ratio["remaining"] == "5.000"
    assert {p["project"]: (p["figure"], p["weight"]) for p in ratio["projects"]} == {
        a.code: ("80.000", "3.000"),
        b.code: ("60.000", "1.000"),
    }
    assert ratio["left_out"] == [c.code]

    cover = rows["vegetation-cover"]
    assert cover["rule"] == "weighted_mean:restored_area"
    assert cover["achieved"] == "72.500"

    species = rows["species-recorded"]
    assert species["rule"] == "per_project" and species["achieved"] is None and species["remaining"] is None
    assert {p["project"]: p["figure"] for p in species["projects"]} == {a.code: "45.000", b.code: "30.000"}


def test_corridor_progress_shows_the_recorded_shoreline_length_weighted(jialing):
    plan = corridor_targets(**{"restored-area": "500"})
    [corridor] = corridor_progress(corridor_plan=plan, as_of=AS_OF)["corridors"]
    shore = corridor["shoreline"]
    # Surveyed by the end of 2022: natural 2 + 4, restored 1, hardened 1 (the 2023 survey is not yet known).
    assert shore["segments"] == 4 and shore["surveyed_to"] == datetime.date(2022, 5, 1)
    assert (shore["natural_km"], shore["restored_km"], shore["hardened_km"], shore["total_km"]) == (
        "6.000", "1.000", "1.000", "8.000"
    )  # fmt: skip
    assert shore["natural_ratio"] == "75.000"  # 6 ÷ 8
    assert shore["natural_or_restored_ratio"] == "87.500"  # 7 ÷ 8
    assert shore["by_bank"]["left"]["natural_ratio"] == "66.667"  # 2 ÷ 3, rounded half up for display
    assert shore["by_bank"]["right"]["natural_ratio"] == "80.000"  # 4 ÷ 5
    later = corridor_progress(corridor_plan=plan, as_of=datetime.date(2023, 6, 30))["corridors"][0]["shoreline"]
    assert later["hardened_km"] == "6.000" and later["natural_ratio"] == "46.154"  # 6 ÷ 13


def test_the_corridor_plan_area_target_is_met_by_element_areas_not_a_reported_restored_area(jialing):
    a, *_ = jialing
    # A value stored on the derived indicator (before it was derived) is ignored.
    report(a, "2022-11", "210", {"restored-area": "999"})
    plan = corridor_targets(**{"restored-area": "50"})
    [corridor] = corridor_progress(corridor_plan=plan, as_of=AS_OF)["corridors"]
    [area] = corridor["indicators"]
    assert area["achieved"] == "50.000" and area["remaining"] == "0.000" and area["share_achieved"] == "1.000"


def test_plan_execution_groups_combine_planned_and_actual_by_each_rule(jialing):
    a, b, c = jialing
    plan = AnnualPlanFactory(year=2022, status=PlanStatus.APPROVED)
    targets_a = {"restored-area": "40", "natural-shoreline-ratio": "85", "vegetation-cover": "70",
                 "species-recorded": "50"}  # fmt: skip
    PlanItemFactory(plan=plan, project=a, parts={"funding": {"central": "100"}, "targets": targets_a})
    targets_b = {"restored-area": "20", "natural-shoreline-ratio": "65", "vegetation-cover": "80"}
    PlanItemFactory(plan=plan, project=b, parts={"funding": {"central": "100"}, "targets": targets_b})
    PlanItemFactory(
        plan=plan, project=c, parts={"funding": {"central": "100"}, "targets": {"natural-shoreline-ratio": "60"}}
    )
    result = plan_execution(plan=plan, as_of=AS_OF)

    item_a = next(row for row in result["items"] if row["project"]["code"] == a.code)
    assert {t["indicator"]: t["actual"] for t in item_a["targets"]}["restored-area"] == "35.000"

    [jialing_group] = result["by_corridor"]
    rows = {row["indicator"]: row for row in jialing_group["indicators"]}
    assert (rows["restored-area"]["planned"], rows["restored-area"]["actual"]) == ("60.000", "50.000")
    assert rows["restored-area"]["rate"] == "0.833"  # 50 ÷ 60
    # (85 × 3 + 65 × 1) ÷ 4 = 80 planned; 75 actual; 75 ÷ 80 = 0.9375, shown half up. C: no shoreline.
    ratio = rows["natural-shoreline-ratio"]
    assert (ratio["planned"], ratio["actual"], ratio["rate"]) == ("80.000", "75.000", "0.938")
    assert ratio["left_out"] == [c.code]
    # (70 × 35 + 80 × 15) ÷ 50 = 73 planned; 72.5 actual.
    cover = rows["vegetation-cover"]
    assert (cover["planned"], cover["actual"], cover["rule"]) == ("73.000", "72.500", "weighted_mean:restored_area")
    assert rows["species-recorded"]["planned"] is None and rows["species-recorded"]["rule"] == "per_project"
    assert result["totals"]["indicators"] == jialing_group["indicators"]
    by_province = {group["province"]: group for group in result["by_province"]}
    sichuan = {row["indicator"]: row for row in by_province["510000"]["indicators"]}
    assert sichuan["natural-shoreline-ratio"]["actual"] == "80.000"  # only A has recorded shoreline
    assert sichuan["natural-shoreline-ratio"]["left_out"] == [c.code]


def test_a_rate_exactly_on_the_tolerance_is_not_behind(jialing):
    """Compared exactly: at the end of the year an item at exactly 90 % of its plan is not behind."""
    a, *_ = jialing
    plan = AnnualPlanFactory(year=2022, status=PlanStatus.APPROVED)
    PlanItemFactory(
        plan=plan, project=a, parts={"funding": {"central": "222.22"}, "targets": {"restored-area": "38.889"}}
    )
    # Invested over 2022: 200 of 222.22 (0.90000900…): on track. Restored 35 of 38.889 (0.899997…): behind.
    [row] = plan_execution(plan=plan, as_of=AS_OF)["items"]
    assert row["investment_rate"] == "0.900" and row["targets"][0]["rate"] == "0.900"
    assert row["behind_reasons"] == ["indicator:restored-area"]


def test_corridor_progress_answers_at_a_fixed_number_of_queries(api, jialing, django_assert_num_queries):
    plan = corridor_targets(**{"restored-area": "500", "natural-shoreline-ratio": "80", "vegetation-cover": "75"})
    url = f"/api/v1/corridor-plans/{plan.pk}/progress/"
    # the plan (3, with its prefetches), the last change's position, targets, projects, catalogue 2,
    # figures 2, annual plan, shoreline, weights: shoreline lengths 1 and restored area 2
    with django_assert_num_queries(15):
        assert api.get(url, {"as_of": "2022-12-31"}).status_code == 200
    for _ in range(3):
        project = ProjectFactory(targets={"natural-shoreline-ratio": "80"})
        report(project, "2022-04", "10", {"natural-shoreline-ratio": "65", "forest-restored-area": "3"})
        stretch(project, "500", "natural")
    caches["representations"].clear()  # the factories wrote without the services' change records
    with django_assert_num_queries(15):
        computed = api.get(url, {"as_of": "2022-12-31"}).json()
    with django_assert_num_queries(4):  # the plan and the last change's position: nothing changed since
        assert api.get(url, {"as_of": "2022-12-31"}).json() == computed
