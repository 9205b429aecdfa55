"""Plan execution (planned against actual) and the corridors' path toward the long-range targets."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.cache import caches

from projects.conference.choices import PlanStatus
from projects.conference.execution import plan_execution, year_share
from projects.conference.models import CorridorPlan, CorridorTarget
from projects.restoration.choices import ReportStatus
from tests.conference.factories import (
    AnnualPlanFactory,
    PlanItemFactory,
    ProjectFactory,
    cq_project,
    indicator,
    report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_2022():
    plan = AnnualPlanFactory(year=2022, status=PlanStatus.APPROVED)
    on_track = PlanItemFactory(
        plan=plan,
        parts={
            "funding": {"central": "100"},
            "targets": {"restored-area": "40"},
            "milestones": {"设计": datetime.date(2022, 3, 31)},
        },
    )
    behind = PlanItemFactory(plan=plan, project=cq_project(corridors=["yangtze"]))
    # on track: 2021 ended at 500; by June 2022 it is at 560 (60 of 100 planned) with 25 ha of 40.
    # Restored area is derived from the areas per ecosystem type the project reports.
    report(on_track.project, "2021-12", "500", {"forest-restored-area": "30"})
    report(on_track.project, "2022-03", "530", {"forest-restored-area": "10"})
    report(on_track.project, "2022-06", "560", {"forest-restored-area": "5", "wetland-restored-area": "10"})
    report(
        on_track.project, "2022-07", "900", {"forest-restored-area": "500"}, status=ReportStatus.DRAFT
    )  # not counted
    on_track.milestones.update(done_on=datetime.date(2022, 3, 30))
    # behind: 10 of 100 invested, nothing restored.
    report(behind.project, "2022-05", "10")
    return plan, on_track, behind


def test_year_share():
    assert year_share(2022, datetime.date(2021, 12, 31)) == 0
    assert year_share(2022, datetime.date(2022, 12, 31)) == 1
    assert year_share(2022, datetime.date(2022, 7, 2)) == Fraction(183, 365)  # exact; shown as 0.501


def test_planned_against_actual_per_item_corridor_and_province(approved_2022):
    plan, on_track, behind = approved_2022
    result = plan_execution(plan=plan, as_of=datetime.date(2022, 6, 30))
    rows = {row["project"]["code"]: row for row in result["items"]}
    good = rows[on_track.project.code]
    assert good["actual_investment"] == "60.00"  # growth over the year, not the cumulative 560
    assert good["targets"][0] == {
        "indicator": "restored-area",
        "name": indicator().name,
        "unit": "ha",
        "planned": "40.000",
        "actual": "25.000",
        "rate": "0.625",
    }
    assert good["behind"] is False
    late = rows[behind.project.code]
    assert late["behind"] is True
    assert late["behind_reasons"] == ["investment", "indicator:restored-area"]
    assert result["behind"] == [behind.project.code]
    assert result["totals"]["planned_investment"] == "200.00"
    assert result["totals"]["actual_investment"] == "70.00"
    by_corridor = {group["corridor"]: group for group in result["by_corridor"]}
    assert by_corridor["jialing"]["actual_investment"] == "60.00"
    assert by_corridor["yangtze"]["behind"] == 1
    by_province = {group["province"]: group for group in result["by_province"]}
    assert by_province["500000"]["items"] == 1 and by_province["510000"]["items"] == 1


def test_an_undone_milestone_past_its_date_puts_an_item_behind(approved_2022):
    plan, on_track, _behind = approved_2022
    on_track.milestones.update(done_on=None)
    result = plan_execution(plan=plan, as_of=datetime.date(2022, 6, 30))
    row = next(r for r in result["items"] if r["project"]["code"] == on_track.project.code)
    assert row["behind_reasons"] == ["milestone:设计"]


def test_the_execution_endpoint_answers_at_a_fixed_number_of_queries(api, approved_2022, django_assert_num_queries):
    plan, *_ = approved_2022
    url = f"/api/v1/annual-plans/{plan.pk}/execution/"
    # 16: the last change's position, and the catalogue of indicators (2) read once so every
    # figure adds up by its rules.
    with django_assert_num_queries(16):
        first = api.get(url, {"as_of": "2022-06-30"})
    for _ in range(3):
        PlanItemFactory(plan=plan, project=ProjectFactory(corridors=["min", "tuo"]))
    caches["representations"].clear()  # the factories wrote without the services' change records
    with django_assert_num_queries(16):
        second = api.get(url, {"as_of": "2022-06-30"})
    # The plan (4, with its prefetches) and the last change's position: nothing changed since.
    with django_assert_num_queries(5):
        assert api.get(url, {"as_of": "2022-06-30"}).json() == second.json()
    assert len(second.json()["items"]) == len(first.json()["items"]) + 3
    assert api.get(url, {"as_of": "June"}).status_code == 400


def test_corridors_roll_up_achieved_planned_this_year_and_remaining(api, approved_2022):
    _plan, on_track, _behind = approved_2022
    corridor_plan = CorridorPlan.objects.get(slug="six-rivers-2021-2035")
    for year, value in ((2025, "100"), (2030, "300"), (2035, "500")):
        CorridorTarget.objects.create(
            plan=corridor_plan,
            corridor=on_track.project.corridors.get(),
            indicator=indicator(),
            year=year,
            target_value=Decimal(value),
        )
    body = api.get(f"/api/v1/corridor-plans/{corridor_plan.pk}/progress/", {"as_of": "2022-06-30"}).json()
    assert body["annual_plan"]["year"] == 2022
    [jialing] = body["corridors"]
    assert jialing["corridor"] == "jialing"
    [restored] = jialing["indicators"]
    assert restored["targets"] == {"2025": "100.000", "2030": "300.000", "2035": "500.000"}
    assert restored["achieved"] == "55.000"  # forest 30 + 10 + 5, wetland 10, since 2021
    assert restored["planned_this_year"] == "40.000"
    assert restored["remaining"] == "445.000"
    # In 2023 there is no approved plan yet: nothing planned to show.
    later = api.get(f"/api/v1/corridor-plans/{corridor_plan.pk}/progress/", {"as_of": "2023-01-31"}).json()
    assert later["corridors"][0]["indicators"][0]["planned_this_year"] is None


def test_a_plan_computed_in_both_languages_reads_its_items_and_figures_once(approved_2022):
    """``inputs_shared`` (the warm-up): the second language names what the first read, and the
    answers are those computed apart."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from projects.conference.execution import inputs_shared

    plan, _on_track, _behind = approved_2022
    as_of = datetime.date(2022, 6, 30)
    apart = {}
    for language in ("zh-hans", "en"):
        with translation.override(language), CaptureQueriesContext(connection) as read_apart:
            apart[language] = plan_execution(plan=plan, as_of=as_of)
    with inputs_shared():
        with translation.override("zh-hans"), CaptureQueriesContext(connection) as first:
            chinese = plan_execution(plan=plan, as_of=as_of)
        with translation.override("en"), CaptureQueriesContext(connection) as second:
            english = plan_execution(plan=plan, as_of=as_of)
    assert (chinese, english) == (apart["zh-hans"], apart["en"])
    assert english["by_corridor"] != chinese["by_corridor"]  # named in each language
    assert len(first) == len(read_apart) and len(second) == 0
