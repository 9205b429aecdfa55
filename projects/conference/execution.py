"""Reading how plans are carried out: planned against actual per item, corridor and province, and
the corridors' path toward the long-range plan's targets.

Figures come from ``projects.restoration.progress`` (submitted and accepted progress reports),
so they agree with the projects' own pages. Each function runs a fixed number of queries.
"""

import contextlib
import contextvars
import datetime
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import PlanStatus
from projects.conference.models import AnnualPlan, CorridorPlan, PlanItem, PlanItemTarget
from projects.restoration.choices import Combination
from projects.restoration.models import Project
from projects.restoration.selectors import Figures, combined_view, investment_at, shoreline, shown

# An item is behind when its investment or a target runs this far behind the share of the year gone.
BEHIND_TOLERANCE = Fraction(1, 10)
ZERO = Decimal("0")


def _rate(actual: Decimal, planned: Decimal) -> Fraction | None:
    """actual ÷ planned, exact (compared exactly, rounded only when shown)."""
    return Fraction(actual) / Fraction(planned) if planned else None


def _money(value: Decimal) -> str:
    return shown(value, 2)


def _amount(value) -> str | None:
    return shown(value, 3)


def year_share(year: int, as_of: datetime.date) -> Fraction:
    """The share of ``year`` gone by the end of ``as_of`` (0 before it starts, 1 after it ends), exact."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if as_of < start:
        return Fraction(0)
    if as_of >= end:
        return Fraction(1)
    return Fraction((as_of - start).days + 1, (end - start).days + 1)


def plan_items_for_execution(plan: AnnualPlan):
    return (
        plan.items.select_related("project", "province")
        .prefetch_related(
            "funding",
            Prefetch("targets", queryset=PlanItemTarget.objects.select_related("indicator")),
            "milestones",
            "project__corridors",
        )
        .order_by("project__code")
    )


# Inside ``inputs_shared()``, a plan's items, figures and investment are read once and named in
# each language in turn (the warm-up computes every plan in both).
_shared_inputs = contextvars.ContextVar("shared_execution_inputs", default=None)


@contextlib.contextmanager
def inputs_shared():
    """Plans' executions computed in this block read each plan's items and figures once, whatever
    the language they are named in: the reading is most of the time (1.8 s for 2,635 items)."""
    token = _shared_inputs.set({})
    try:
        yield
    finally:
        _shared_inputs.reset(token)


def _execution_inputs(plan: AnnualPlan, start: datetime.date, until: datetime.date) -> tuple:
    """The plan's items, their projects' figures over the year until ``until`` and their cumulative
    investment before the year and at ``until``: nothing in them depends on the language."""
    shared, key = _shared_inputs.get(), (plan.pk, until)
    if shared is not None and key in shared:
        return shared[key]
    items = list(plan_items_for_execution(plan))
    # The plan's projects as a subquery: the figures are worked out in the database for them,
    # without thousands of ids travelling to PostgreSQL in IN (…) lists.
    project_ids = PlanItem.objects.filter(plan=plan).values("project_id") if items else []
    inputs = (
        items,
        Figures(project_ids=project_ids if until >= start else [], start=start, end=until),
        investment_at(project_ids=project_ids, on=until),
        investment_at(project_ids=project_ids, on=start - datetime.timedelta(days=1)),
    )
    if shared is not None:
        shared[key] = inputs
    return inputs


def plan_execution(*, plan: AnnualPlan, as_of: datetime.date | None = None) -> dict:
    """Planned against actual for each item of ``plan``, then per corridor and per province.

    Actual investment is the growth of the projects' cumulative investment over the year;
    actual indicator values are the year's reported values added up over time as each indicator
    says, derived ones from their components; a group's figure of an indicator combines its
    items' figures as the catalogue says (``projects.restoration.selectors``). Rates are exact
    when compared and rounded (half up) only when shown.
    """
    as_of = as_of or timezone.localdate()
    start, end = datetime.date(plan.year, 1, 1), datetime.date(plan.year, 12, 31)
    until = min(as_of, end)
    share = year_share(plan.year, as_of)
    items, figures, invested_at_end, invested_before = _execution_inputs(plan, start, until)
    codes = {item.project_id: item.project.code for item in items}

    rows = []
    by_corridor = defaultdict(_new_group)
    by_province = defaultdict(_new_group)
    everything = _new_group()
    corridor_names, province_names = {"": str(_("No corridor"))}, {}
    for item in items:
        actual = max(ZERO, invested_at_end.get(item.project_id, ZERO) - invested_before.get(item.project_id, ZERO))
        reasons = []
        investment_rate = _rate(actual, item.planned_investment)
        if investment_rate is not None and investment_rate < share - BEHIND_TOLERANCE:
            reasons.append("investment")
        targets = []
        for target in item.targets.all():
            value = figures.figure(item.project_id, target.indicator_id)
            value = ZERO if value is None else value
            rate = _rate(value, target.target_value)
            if rate is not None and rate < share - BEHIND_TOLERANCE:
                reasons.append(f"indicator:{target.indicator.code}")
            targets.append(
                {
                    "indicator": target.indicator.code,
                    "name": target.indicator.name,
                    "unit": target.indicator.unit,
                    "planned": _amount(target.target_value),
                    "actual": _amount(value),
                    "rate": _amount(rate),
                }
            )
        late = [m for m in item.milestones.all() if m.due_date <= until and m.done_on is None]
        reasons.extend(f"milestone:{m.title}" for m in late)
        behind = bool(reasons)
        corridors = list(item.project.corridors.all()) or [None]
        groups = [everything]
        for corridor in corridors:
            key = corridor.slug if corridor else ""
            if corridor:
                corridor_names[key] = corridor.name
            groups.append(by_corridor[key])
        province_names[item.province.code] = item.province.name
        groups.append(by_province[item.province.code])
        for group in groups:
            _add(group, item, actual, behind)
        rows.append(
            {
                "item": str(item.pk),
                "project": {"id": str(item.project_id), "code": item.project.code, "name": item.project.name},
                "province": item.province.code,
                "corridors": [c.slug for c in corridors if c],
                "planned_investment": _money(item.planned_investment),
                "actual_investment": _money(actual),
                "investment_rate": _amount(investment_rate),
                "targets": targets,
                "milestones": [
                    {"title": m.title, "due_date": m.due_date, "done_on": m.done_on} for m in item.milestones.all()
                ],
                "behind": behind,
                "behind_reasons": reasons,
            }
        )
    return {
        "plan": {"id": str(plan.pk), "year": plan.year, "title": plan.display_title, "status": plan.status},
        "as_of": as_of,
        "units": {"planned_investment": "wan_yuan", "actual_investment": "wan_yuan"},
        "year_share": _amount(share),
        "tolerance": _amount(BEHIND_TOLERANCE),
        "totals": _group(everything, figures, codes),
        "items": rows,
        "behind": [row["project"]["code"] for row in rows if row["behind"]],
        "by_corridor": [
            {"corridor": key or None, "name": corridor_names[key], **_group(group, figures, codes)}
            for key, group in sorted(by_corridor.items())
        ],
        "by_province": [
            {"province": key, "name": province_names[key], **_group(group, figures, codes)}
            for key, group in sorted(by_province.items())
        ],
    }


def _new_group() -> dict:
    return {"items": 0, "behind": 0, "planned": ZERO, "actual": ZERO, "targets": defaultdict(dict)}


def _add(group: dict, item: PlanItem, actual: Decimal, behind: bool) -> None:
    group["items"] += 1
    group["behind"] += int(behind)
    group["planned"] += item.planned_investment
    group["actual"] += actual
    for target in item.targets.all():
        planned = group["targets"][target.indicator_id]
        planned[item.project_id] = planned.get(item.project_id, ZERO) + target.target_value


def _group(group: dict, figures: Figures, codes: dict) -> dict:
    return {
        "items": group["items"],
        "behind": group["behind"],
        "planned_investment": _money(group["planned"]),
        "actual_investment": _money(group["actual"]),
        "investment_rate": _amount(_rate(group["actual"], group["planned"])),
        "indicators": _group_indicators(group["targets"], figures, codes),
    }


def _group_indicators(targets: dict, figures: Figures, codes: dict) -> list[dict]:
    """Planned and actual of each indicator the group's items target, combined across the items'
    projects as the catalogue says; an indicator that is not additive has no group figure."""
    rows = []
    for indicator_id, planned_by_project in targets.items():
        indicator = figures.indicators[indicator_id]
        row = {"indicator": indicator.code, "name": indicator.name, "unit": indicator.unit}
        if indicator.combination == Combination.PER_PROJECT:
            rows.append({**row, "rule": Combination.PER_PROJECT, "planned": None, "actual": None, "rate": None})
            continue
        planned = figures.combined(indicator, planned_by_project, figures=planned_by_project)
        actual = figures.combined(indicator, planned_by_project)
        if indicator.combination == Combination.SUM and actual.value is None:
            actual.value = ZERO
        rate = _rate(actual.value, planned.value) if actual.value is not None and planned.value is not None else None
        rows.append(
            {
                **row,
                "rule": actual.rule,
                "planned": _amount(planned.value),
                "actual": _amount(actual.value),
                "rate": _amount(rate),
                "left_out": sorted(codes[p] for p in set(actual.left_out) | set(planned.left_out)),
            }
        )
    return sorted(rows, key=lambda row: row["indicator"])


def corridor_progress(*, corridor_plan: CorridorPlan, as_of: datetime.date | None = None) -> dict:
    """Each corridor's path toward the plan's targets: achieved so far, planned this year, remaining,
    and its recorded shoreline.

    Achieved combines, over the corridor's projects, each project's figure since the plan began
    (over time as the indicator says, derived ones from their components), across projects as
    the catalogue says: added up, a weighted mean, or per project only. Planned this year comes
    from the approved annual plan of ``as_of``'s year (none while it is not approved). The
    shoreline is measured from the corridor's recorded segments surveyed by ``as_of``.
    """
    as_of = as_of or timezone.localdate()
    targets = list(corridor_plan.targets.select_related("corridor", "indicator").defer("corridor__centreline"))
    corridor_ids = {t.corridor_id for t in targets}
    links = list(
        Project.corridors.through.objects.filter(corridor_id__in=corridor_ids).values_list(
            "project_id", "corridor_id", "project__code"
        )
    )
    projects_of = defaultdict(set)
    codes = {}
    for project_id, corridor_id, code in links:
        projects_of[corridor_id].add(project_id)
        codes[project_id] = code
    start = datetime.date(corridor_plan.start_year, 1, 1)
    in_corridors = (
        Project.corridors.through.objects.filter(corridor_id__in=corridor_ids).values("project_id") if codes else []
    )
    figures = Figures(project_ids=in_corridors, start=start, end=as_of)
    plan = AnnualPlan.objects.filter(year=as_of.year, status=PlanStatus.APPROVED).first()
    planned = defaultdict(dict)
    if plan is not None:
        rows = PlanItem.objects.filter(plan=plan, project_id__in=in_corridors).values_list(
            "project_id", "targets__indicator_id", "targets__target_value"
        )
        for project_id, indicator_id, value in rows:
            if indicator_id is not None:
                planned[indicator_id][project_id] = planned[indicator_id].get(project_id, ZERO) + value
    shorelines = shoreline(by="corridor", keys=corridor_ids, on=as_of)

    grouped: dict = {}
    for target in targets:
        corridor = grouped.setdefault(target.corridor_id, {"corridor": target.corridor, "indicators": {}})
        entry = corridor["indicators"].setdefault(target.indicator_id, {"targets": {}})
        entry["targets"][target.year] = target.target_value

    corridors = []
    for corridor_id, group in sorted(grouped.items(), key=lambda pair: pair[1]["corridor"].sort_order):
        members = projects_of[corridor_id]
        indicators = []
        for indicator_id, entry in group["indicators"].items():
            indicator = figures.indicators[indicator_id]
            achieved = figures.combined(indicator, members)
            value = achieved.value
            if value is None and indicator.combination == Combination.SUM:
                value = ZERO
            planned_now = None
            if plan is not None and indicator.combination != Combination.PER_PROJECT:
                mine = {p: v for p, v in planned[indicator_id].items() if p in members}
                planned_now = figures.combined(indicator, mine, figures=mine).value
                if planned_now is None and indicator.combination == Combination.SUM:
                    planned_now = ZERO
            final = entry["targets"].get(2035) or max(entry["targets"].values())
            view = combined_view(achieved, codes)
            indicators.append(
                {
                    "indicator": indicator.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "rule": achieved.rule,
                    "targets": {str(year): _amount(value) for year, value in sorted(entry["targets"].items())},
                    "achieved": _amount(value),
                    "planned_this_year": _amount(planned_now),
                    "remaining": _amount(max(ZERO, final - value)) if value is not None else None,
                    "share_achieved": _amount(_rate(value, final)) if value is not None else None,
                    "projects": view["projects"],
                    "left_out": view["left_out"],
                }
            )
        corridor = group["corridor"]
        corridors.append(
            {
                "corridor": corridor.slug,
                "name": corridor.name,
                "projects": len(members),
                "indicators": sorted(indicators, key=lambda row: row["indicator"]),
                "shoreline": shorelines.get(corridor_id),
            }
        )
    return {
        "plan": {"id": str(corridor_plan.pk), "title": corridor_plan.title_zh},
        "as_of": as_of,
        "annual_plan": {"year": plan.year, "id": str(plan.pk)} if plan else None,
        "corridors": corridors,
    }
