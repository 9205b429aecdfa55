"""Reading how plans are carried out: planned against actual per item, corridor and province, and
the corridors' path toward the long-range plan's targets.

Figures come from ``projects.restoration.progress`` (submitted and accepted progress reports),
so they agree with the projects' own pages. Each function runs a fixed number of queries.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import PlanStatus
from projects.conference.models import AnnualPlan, CorridorPlan, PlanItem, PlanItemTarget
from projects.restoration.choices import Aggregation
from projects.restoration.models import Project
from projects.restoration.progress import indicator_totals, investment_at

# An item is behind when its investment or a target runs this far behind the share of the year gone.
BEHIND_TOLERANCE = Decimal("0.10")
ZERO = Decimal("0")


def _rate(actual: Decimal, planned: Decimal) -> Decimal | None:
    return (actual / planned).quantize(Decimal("0.001")) if planned else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.001")))


def year_share(year: int, as_of: datetime.date) -> Decimal:
    """The share of ``year`` gone by the end of ``as_of`` (0 before it starts, 1 after it ends)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if as_of < start:
        return ZERO
    if as_of >= end:
        return Decimal("1")
    return (Decimal((as_of - start).days + 1) / Decimal((end - start).days + 1)).quantize(Decimal("0.001"))


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


def plan_execution(*, plan: AnnualPlan, as_of: datetime.date | None = None) -> dict:
    """Planned against actual for each item of ``plan``, then per corridor and per province.

    Actual investment is the growth of the projects' cumulative investment over the year;
    actual indicator values are the year's reported values added up as each indicator says.
    """
    as_of = as_of or timezone.localdate()
    start, end = datetime.date(plan.year, 1, 1), datetime.date(plan.year, 12, 31)
    until = min(as_of, end)
    share = year_share(plan.year, as_of)
    items = list(plan_items_for_execution(plan))
    project_ids = [item.project_id for item in items]
    values = indicator_totals(project_ids=project_ids, start=start, end=until) if until >= start else {}
    invested_at_end = investment_at(project_ids=project_ids, on=until)
    invested_before = investment_at(project_ids=project_ids, on=start - datetime.timedelta(days=1))

    rows = []
    by_corridor = defaultdict(lambda: {"items": 0, "behind": 0, "planned": ZERO, "actual": ZERO})
    by_province = defaultdict(lambda: {"items": 0, "behind": 0, "planned": ZERO, "actual": ZERO})
    corridor_names, province_names = {"": str(_("No corridor"))}, {}
    for item in items:
        actual = max(ZERO, invested_at_end.get(item.project_id, ZERO) - invested_before.get(item.project_id, ZERO))
        reasons = []
        investment_rate = _rate(actual, item.planned_investment)
        if investment_rate is not None and investment_rate < share - BEHIND_TOLERANCE:
            reasons.append("investment")
        targets = []
        for target in item.targets.all():
            value = values.get((item.project_id, target.indicator_id), ZERO)
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
        for corridor in corridors:
            key = corridor.slug if corridor else ""
            if corridor:
                corridor_names[key] = corridor.name
            _add(by_corridor[key], item.planned_investment, actual, behind)
        province_names[item.province.code] = item.province.name
        _add(by_province[item.province.code], item.planned_investment, actual, behind)
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
        "year_share": _amount(share),
        "tolerance": _amount(BEHIND_TOLERANCE),
        "totals": _group(
            {
                "items": len(rows),
                "behind": sum(row["behind"] for row in rows),
                "planned": sum((item.planned_investment for item in items), ZERO),
                "actual": sum((Decimal(row["actual_investment"]) for row in rows), ZERO),
            }
        ),
        "items": rows,
        "behind": [row["project"]["code"] for row in rows if row["behind"]],
        "by_corridor": [
            {"corridor": key or None, "name": corridor_names[key], **_group(group)}
            for key, group in sorted(by_corridor.items())
        ],
        "by_province": [
            {"province": key, "name": province_names[key], **_group(group)}
            for key, group in sorted(by_province.items())
        ],
    }


def _add(group: dict, planned: Decimal, actual: Decimal, behind: bool) -> None:
    group["items"] += 1
    group["behind"] += int(behind)
    group["planned"] += planned
    group["actual"] += actual


def _group(group: dict) -> dict:
    return {
        "items": group["items"],
        "behind": group["behind"],
        "planned_investment": _money(group["planned"]),
        "actual_investment": _money(group["actual"]),
        "investment_rate": _amount(_rate(group["actual"], group["planned"])),
    }


def corridor_progress(*, corridor_plan: CorridorPlan, as_of: datetime.date | None = None) -> dict:
    """Each corridor's path toward the plan's targets: achieved so far, planned this year, remaining.

    Achieved adds up, over the corridor's projects, what each reported since the plan began
    (sums and latest values add up across projects; averages are averaged). Planned this
    year comes from the approved annual plan of ``as_of``'s year (none while it is not approved).
    """
    as_of = as_of or timezone.localdate()
    targets = list(corridor_plan.targets.select_related("corridor", "indicator"))
    corridor_ids = {t.corridor_id for t in targets}
    links = list(
        Project.corridors.through.objects.filter(corridor_id__in=corridor_ids).values_list("project_id", "corridor_id")
    )
    projects_of = defaultdict(set)
    for project_id, corridor_id in links:
        projects_of[corridor_id].add(project_id)
    project_ids = {project_id for project_id, _corridor_id in links}
    start = datetime.date(corridor_plan.start_year, 1, 1)
    values = indicator_totals(project_ids=project_ids, start=start, end=as_of) if project_ids else {}
    plan = AnnualPlan.objects.filter(year=as_of.year, status=PlanStatus.APPROVED).first()
    planned = defaultdict(lambda: ZERO)
    if plan is not None:
        rows = PlanItem.objects.filter(plan=plan, project_id__in=project_ids).values_list(
            "project_id", "targets__indicator_id", "targets__target_value"
        )
        for project_id, indicator_id, value in rows:
            if indicator_id is not None:
                planned[(project_id, indicator_id)] += value

    grouped: dict = {}
    for target in targets:
        corridor = grouped.setdefault(target.corridor_id, {"corridor": target.corridor, "indicators": {}})
        entry = corridor["indicators"].setdefault(target.indicator_id, {"indicator": target.indicator, "targets": {}})
        entry["targets"][target.year] = target.target_value

    corridors = []
    for corridor_id, group in sorted(grouped.items(), key=lambda pair: pair[1]["corridor"].sort_order):
        indicators = []
        for indicator_id, entry in sorted(group["indicators"].items(), key=lambda pair: pair[1]["indicator"].code):
            indicator = entry["indicator"]
            reported = [values[(p, indicator_id)] for p in projects_of[corridor_id] if (p, indicator_id) in values]
            achieved = sum(reported, ZERO)
            if indicator.aggregation == Aggregation.AVERAGE and reported:
                achieved = achieved / len(reported)
            planned_now = sum((planned[(p, indicator_id)] for p in projects_of[corridor_id]), ZERO) if plan else None
            final = entry["targets"].get(2035) or max(entry["targets"].values())
            indicators.append(
                {
                    "indicator": indicator.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "targets": {str(year): _amount(value) for year, value in sorted(entry["targets"].items())},
                    "achieved": _amount(achieved),
                    "planned_this_year": _amount(planned_now),
                    "remaining": _amount(max(ZERO, final - achieved)),
                    "share_achieved": _amount(_rate(achieved, final)),
                }
            )
        corridor = group["corridor"]
        corridors.append(
            {
                "corridor": corridor.slug,
                "name": corridor.name,
                "projects": len(projects_of[corridor_id]),
                "indicators": indicators,
            }
        )
    return {
        "plan": {"id": str(corridor_plan.pk), "title": corridor_plan.title_zh},
        "as_of": as_of,
        "annual_plan": {"year": plan.year, "id": str(plan.pk)} if plan else None,
        "corridors": corridors,
    }
