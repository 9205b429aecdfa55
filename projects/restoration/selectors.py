"""How indicator figures add up: over time, across projects, and derived from other indicators.

The one place these rules are applied. Every figure built from progress reports uses it: a
project's own progress, the corridor plan's progress and the annual plans' execution
(``projects.conference.execution``), the province and corridor totals
(``/api/v1/indicators/totals/``) and the carbon path (``projects.compensation.selectors``).
The rules themselves are stated per indicator in the catalogue (``fixtures/restoration.yaml``):

* **Over time** (``aggregation``): one project's values of the submitted and accepted reports
  whose period ends in the window are added up (``sum``), the value of the report with the
  latest period end is taken (``latest``), or their arithmetic mean (``average``).
* **Derived** (``components``): a derived indicator is never reported. A project's figure is
  the sum of its components' figures (each over time by its own rule), each converted exactly
  to the derived indicator's unit (``projects.restoration.units``). A project none of whose
  components has a value has no figure. Values stored on a derived indicator before it was
  derived are ignored.
* **Across projects** (``combination``): the figures of a set of projects are added up
  (``sum``), averaged with weights (``weighted_mean``: Σ value × weight ÷ Σ weight over the
  projects that have both a figure and a weight above zero; the others are listed as left
  out), or not combined at all (``per_project``: the projects' figures are listed, no total).
  A project on two corridors (or in two provinces) counts fully in each.
* **Weights** (``weight``): ``restored_area`` is the project's restored area in hectares
  (the derived ``restored-area`` figure over all reports ending on or before the end of the
  window); ``shoreline_length`` is the length in kilometres of the shoreline segments recorded
  for the project and surveyed on or before the end of the window.

Everything is computed in ``Decimal``: sums and unit conversions with a finite result are
exact, quotients (averages, weighted means) carry 28 significant digits, and rounding happens
once, half up, when a figure is shown (``shown``).
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum

from projects.restoration.choices import (
    Aggregation,
    Combination,
    ReportStatus,
    ShorelineBank,
    ShorelineState,
    WeightQuantity,
)
from projects.restoration.models import Indicator, IndicatorValue, ProgressReport, ShorelineSegment
from projects.restoration.units import convert, to_hectares

COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
RESTORED_AREA = "restored-area"  # the derived indicator the ``restored_area`` weight reads
ZERO = Decimal("0")
THOUSAND = Decimal("1000")


def shown(value: Decimal | Fraction | None, places: int = 3) -> str | None:
    """A figure as shown: rounded once, half up (away from zero), to ``places`` decimals.

    A ``Fraction`` (an exact rate) is rounded exactly."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-places)
    if isinstance(value, Fraction):
        scaled = value * 10**places
        magnitude = math.floor(abs(scaled) + Fraction(1, 2))
        return str(Decimal(magnitude if scaled >= 0 else -magnitude).scaleb(-places).quantize(step))
    return str(Decimal(value).quantize(step, rounding=ROUND_HALF_UP))


def catalogue() -> dict:
    """Every indicator by id, with its components (two queries)."""
    return {indicator.pk: indicator for indicator in Indicator.objects.prefetch_related("components")}


def derivations(indicators: dict | None = None) -> dict:
    """{derived indicator id: (its unit, [(component id, component unit), …])}, from the given
    catalogue or in one query."""
    links = defaultdict(lambda: ("", []))
    if indicators is not None:
        for pk, indicator in indicators.items():
            components = [(c.pk, c.unit) for c in indicator.components.all()]
            if components:
                links[pk] = (indicator.unit, components)
        return dict(links)
    rows = Indicator.components.through.objects.values_list(
        "from_indicator_id", "from_indicator__unit", "to_indicator_id", "to_indicator__unit"
    )
    for derived_id, unit, component_id, component_unit in rows:
        links[derived_id] = (unit, [*links[derived_id][1], (component_id, component_unit)])
    return dict(links)


def indicator_totals(
    *,
    project_ids,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    statuses=COUNTED,
    indicators: dict | None = None,
) -> dict[tuple, Decimal]:
    """Per (project_id, indicator_id): the figure of reports whose period ends in [start, end],
    added up over time as the indicator says, derived indicators included. Three queries (two
    when the catalogue is given)."""
    derived = derivations(indicators)
    values = IndicatorValue.objects.filter(report__status__in=statuses).exclude(indicator_id__in=list(derived))
    if project_ids is not None:  # None: every project
        values = values.filter(report__project_id__in=project_ids)
    if start:
        values = values.filter(report__period_end__gte=start)
    if end:
        values = values.filter(report__period_end__lte=end)
    totals: dict[tuple, Decimal] = {}
    rows = (
        values.filter(indicator__aggregation__in=[Aggregation.SUM, Aggregation.AVERAGE])
        .values("report__project_id", "indicator_id", "indicator__aggregation")
        .annotate(total=Sum("value"), count=Count("id"))
    )
    for row in rows:
        total = Decimal(row["total"])
        if row["indicator__aggregation"] == Aggregation.AVERAGE:
            total = total / row["count"]
        totals[(row["report__project_id"], row["indicator_id"])] = total
    latest_value = (
        values.filter(report__project_id=OuterRef("report__project_id"), indicator_id=OuterRef("indicator_id"))
        .order_by("-report__period_end", "-report__period_start", "-report__created_at")
        .values("value")[:1]
    )
    rows = (
        values.filter(indicator__aggregation=Aggregation.LATEST)
        .values("report__project_id", "indicator_id")
        .annotate(last=Max("report__period_end"), total=Subquery(latest_value))
    )
    for row in rows:
        totals[(row["report__project_id"], row["indicator_id"])] = Decimal(row["total"])
    by_indicator = defaultdict(list)
    for (project_id, indicator_id), value in totals.items():
        by_indicator[indicator_id].append((project_id, value))
    for derived_id, (unit, components) in derived.items():
        parts = defaultdict(list)
        for component_id, component_unit in components:
            for project_id, value in by_indicator.get(component_id, []):
                parts[project_id].append(convert(value, component_unit, unit))
        for project_id, converted in parts.items():
            totals[(project_id, derived_id)] = sum(converted, ZERO)
    return totals


def investment_at(*, project_ids, on: datetime.date, statuses=COUNTED) -> dict:
    """Per project id: the cumulative investment (万元) of its latest report ending on or before ``on``.

    ``project_ids`` may be a query of ids (a subquery then: no id list travels through Python);
    the latest report is picked in the database, one row per project comes back."""
    from projects.restoration.models import Project

    latest = (
        ProgressReport.objects.filter(project_id=OuterRef("pk"), status__in=statuses, period_end__lte=on)
        .order_by("-period_end", "-period_start", "-created_at")
        .values("cumulative_investment")[:1]
    )
    rows = (
        Project.objects.filter(pk__in=project_ids)
        .annotate(amount=Subquery(latest))
        .exclude(amount=None)
        .values_list("pk", "amount")
    )
    return dict(rows)


def shoreline_lengths(*, project_ids, on: datetime.date | None = None) -> dict:
    """Per project id: the length (km) of its recorded shoreline segments surveyed on or before ``on``
    (``project_ids`` None: every project)."""
    segments = ShorelineSegment.objects.exclude(project=None)
    if project_ids is not None:
        segments = segments.filter(project_id__in=project_ids)
    if on is not None:
        segments = segments.filter(surveyed_on__lte=on)
    rows = segments.values("project_id").annotate(total=Sum("length_m"))
    return {row["project_id"]: Decimal(row["total"]) / THOUSAND for row in rows}


def shoreline(*, by: str = "corridor", keys=None, on: datetime.date | None = None) -> dict:
    """The recorded shoreline per corridor (``by="corridor"``) or responsible province
    (``by="province"``), as shown: lengths (km) per state, per bank and in all, and the natural
    shoreline ratio, length-weighted: natural length ÷ total length × 100. Restored stretches
    are not natural; ``natural_or_restored_ratio`` counts them with it. One query.

    Segments surveyed on or before ``on`` count, each in the state it was last surveyed in.
    """
    segments = ShorelineSegment.objects.all()
    if keys is not None:
        segments = segments.filter(**{f"{by}_id__in": keys})
    if on is not None:
        segments = segments.filter(surveyed_on__lte=on)
    grouped = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    counts, last = defaultdict(int), {}
    rows = segments.values(f"{by}_id", "bank", "state").annotate(
        length=Sum("length_m"), count=Count("id"), last=Max("surveyed_on")
    )
    for row in rows:
        key = row[f"{by}_id"]
        grouped[key][row["bank"]][row["state"]] += Decimal(row["length"])
        counts[key] += row["count"]
        last[key] = max(last.get(key, row["last"]), row["last"])
    return {
        key: {
            "unit": "km",
            "segments": counts[key],
            "surveyed_to": last[key],
            **_shore(_add_banks(banks)),
            "by_bank": {bank: _shore(banks[bank]) for bank in ShorelineBank.values if bank in banks},
        }
        for key, banks in grouped.items()
    }


def _add_banks(banks: dict) -> dict:
    total = defaultdict(lambda: ZERO)
    for states in banks.values():
        for state, length in states.items():
            total[state] += length
    return total


def _shore(metres: dict) -> dict:
    total = sum(metres.values(), ZERO)
    natural = metres.get(ShorelineState.NATURAL, ZERO)
    restored = metres.get(ShorelineState.RESTORED, ZERO)
    return {
        **{f"{state}_km": shown(metres.get(state, ZERO) / THOUSAND) for state in ShorelineState.values},
        "total_km": shown(total / THOUSAND),
        "natural_ratio": shown(natural * 100 / total) if total else None,
        "natural_or_restored_ratio": shown((natural + restored) * 100 / total) if total else None,
    }


@dataclass
class Combined:
    """One figure of several projects, with what it was computed from."""

    indicator: Indicator
    value: Decimal | None
    contributions: list = field(default_factory=list)  # (project_id, figure, weight or None)
    left_out: list = field(default_factory=list)  # project ids with a figure but no weight

    @property
    def rule(self) -> str:
        if self.indicator.combination == Combination.WEIGHTED_MEAN:
            return f"{Combination.WEIGHTED_MEAN}:{self.indicator.weight}"
        return self.indicator.combination


def combine(indicator: Indicator, figures: dict, weights: dict | None = None) -> Combined:
    """Combine ``figures`` ({project_id: figure}) across projects as ``indicator.combination`` says.

    ``weights`` ({project_id: weight}) is needed for a weighted mean only.
    """
    ordered = sorted(figures.items(), key=lambda pair: str(pair[0]))
    if indicator.combination == Combination.SUM:
        return Combined(indicator, sum((v for _p, v in ordered), ZERO), [(p, v, None) for p, v in ordered])
    if indicator.combination == Combination.PER_PROJECT:
        return Combined(indicator, None, [(p, v, None) for p, v in ordered])
    weights = weights or {}
    used = [(p, v, weights[p]) for p, v in ordered if weights.get(p)]
    left_out = [p for p, _v in ordered if not weights.get(p)]
    total_weight = sum((w for _p, _v, w in used), ZERO)
    value = sum((v * w for _p, v, w in used), ZERO) / total_weight if total_weight else None
    return Combined(indicator, value, used, left_out)


class Figures:
    """The figures of a set of projects over a window, and their combination across projects.

    A fixed number of queries: the catalogue (2), the figures (2), and per weight used once:
    restored area (2, none when the window has no start) or shoreline length (1).
    """

    def __init__(self, *, project_ids, start: datetime.date | None = None, end: datetime.date | None = None):
        """``project_ids`` None: every project; a query of ids: used as a subquery (no id list
        through Python)."""
        self.start, self.end = start, end
        if project_ids is None or isinstance(project_ids, QuerySet):
            self.project_ids = project_ids
        else:
            self.project_ids = set(project_ids)
        self.indicators = catalogue()
        self.totals = (
            indicator_totals(project_ids=self.project_ids, start=start, end=end, indicators=self.indicators)
            if self._some_projects()
            else {}
        )
        self._weights: dict = {}

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators.values() if i.code == code), None)

    def figure(self, project_id, indicator_id) -> Decimal | None:
        return self.totals.get((project_id, indicator_id))

    def figures_of(self, indicator_id, project_ids) -> dict:
        """{project_id: figure} of the given projects that have one (in no particular order)."""
        reported = self._by_indicator().get(indicator_id, {})
        if len(reported) < len(project_ids):
            return {p: v for p, v in reported.items() if p in project_ids}
        return {p: reported[p] for p in project_ids if p in reported}

    def _by_indicator(self) -> dict:
        # Indexed once: a group's figures are then found among the projects that report the
        # indicator, not by trying every project of the group (20,000 × 15 lookups per group).
        if not hasattr(self, "_indexed"):
            self._indexed = defaultdict(dict)
            for (project_id, indicator_id), value in self.totals.items():
                self._indexed[indicator_id][project_id] = value
        return self._indexed

    def weights(self, quantity: str) -> dict:
        if quantity not in self._weights:
            self._weights[quantity] = self._load_weights(quantity)
        return self._weights[quantity]

    def _some_projects(self) -> bool:
        return self.project_ids is None or isinstance(self.project_ids, QuerySet) or bool(self.project_ids)

    def _load_weights(self, quantity: str) -> dict:
        if not self._some_projects():
            return {}
        if quantity == WeightQuantity.SHORELINE_LENGTH:
            return shoreline_lengths(project_ids=self.project_ids, on=self.end)
        if quantity == WeightQuantity.RESTORED_AREA:
            area = self.indicator(RESTORED_AREA)
            if area is None:
                return {}
            totals = (
                self.totals
                if self.start is None
                else indicator_totals(project_ids=self.project_ids, end=self.end, indicators=self.indicators)
            )
            return {p: to_hectares(v, area.unit) for (p, i), v in totals.items() if i == area.pk}
        raise ValueError(quantity)

    def combined(self, indicator: Indicator, project_ids, figures: dict | None = None) -> Combined:
        """The indicator's figure over ``project_ids`` (or the given ``figures`` of theirs, such as
        planned values) combined across projects."""
        figures = self.figures_of(indicator.pk, project_ids) if figures is None else figures
        weights = self.weights(indicator.weight) if indicator.combination == Combination.WEIGHTED_MEAN else None
        return combine(indicator, figures, weights)


def combined_view(combined: Combined, codes: dict, places: int = 3) -> dict:
    """A combined figure as the API shows it: the value, the rule, and each project's part."""
    return {
        "value": shown(combined.value, places),
        "rule": combined.rule,
        "projects": [
            {"project": codes.get(p, str(p)), "figure": shown(v, places), "weight": shown(w, places)}
            for p, v, w in combined.contributions
        ],
        "left_out": sorted(codes.get(p, str(p)) for p in combined.left_out),
    }


def totals_by(
    *,
    by: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    detail: bool = False,
    in_database: bool | None = None,
) -> dict:
    """Every indicator's figure per province (``by="province"``: each province taking part in a
    project counts it in full) or per corridor (``by="corridor"``; projects on none are grouped
    as ``None``), and over all projects once, combined across projects as the catalogue says;
    with the recorded shoreline of each group. ``detail``: each project's figure and weight too.
    A fixed number of queries.

    Combined in the database (``grouped_figures``, PostgreSQL) unless each project's part is asked
    for or ``in_database`` is False: the same answer without bringing every figure into Python.
    """
    from projects.restoration import grouped_figures

    if in_database is None:
        in_database = not detail and grouped_figures.available()
    if in_database:
        return _totals_by_in_database(bys=(by,), start=start, end=end)[by]
    from projects.restoration.models import Project

    relation = Project.provinces if by == "province" else Project.corridors
    key_field = "code" if by == "province" else "slug"
    links = relation.through.objects.values_list(
        "project_id", f"{by}_id", f"{by}__{key_field}", f"{by}__name_zh", f"{by}__name_en"
    )
    members, names = defaultdict(set), {}
    for project_id, group_id, key, name_zh, name_en in links:
        members[group_id].add(project_id)
        names[group_id] = {key_field: key, "name_zh": name_zh, "name_en": name_en}
    codes = dict(Project.objects.values_list("pk", "code"))
    if by == "corridor":
        grouped = set().union(*members.values()) if members else set()
        members[None] = set(codes) - grouped
        names[None] = None
    figures = Figures(project_ids=None, start=start, end=end)
    reported = {project_id for project_id, _indicator_id in figures.totals}
    shorelines = shoreline(by=by, on=end)
    groups = [
        {
            by: names[group_id],
            "projects": len(members[group_id] & reported),
            "indicators": _indicator_rows(figures, members[group_id] & reported, codes, detail),
            "shoreline": shorelines.get(group_id),
        }
        for group_id in sorted(members, key=lambda pk: (names[pk] is None, names[pk] and names[pk][key_field]))
    ]
    return {
        "by": by,
        "start": start,
        "end": end,
        "groups": groups,
        "all": {"projects": len(reported), "indicators": _indicator_rows(figures, reported, codes, detail)},
    }


def totals_by_each(*, bys=("province", "corridor"), start=None, end=None) -> dict:
    """``totals_by`` for each grouping of ``bys``, by grouping. In the database each project's
    figures are computed once for all of them (the overview shows both: the larger part of each
    is the per-project figure itself)."""
    from projects.restoration import grouped_figures

    if grouped_figures.available():
        return _totals_by_in_database(bys=bys, start=start, end=end)
    return {by: totals_by(by=by, start=start, end=end) for by in bys}


def _totals_by_in_database(*, bys, start: datetime.date | None, end: datetime.date | None) -> dict:
    from projects.restoration import grouped_figures

    indicators = catalogue()
    area = next((i for i in indicators.values() if i.code == RESTORED_AREA), None)
    combined_by = grouped_figures.combined_by_groups(
        bys=bys,
        statuses=COUNTED,
        start=start,
        end=end,
        indicators=indicators,
        derived=derivations(indicators),
        area_indicator=area,
    )
    return {by: _grouped_totals(by, *combined_by[by], indicators=indicators, start=start, end=end) for by in bys}


def _grouped_totals(by: str, combined: dict, reported: dict, *, indicators: dict, start, end) -> dict:
    """``totals_by``'s answer for one grouping from the figures combined in the database."""
    from projects.core.models import Corridor, Province
    from projects.restoration import grouped_figures
    from projects.restoration.models import Project

    relation = Project.provinces if by == "province" else Project.corridors
    key_field = "code" if by == "province" else "slug"
    model = Province if by == "province" else Corridor
    linked = model.objects.filter(pk__in=relation.through.objects.values(f"{by}_id"))
    names = {str(g.pk): {key_field: getattr(g, key_field), "name_zh": g.name_zh, "name_en": g.name_en} for g in linked}
    if by == "corridor":
        names[""] = None
    shorelines = {str(key) if key else "": value for key, value in shoreline(by=by, on=end).items()}

    def rows(key: str) -> list[dict]:
        figures = combined.get(key, {})
        return [
            _indicator_row(Combined(indicator, figures[indicator.pk][0]), *figures[indicator.pk][1:])
            for indicator in sorted(indicators.values(), key=lambda i: i.code)
            if indicator.pk in figures
        ]

    groups = [
        {by: names[key], "projects": reported.get(key, 0), "indicators": rows(key), "shoreline": shorelines.get(key)}
        for key in sorted(names, key=lambda k: (names[k] is None, names[k] and names[k][key_field]))
    ]
    return {
        "by": by,
        "start": start,
        "end": end,
        "groups": groups,
        "all": {"projects": reported.get(grouped_figures.ALL, 0), "indicators": rows(grouped_figures.ALL)},
    }


def _indicator_rows(figures: Figures, project_ids: set, codes: dict, detail: bool) -> list[dict]:
    rows = []
    for indicator in sorted(figures.indicators.values(), key=lambda i: i.code):
        values = figures.figures_of(indicator.pk, project_ids)
        if not values:
            continue
        combined = figures.combined(indicator, project_ids, figures=values)
        row = _indicator_row(
            combined, len(combined.contributions), sorted(codes.get(p, str(p)) for p in combined.left_out)
        )
        if detail:  # each project's part is formatted only when asked for (thousands per group)
            row["contributions"] = combined_view(combined, codes)["projects"]
        rows.append(row)
    return rows


def _indicator_row(combined: Combined, projects: int, left_out: list) -> dict:
    """One indicator's line of ``totals_by``, however it was combined."""
    indicator = combined.indicator
    return {
        "indicator": indicator.code,
        "name_zh": indicator.name_zh,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "rule": combined.rule,
        "value": shown(combined.value, 3),
        "projects": projects,
        "left_out": left_out,
    }


def project_summary(*, by: str, today: datetime.date | None = None) -> dict:
    """Per province (``by="province"``, by code) or corridor (``by="corridor"``, by slug; projects on
    none under ``""``): how many projects are in each status, their planned budget (万元), what they
    have spent (the latest submitted or accepted report's cumulative investment, 万元) and the
    reports overdue (``progress.expected_periods`` not reported). A project taking part in two
    groups counts fully in each, as in ``totals_by``. Three queries."""
    return project_summaries(groupings=(by,), today=today)[by]


def project_summaries(
    *, groupings=("province", "corridor"), today: datetime.date | None = None, in_database: bool | None = None
) -> dict:
    """``project_summary`` for each grouping. On PostgreSQL one statement computes them
    (``grouped_figures.summaries_by_group``; seconds in Python at 100,000 projects); elsewhere,
    and as the reference the tests hold it to, Python reads the projects once: 2 + 1 per grouping
    queries."""
    from projects.restoration import grouped_figures
    from projects.restoration.choices import ProjectStatus
    from projects.restoration.models import Project
    from projects.restoration.progress import CLOSING_REPORT_DAYS, REPORTING_GRACE_DAYS, expected_periods

    today = today or datetime.date.today()
    if in_database is None:
        in_database = grouped_figures.available()
    if in_database:
        summaries = grouped_figures.summaries_by_group(
            groupings=groupings,
            today=today,
            statuses=COUNTED,
            grace_days=REPORTING_GRACE_DAYS,
            closing_days=CLOSING_REPORT_DAYS,
        )
        return _shown_summaries(summaries)
    groups_of = {by: defaultdict(list) for by in groupings}
    for by in groupings:
        relation = Project.provinces if by == "province" else Project.corridors
        key_field = "code" if by == "province" else "slug"
        for project_id, key in relation.through.objects.values_list("project_id", f"{by}__{key_field}"):
            groups_of[by][project_id].append(key)
    # Only projects under way have periods due (``expected_periods``).
    reported = defaultdict(set)
    counted = ProgressReport.objects.filter(status__in=COUNTED, project__status=ProjectStatus.IN_PROGRESS)
    for project_id, period in counted.values_list("project_id", "period"):
        reported[project_id].add(period)
    # Plain rows of what ``expected_periods`` reads (100,000 model instances cost seconds); only
    # the latest investment of ``with_latest_progress`` is selected.
    fields = ("pk", "status", "total_budget", "planned_start", "planned_end", "reporting_period")
    rows = Project.objects.with_latest_progress().values_list(*fields, "latest_cumulative_investment")
    summaries: dict = {by: {} for by in groupings}
    for *facts, spent in rows:
        project = SimpleNamespace(**dict(zip(fields, facts, strict=True)), latest_cumulative_investment=spent)
        overdue = [p for p in expected_periods(project, today) if p not in reported[project.pk]]
        for by in groupings:
            for key in groups_of[by].get(project.pk) or ([""] if by == "corridor" else []):
                group = summaries[by].setdefault(
                    key, {"projects": 0, "by_status": defaultdict(int), "planned": ZERO, "spent": ZERO, "overdue": 0}
                )
                group["projects"] += 1
                group["by_status"][project.status] += 1
                group["planned"] += project.total_budget
                group["spent"] += project.latest_cumulative_investment or ZERO
                group["overdue"] += len(overdue)
    return _shown_summaries(summaries)


def _shown_summaries(summaries: dict) -> dict:
    return {
        by: {
            key: {
                **group,
                "by_status": dict(group["by_status"]),
                "planned": shown(group["planned"], 2),
                "spent": shown(group["spent"], 2),
            }
            for key, group in summary.items()
        }
        for by, summary in summaries.items()
    }
