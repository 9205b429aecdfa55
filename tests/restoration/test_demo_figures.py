"""The demo draws real shapes near the places it names, records the corridors' shoreline, and its
corridor figures add up: restored area from element areas, ratios weighted, carbon on every river."""

import datetime
from decimal import Decimal

import pytest

from projects.compensation.selectors import sequestration_path
from projects.conference import demo as conference_demo
from projects.conference.execution import corridor_progress
from projects.conference.models import CorridorPlan
from projects.core.demo import load_users
from projects.core.measure import gauss_kruger_srid
from projects.core.models import Corridor, Organization
from projects.restoration import demo
from projects.restoration.models import IndicatorValue, Project, ShorelineSegment
from projects.restoration.selectors import RESTORED_AREA, shown

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def test_the_demo_shows_shapes_shoreline_and_figures_that_add_up():
    """One load of the demo (about 20 s), then each thing the issue asks it to show."""
    load_users()
    demo.load(today=TODAY)
    conference_demo.load(today=TODAY)
    projects_are_drawn_as_lines_and_zones_near_their_rivers()
    corridor_figures_add_up()
    the_carbon_path_shows_the_yangtze_jialing_and_fu()
    guizhou_organizations_take_part_in_the_wu_and_chishui_projects()
    the_corridors_shoreline_is_recorded_and_rerunning_adds_nothing()


def _metres_apart(geometry, line) -> float:
    srid = gauss_kruger_srid(geometry.centroid.x)
    return geometry.transform(srid, clone=True).distance(line.transform(srid, clone=True))


def projects_are_drawn_as_lines_and_zones_near_their_rivers():
    projects = {p.code: p for p in Project.objects.all()}
    assert set(demo.SHAPES) <= set(projects)
    for code, project in projects.items():
        assert project.geometry.geom_type != "Point", code
        assert project.extent_length_km or project.extent_area_ha, code
    # A buffer zone is a polygon along both banks, an isolation belt a line with its zone beside it.
    assert projects["CQ-2021-0001"].geometry.geom_type == "MultiPolygon"
    belt = projects["CQ-2021-0002"]
    assert belt.geometry.geom_type == "GeometryCollection"
    assert belt.extent_length_km > 5 and belt.extent_area_ha > 100
    # Drawn along the real river they name (Natural Earth centrelines, within 2 km).
    for code, slug in (("CQ-2021-0001", "yangtze"), ("SC-2021-0001", "jialing"), ("CQ-2022-0004", "wu")):
        centreline = Corridor.objects.get(slug=slug).centreline
        assert _metres_apart(projects[code].geometry, centreline) < 2000, code


def the_corridors_shoreline_is_recorded_and_rerunning_adds_nothing():
    recorded = set(ShorelineSegment.objects.values_list("corridor__slug", flat=True))
    assert recorded == {"yangtze", "jialing", "wu", "min", "tuo"}  # 涪江 has no public centreline
    for segment in ShorelineSegment.objects.select_related("corridor"):
        assert segment.corridor.provinces.filter(pk=segment.province_id).exists()
        assert segment.length_m > 0
    count = ShorelineSegment.objects.count()
    demo.load(today=TODAY)
    assert ShorelineSegment.objects.count() == count


def corridor_figures_add_up():
    plan = CorridorPlan.objects.get(slug="six-rivers-2021-2035")
    body = corridor_progress(corridor_plan=plan, as_of=TODAY)
    corridors = {c["corridor"]: c for c in body["corridors"]}
    assert set(corridors) == {"yangtze", "jialing", "wu", "min", "fu", "tuo"}
    for slug, corridor in corridors.items():
        rows = {row["indicator"]: row for row in corridor["indicators"]}
        assert Decimal(rows[RESTORED_AREA]["achieved"]) > 0, slug  # 0.000 on every corridor before
        ratio = rows["natural-shoreline-ratio"]["achieved"]
        assert ratio is None or Decimal(ratio) <= 100, slug
    # The Jialing's ratio, recomputed: each project's latest reported ratio, weighted by the length of
    # the shoreline recorded for it (two projects report it; added up it was over 140 %).
    jialing = {row["indicator"]: row for row in corridors["jialing"]["indicators"]}["natural-shoreline-ratio"]
    numerator = weights = Decimal(0)
    for project in Project.objects.filter(corridors__slug="jialing"):
        latest = (
            IndicatorValue.objects.filter(
                report__project=project,
                report__status__in=["submitted", "accepted"],
                indicator__code="natural-shoreline-ratio",
            )
            .order_by("-report__period_end")
            .first()
        )
        if latest is None:
            continue
        length = sum(s.length_m for s in project.shoreline_segments.all()) / 1000
        numerator += latest.value * length
        weights += length
    assert len(jialing["projects"]) == 2
    assert jialing["achieved"] == shown(numerator / weights)
    assert corridors["jialing"]["shoreline"]["natural_ratio"] is not None


def the_carbon_path_shows_the_yangtze_jialing_and_fu():
    path = sequestration_path(years=[2026])
    for slug in ("yangtze", "jialing", "fu"):
        assert Decimal(path["by_corridor"][slug][2026]) > 0, slug


def guizhou_organizations_take_part_in_the_wu_and_chishui_projects():
    zunyi = Organization.objects.get(slug="zunyi-natural-resources")
    tongren = Organization.objects.get(slug="tongren-natural-resources")
    assert zunyi.province.code == tongren.province.code == "520000"
    assert Project.objects.get(code="CQ-2022-0004").partner_organizations.filter(pk=tongren.pk).exists()
    assert Project.objects.get(code="SC-2024-0006").partner_organizations.filter(pk=zunyi.pk).exists()
    assert set(Project.objects.get(code="SC-2024-0006").divisions.values_list("code", flat=True)) >= {"520300"}
