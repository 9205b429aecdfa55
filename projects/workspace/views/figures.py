"""The workspace's "seeing the work" pages: overview, map, corridor, project and annual plan.

The figures come from the domain's aggregate functions (``projects.restoration.selectors``,
``projects.conference.execution``, ``projects.compensation.selectors``), the same ones the API's
computed endpoints call; these views only pick what a page shows and put names on it.
"""

import json
import uuid
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from api import kept_figures, representations
from projects.compensation.models import CompensationAgreement, FundAllocation, MonitoringSection, Settlement
from projects.compensation.selectors import sequestration_path, with_latest_sample
from projects.conference.choices import PackStatus, ReviewStatus
from projects.conference.models import ActionItem, AnnualPlan, CorridorPlan, ExpertReview, ReviewPack
from projects.conference.selectors import behind_in_words, overdue_actions_by_province
from projects.core.events import describe
from projects.core.history import history_of
from projects.core.models import Corridor, Division, KeyArea, Province
from projects.permissions import seen_alike, visible
from projects.restoration.choices import ProjectStatus, Reach, ShorelineBank
from projects.restoration.models import Indicator, ProgressReport, Project
from projects.restoration.progress import project_progress
from projects.restoration.selectors import COUNTED, project_summaries, shoreline, totals_by_each
from projects.workspace.filters import MapProjectFilter
from projects.workspace.forms import MapFilterForm

# Status colours on the map, its legend and the charts: distinct for colour-blind readers as far as
# seven colours go, each dark enough for white outlines and readable labels.
STATUS_COLOURS = {
    ProjectStatus.PROPOSED: "#7b7f86",
    ProjectStatus.APPROVED: "#1c5fa8",
    ProjectStatus.IN_PROGRESS: "#d97706",
    ProjectStatus.COMPLETED: "#0b8a5f",
    ProjectStatus.ACCEPTED: "#0b4d3b",
    ProjectStatus.SUSPENDED: "#a4161a",
    ProjectStatus.CANCELLED: "#4a4a4a",
}

# The indicators the overview shows beside the projects, in this order.
OVERVIEW_INDICATORS = ("restored-area", "shoreline-restored", "natural-shoreline-ratio", "carbon-sequestered")


def _latest_corridor_plan():
    return CorridorPlan.objects.order_by("-start_year").only("id", "slug", "title_zh", "title_en", "start_year").first()


def _group_rows(
    *, by: str, groups: list, codes: list, summary: dict, totals: dict, carbon: dict, actions: dict | None, year: int
):
    """One row per province or corridor: what the overview's table and charts show."""
    indicators_of = {}
    shoreline_of = {}
    for group in totals["groups"]:
        key = (group[by] or {}).get("code" if by == "province" else "slug", "")
        indicators_of[key] = {row["indicator"]: row for row in group["indicators"]}
        shoreline_of[key] = group["shoreline"]
    rows = []
    for key, name in groups:
        figures = summary.get(key, {})
        indicators = indicators_of.get(key, {})
        shore = shoreline_of.get(key) or {}
        rows.append(
            {
                "key": key,
                "name": name,
                "projects": figures.get("projects", 0),
                "by_status": [figures.get("by_status", {}).get(status, 0) for status in ProjectStatus.values],
                "planned": figures.get("planned"),
                "spent": figures.get("spent"),
                "overdue_reports": figures.get("overdue", 0),
                "overdue_actions": None if actions is None else actions.get(key, 0),
                "indicators": [(indicators.get(code) or {}).get("value") for code in codes],
                "surveyed_natural_ratio": shore.get("natural_ratio"),
                "carbon_path": carbon.get(key or "none", {}).get(year),
            }
        )
    return rows


def _overview_indicators() -> list[dict]:
    """The overview's indicator columns, named from the catalogue (one query): an indicator nobody
    has reported on has no row in the totals, and its column still shows its name and unit."""
    found = Indicator.objects.filter(code__in=OVERVIEW_INDICATORS).only("code", "name_zh", "name_en", "unit")
    by_code = {indicator.code: indicator for indicator in found}
    return [
        {
            "code": code,
            "name": by_code[code].name,
            "unit": by_code[code].unit,
        }
        for code in OVERVIEW_INDICATORS
        if code in by_code
    ]


@login_required
def overview(request):
    """Per corridor and province: projects by status, investment, the main figures and what is overdue."""
    today = timezone.localdate()
    corridors = [(c.slug, c.name) for c in Corridor.objects.only("id", "slug", "name_zh", "name_en", "sort_order")]
    provinces = [(p.code, p.name) for p in Province.objects.only("id", "code", "name_zh", "name_en")]
    plan = _latest_corridor_plan()
    shared = overview_figures(today, reader=request.user)
    carbon, corridor_totals, province_totals = shared["carbon"], shared["corridor_totals"], shared["province_totals"]
    actions = overdue_actions_by_province(visible(request.user, ActionItem.objects.all()))
    indicators = _overview_indicators()
    codes = [indicator["code"] for indicator in indicators]
    corridor_rows = _group_rows(
        by="corridor",
        codes=codes,
        groups=[*corridors, ("", _("On no corridor"))],
        summary=shared["summaries"]["corridor"],
        totals=corridor_totals,
        carbon={k: {int(y): v for y, v in s.items()} for k, s in carbon["by_corridor"].items()},
        actions=None,
        year=today.year,
    )
    province_rows = _group_rows(
        by="province",
        codes=codes,
        groups=provinces,
        summary=shared["summaries"]["province"],
        totals=province_totals,
        carbon={k: {int(y): v for y, v in s.items()} for k, s in carbon["by_province"].items()},
        actions=actions,
        year=today.year,
    )
    progress = kept_figures.corridor_progress(corridor_plan=plan, as_of=today, reader=request.user) if plan else None
    targets = []
    for corridor in (progress or {}).get("corridors", []):
        for row in corridor["indicators"]:
            targets.append({"corridor": corridor["name"], "slug": corridor["corridor"], **row})
    statuses = [label for _value, label in ProjectStatus.choices]
    charts = {
        "status": {
            "corridor": _stacked(corridor_rows, statuses),
            "province": _stacked(province_rows, statuses),
        },
        "investment": {
            "corridor": _investment(corridor_rows),
            "province": _investment(province_rows),
        },
        "targets": _targets_chart(targets),
    }
    return render(
        request,
        "workspace/figures/overview.html",
        {
            "today": today,
            "computed_at": shared.get("computed_at"),
            "figures_max_age": settings.FIGURES_MAX_AGE_SECONDS,
            "statuses": statuses,
            "indicators": indicators,
            "corridor_rows": corridor_rows,
            "province_rows": province_rows,
            "carbon_year": today.year,
            "carbon_unit": carbon["unit"],
            "corridor_plan": plan,
            "targets": targets,
            "target_years": ["2025", "2030", "2035"],
            "charts": charts,
            "plans": visible(request.user, AnnualPlan.objects.order_by("-year")).only("id", "year", "title", "status"),
        },
    )


def overview_figures(today, reader=None) -> dict:
    """The overview's figures over every project, the same for every reader: kept until the next
    change (``api.representations.figures``), as the API's totals are, and computed ahead of the
    readers by ``api.tasks.warm_figures``. They name nothing (groups by key, units as lazy
    strings), so one copy serves every language; the corridor plan's progress, which names its
    corridors and indicators, is read beside them (``kept_figures.corridor_progress``)."""
    return representations.figures(
        "overview-page", {"today": today}, lambda: _shared_figures(today), reader=reader, by_language=False
    )


def _shared_figures(today) -> dict:
    carbon = sequestration_path(years=[today.year], each_project=False)
    return {
        "computed_at": timezone.now(),
        # Each project's part of the carbon path is not shown here: not kept either.
        "carbon": {key: value for key, value in carbon.items() if key in ("unit", "by_corridor", "by_province")},
        **{f"{by}_totals": totals for by, totals in totals_by_each(bys=("corridor", "province"), end=today).items()},
        "summaries": project_summaries(today=today),
    }


def _stacked(rows: list, statuses: list) -> dict:
    """A stacked bar chart of projects by status, one bar per group."""
    return {
        "kind": "bar",
        "stacked": True,
        "integer": True,
        "colours": [STATUS_COLOURS[status] for status in ProjectStatus.values],
        "categories": [row["name"] for row in rows],
        "series": [
            {"name": str(label), "data": [row["by_status"][index] for row in rows]}
            for index, label in enumerate(statuses)
        ],
    }


def _investment(rows: list) -> dict:
    return {
        "kind": "bar",
        "unit": _("10,000 CNY"),
        "categories": [row["name"] for row in rows],
        "series": [
            {"name": pgettext("investment", "Planned"), "data": [float(row["planned"] or 0) for row in rows]},
            {"name": pgettext("investment", "Spent"), "data": [float(row["spent"] or 0) for row in rows]},
        ],
    }


def _targets_chart(targets: list) -> dict:
    """The share of the final (2035) target achieved, one bar per corridor and indicator, as the
    corridor plan's progress gives it (``share_achieved``), shown in per cent."""
    corridors = list(dict.fromkeys(row["corridor"] for row in targets))
    indicators = list(dict.fromkeys(row["name"] for row in targets))
    share = {(row["corridor"], row["name"]): row["share_achieved"] for row in targets}
    return {
        "kind": "bar",
        "unit": "%",
        "categories": corridors,
        "series": [
            {
                "name": str(indicator),
                "data": [
                    None if share.get((c, indicator)) is None else float(share[(c, indicator)]) * 100 for c in corridors
                ],
            }
            for indicator in indicators
        ],
    }


# --- the map ---------------------------------------------------------------------------------


def _feature(geometry, properties: dict, identifier=None) -> dict:
    feature = {"type": "Feature", "geometry": json.loads(geometry.json), "properties": properties}
    if identifier is not None:
        feature["id"] = str(identifier)  # the map keeps one copy of a shape loaded for two extents
    return feature


@login_required
def map_page(request):
    """Provinces, rivers, key areas and divisions from the tracker's data; projects by status with their
    shapes, filtered by what the querystring says; a click opens the project's card."""
    form = MapFilterForm(request.GET or None)
    legend = [
        {"status": value, "label": str(label), "colour": STATUS_COLOURS[value]}
        for value, label in ProjectStatus.choices
    ]
    return render(
        request,
        "workspace/figures/map.html",
        {
            "form": form,
            "legend": legend,
            "layer_choices": [
                ("province", _("Provinces")),
                ("corridor", _("Rivers of the corridors")),
                ("key_area", _("Key ecological areas")),
                ("division", _("Divisions")),
                ("projects", pgettext("map layer", "Projects")),
            ],
            "map_config": {
                "layers": reverse("workspace:map-layers"),
                "projects": reverse("workspace:map-projects"),
                "card": reverse("workspace:map-card", args=[uuid.UUID(int=0)]),
                "colours": STATUS_COLOURS,
                "labels": {
                    "province": _("Province"),
                    "corridor": _("River corridor"),
                    "key_area": _("Key ecological area"),
                    "division": _("Division"),
                    "show": _("Show on the map"),
                    "none": _("No project matches these filters in the visible area."),
                    "count": _("Projects in the visible area: %(count)s"),
                },
            },
        },
    )


@login_required
def map_layers(request):
    """The background layers as one GeoJSON FeatureCollection: provinces, corridors' rivers, key
    areas and divisions with a recorded shape, named in the reader's language. Four queries."""
    features = []
    layers = (
        (
            "province",
            Province.objects.exclude(outline=None).only("id", "code", "name_zh", "name_en", "outline"),
            "outline",
        ),
        (
            "corridor",
            Corridor.objects.exclude(centreline=None).only(
                "id", "slug", "name_zh", "name_en", "is_six_rivers", "centreline"
            ),
            "centreline",
        ),
        (
            "key_area",
            KeyArea.objects.exclude(outline=None).only("id", "slug", "name_zh", "name_en", "outline"),
            "outline",
        ),
        (
            "division",
            Division.objects.exclude(outline=None).only("id", "code", "name_zh", "name_en", "outline"),
            "outline",
        ),
    )
    for layer, queryset, field in layers:
        for record in visible(request.user, queryset):
            features.append(_feature(getattr(record, field), {"layer": layer, "name": record.name}))
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _map_projects(request):
    projects = visible(request.user, Project.objects.exclude(geometry=None)).only(
        "id", "code", "name_zh", "name_en", "status", "geometry"
    )
    filters = MapProjectFilter(request.GET, queryset=projects)
    return filters, filters.qs.order_by("code")


@login_required
def map_projects(request):
    """The projects with a shape matching the map's filters, in the visible extent (``bbox``), as
    GeoJSON. One query; a bad filter is a 400 naming the field in the reader's language."""
    filters, projects = _map_projects(request)
    if not filters.is_valid():
        return JsonResponse({"errors": filters.errors}, status=400)
    labels = dict(ProjectStatus.choices)
    features = [
        _feature(
            project.geometry,
            {
                "id": str(project.pk),
                "name": project.name,
                "status": project.status,
                "status_label": str(labels[project.status]),
            },
            project.pk,
        )
        for project in projects
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def map_card(request, pk):
    """A project's card on the map: name, status, lead organization and provinces, the link to its page."""
    project = get_object_or_404(
        visible(
            request.user, Project.objects.select_related("lead_organization").prefetch_related("provinces", "corridors")
        ),
        pk=pk,
    )
    return render(request, "workspace/figures/_project_card.html", {"project": project})


# --- a corridor, upstream to downstream ----------------------------------------------------

REACH_ORDER = [Reach.UPSTREAM, Reach.MIDSTREAM, Reach.DOWNSTREAM, Reach.WHOLE, Reach.NOT_APPLICABLE]
PER_REACH = 20
BELTS_AND_ZONES = ("buffer-zone", "isolation-belt", "drawdown-zone", "shoreline-restoration", "natural-shoreline")


def _per_reach(corridor, on_corridor) -> dict:
    """How many projects the reader sees on each reach. Counting the corridor's thousands of
    projects is most of the page's database time: when everyone sees the same projects the counts
    are kept until the next change, like the overview's figures."""

    def count():
        return dict(on_corridor.order_by().values("reach").annotate(n=Count("id")).values_list("reach", "n"))

    if not seen_alike(Project):
        return count()
    # Exact, not up to a minute behind: the page lists the projects themselves beside the counts.
    with representations.exact_figures():
        return representations.figures("corridor-reaches", {"corridor": corridor.slug}, count)


def with_measure_list(projects) -> list:
    """The projects, each with its measures as a plain list (``measure_list``), read in one query
    over the link table. A prefetch builds a queryset per project, each tied to its project in a
    reference cycle that waits for a full collection: a hundred a page."""
    projects = list(projects)
    links = (
        Project.measures.through.objects.filter(project_id__in=[project.pk for project in projects])
        .select_related("measuretype")
        .order_by("measuretype__code")
    )
    measures = defaultdict(list)
    for link in links:
        measures[link.project_id].append(link.measuretype)
    for project in projects:
        project.measure_list = measures[project.pk]
    return projects


@login_required
def corridor(request, slug):
    """One corridor from upstream to downstream: its projects, belts and zones, shoreline by bank,
    monitoring sections with their latest class, agreements and settlements, fund allocations and
    the corridor plan's targets against achieved. A fixed number of queries."""
    today = timezone.localdate()
    corridor = get_object_or_404(Corridor.objects.defer("centreline"), slug=slug)
    on_corridor = visible(request.user, corridor.projects.all())
    # A corridor holds thousands of projects at provincial scale: each reach shows its first
    # PER_REACH by code (a phone screen or two) and says how many more the map lists.
    per_reach = _per_reach(corridor, on_corridor)
    # The first of each reach by code, and of the belts and zones: a query each, walking the code
    # index and stopping (a window over every project on the corridor sorted them all: 0.3 s at
    # 23,000, and an OR of subqueries made the outer query scan every project).
    firsts = [on_corridor.filter(reach=value).order_by("code") for value in REACH_ORDER]
    firsts.append(on_corridor.filter(measures__code__in=BELTS_AND_ZONES).order_by("code"))
    shown_ids = {pk for first in firsts for pk in first.values_list("pk", flat=True)[:PER_REACH]}
    shown = with_measure_list(
        Project.objects.filter(pk__in=shown_ids)
        .select_related("lead_organization")
        .with_latest_progress()
        .defer("geometry")
    )
    projects = sorted(
        shown,
        key=lambda p: (REACH_ORDER.index(p.reach) if p.reach in REACH_ORDER else len(REACH_ORDER), p.code),
    )
    reaches = []
    for value, label in sorted(Reach.choices, key=lambda choice: REACH_ORDER.index(choice[0])):
        listed = [p for p in projects if p.reach == value][:PER_REACH]
        reaches.append({"label": label, "projects": listed, "more": per_reach.get(value, 0) - len(listed)})
    belts = [p for p in projects if any(m.code in BELTS_AND_ZONES for m in p.measure_list)]
    shore = shoreline(by="corridor", keys=[corridor.pk], on=today).get(corridor.pk)
    by_bank = (shore or {}).get("by_bank", {})
    sections = with_latest_sample(
        visible(request.user, MonitoringSection.objects.filter(corridor=corridor)).defer("location")
    ).order_by("code")
    agreements = (
        visible(request.user, CompensationAgreement.objects.filter(corridor=corridor))
        .select_related("upstream_province", "downstream_province", "upstream_division", "downstream_division")
        .defer(*(f"{side}_{area}__outline" for side in ("upstream", "downstream") for area in ("province", "division")))
        .prefetch_related(
            Prefetch("settlements", queryset=visible(request.user, Settlement.objects.order_by("-period")))
        )
        .order_by("-start_date")
    )
    allocations = (
        visible(request.user, FundAllocation.objects.filter(corridor=corridor))
        .select_related("province", "project", "fund")
        .defer("province__outline", "project__geometry")
        .order_by("-allocated_on")
    )
    plan = _latest_corridor_plan()
    progress = kept_figures.corridor_progress(corridor_plan=plan, as_of=today, reader=request.user) if plan else None
    targets = next((c["indicators"] for c in (progress or {}).get("corridors", []) if c["corridor"] == slug), [])
    return render(
        request,
        "workspace/figures/corridor.html",
        {
            "corridor": corridor,
            "reaches": reaches,
            "project_count": sum(per_reach.values()),
            "more_on_map": f"{reverse('workspace:map')}?corridor={corridor.slug}",
            "belts": belts,
            "shoreline": shore,
            "banks": [(label, by_bank.get(bank)) for bank, label in ShorelineBank.choices],
            "sections": sections,
            "agreements": agreements,
            "allocations": allocations,
            "corridor_plan": plan,
            "targets": targets,
            "target_years": ["2025", "2030", "2035"],
            "charts": {"targets": _targets_chart([{"corridor": corridor.name, **row} for row in targets])},
        },
    )


# --- a project ------------------------------------------------------------------------------

# Fields the history never shows: bookkeeping, and the geometry's derived measures.
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "status_changed_at", "extent_length_km", "extent_area_ha"}


def _field_labels(record) -> list[str]:
    """The changed fields of a change record by their labels in the reader's language."""
    if record.action != "update" and record.action != "transition":
        return []  # a creation or deletion: every field, which says nothing
    model = record.content_type.model_class() if record.content_type_id else None
    labels = []
    for name in record.changed_fields or []:
        if name in HIDDEN_FIELDS:
            continue
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (AttributeError, LookupError, FieldDoesNotExist):
            continue
    return labels


@login_required
def project(request, pk):
    """A project: progress over time, targets against actuals, reports with photos, and its history
    told in words (events by their labels, fields by their names, people by their names)."""
    project = get_object_or_404(
        visible(request.user, Project.objects.for_api()).defer("geometry"),
        pk=pk,
    )
    progress = project_progress(project)
    reports = (
        visible(request.user, ProgressReport.objects.filter(project=project, status__in=COUNTED))
        .select_related("reported_by")
        .prefetch_related("attachments")
        .order_by("period_end")
    )
    indicator_names = {
        i.code: i.name for i in Indicator.objects.filter(code__in=[t["indicator"] for t in progress["targets"]])
    }
    targets = [{**row, "name": indicator_names.get(row["indicator"], row["indicator"])} for row in progress["targets"]]
    history = [
        {"record": record, "what": describe(record), "fields": _field_labels(record)}
        for record in history_of(project, request.user).order_by("-time")[:50]
    ]
    chart = {
        "kind": "line",
        "categories": [report.period for report in reports],
        "series": [
            {"name": _("Complete (%)"), "data": [float(report.percent_complete) for report in reports]},
        ],
        "unit": "%",
    }
    return render(
        request,
        "workspace/figures/project.html",
        {
            "project": project,
            "progress": progress,
            "targets": targets,
            "reports": list(reversed(reports)),
            "history": history,
            "chart": chart,
        },
    )


# --- an annual plan -------------------------------------------------------------------------


@login_required
def plan(request, pk):
    """An annual plan's execution: per item, corridor and province (``execution.plan_execution``),
    the items behind and why in words, the expert opinions and the review pack. Prints well."""
    plan = get_object_or_404(visible(request.user, AnnualPlan.objects.select_related("meeting")), pk=pk)
    execution = kept_figures.plan_execution(plan=plan, as_of=timezone.localdate(), reader=request.user)
    provinces = {p.code: p.name for p in Province.objects.only("id", "code", "name_zh", "name_en")}
    items = [
        {**item, "province_name": provinces.get(item["province"], item["province"]), "why": behind_in_words(item)}
        for item in execution["items"]
    ]
    reviews = (
        visible(request.user, ExpertReview.objects.filter(plan=plan, status=ReviewStatus.SUBMITTED))
        .select_related("expert")
        .order_by("submitted_at")
    )
    pack = (
        visible(request.user, ReviewPack.objects.filter(plan=plan, status=PackStatus.READY))
        .order_by("-finished_at")
        .first()
    )
    charts = {
        "corridor": _execution_chart(execution["by_corridor"]),
        "province": _execution_chart(execution["by_province"]),
    }
    return render(
        request,
        "workspace/figures/plan.html",
        {
            "plan": plan,
            "execution": execution,
            "items": items,
            "behind": [item for item in items if item["behind"]],
            "reviews": reviews,
            "pack": pack,
            "charts": charts,
            "figures_max_age": settings.FIGURES_MAX_AGE_SECONDS,
        },
    )


def _execution_chart(groups: list) -> dict:
    return {
        "kind": "bar",
        "unit": _("10,000 CNY"),
        "categories": [group["name"] for group in groups],
        "series": [
            {"name": pgettext("investment", "Planned"), "data": [float(g["planned_investment"]) for g in groups]},
            {"name": pgettext("investment", "Spent"), "data": [float(g["actual_investment"]) for g in groups]},
        ],
    }
