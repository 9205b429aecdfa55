"""The figures per province or corridor combined in PostgreSQL: ``selectors.totals_by`` without
bringing every project's figure into Python.

The rules are those of ``selectors`` (read its docstring), written once more as one SQL statement:
each project's figure over time (sum, latest, average; derived indicators from their components,
converted exactly by the unit factors' numerator and denominator), its weight (restored area in
hectares, recorded shoreline in kilometres) and the combination across each group's projects
(sum, weighted mean, per project). ``tests/test_grouped_figures.py`` checks that both give the
same answer on varied data; the Python path stays the reference, and the one SQLite uses (no exact
decimal arithmetic there).

Precision: PostgreSQL's ``numeric`` adds and multiplies exactly; a quotient in SQL (an average over
time, a unit factor's denominator) is carried to 40 decimal places, more than the Python path's 28
significant digits. A weighted mean's last division (Σ value × weight ÷ Σ weight) is made in Python's
``Decimal``, as the rules make it, and the figure is rounded once when shown.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from projects.restoration.choices import Aggregation, Combination, WeightQuantity
from projects.restoration.models import (
    Indicator,
    IndicatorValue,
    ProgressReport,
    Project,
    ShorelineSegment,
)
from projects.restoration.units import factor

# A quotient's scale: PostgreSQL divides to the larger of the operands' scales (and 16 digits).
EXACT = "numeric(1000, 40)"
ALL = "*"  # the group key of every project


def available() -> bool:
    return connection.vendor == "postgresql"


def _figures_sql(*, statuses, start, end, derived: dict, aggregation: dict) -> tuple[str, list]:
    """``SELECT project_id, indicator_id, value``: each project's figure of each indicator over
    the reports ending in [start, end], derived indicators included."""
    value, report = IndicatorValue._meta.db_table, ProgressReport._meta.db_table
    window = "r.status = ANY(%s)"
    window_params: list = [list(statuses)]
    if start:
        window += " AND r.period_end >= %s"
        window_params.append(start)
    if end:
        window += " AND r.period_end <= %s"
        window_params.append(end)
    # Each rule reads only its own indicators' values (no shared scan: PostgreSQL may run each
    # in parallel); values stored on a derived indicator are never read.
    by_rule = {
        rule: [pk for pk, of in aggregation.items() if of == rule and pk not in derived] for rule in Aggregation.values
    }
    counted = f"FROM {value} v JOIN {report} r ON r.id = v.report_id WHERE {window} AND v.indicator_id = ANY(%s)"
    own = f"""
        SELECT r.project_id, v.indicator_id, SUM(v.value)::{EXACT} AS value {counted}
        GROUP BY r.project_id, v.indicator_id
        UNION ALL
        SELECT r.project_id, v.indicator_id, SUM(v.value)::{EXACT} / COUNT(*) {counted}
        GROUP BY r.project_id, v.indicator_id
        UNION ALL
        SELECT * FROM (
            SELECT DISTINCT ON (r.project_id, v.indicator_id) r.project_id, v.indicator_id, v.value::{EXACT} {counted}
            ORDER BY r.project_id, v.indicator_id, r.period_end DESC, r.period_start DESC, r.created_at DESC
        ) AS latest"""
    params = [
        *window_params,
        by_rule[Aggregation.SUM],
        *window_params,
        by_rule[Aggregation.AVERAGE],
        *window_params,
        by_rule[Aggregation.LATEST],
    ]
    factors = [
        (derived_id, component_id, *_factor(component_unit, unit))
        for derived_id, (unit, components) in derived.items()
        for component_id, component_unit in components
    ]
    sql = f"WITH own AS ({own}) SELECT project_id, indicator_id, value FROM own"
    if factors:
        links = ", ".join(["(%s::uuid, %s::uuid, %s::numeric, %s::numeric)"] * len(factors))
        sql += f"""
        UNION ALL
        SELECT own.project_id, link.derived_id, SUM(own.value * link.numerator / link.denominator)
        FROM own JOIN (VALUES {links}) AS link (derived_id, component_id, numerator, denominator)
            ON link.component_id = own.indicator_id
        GROUP BY own.project_id, link.derived_id"""
        params += [part for factor in factors for part in factor]
    return sql, params


def _factor(from_unit: str, to_unit: str) -> tuple[int, int]:
    """The exact factor of ``units.convert``: multiplied by the numerator, divided by the denominator."""
    ratio = factor(from_unit, to_unit)
    return ratio.numerator, ratio.denominator


def combined_by_groups(
    *,
    bys,
    statuses,
    start: datetime.date | None,
    end: datetime.date | None,
    indicators: dict,
    derived: dict,
    area_indicator: Indicator | None,
) -> tuple[dict, dict]:
    """Per grouping of ``bys`` and group key (the group's id as text, ``""`` for projects on no
    corridor, ``ALL`` for every project): ({indicator id: (value, projects, left-out codes)},
    projects with any figure). Each project's figures are computed once for every grouping."""
    aggregation = {pk: indicator.aggregation for pk, indicator in indicators.items()}
    figures, params = _figures_sql(statuses=statuses, start=start, end=end, derived=derived, aggregation=aggregation)
    if start is None:
        to_end, to_end_params = "SELECT * FROM figures", []
    else:
        to_end, to_end_params = _figures_sql(
            statuses=statuses, start=None, end=end, derived=derived, aggregation=aggregation
        )
    area_id, area_factor = None, (1, 1)
    if area_indicator is not None:
        area_id, area_factor = area_indicator.pk, _factor(area_indicator.unit, "ha")
    segments = ShorelineSegment._meta.db_table
    shore = f"SELECT project_id, SUM(length_m) / 1000 AS weight FROM {segments} WHERE project_id IS NOT NULL"
    shore_params = []
    if end is not None:
        shore += " AND surveyed_on <= %s"
        shore_params.append(end)
    shore += " GROUP BY project_id"
    # A group's key is prefixed with its grouping ("corridor:<id>"); every project's, ALL, once.
    members = f"SELECT id AS project_id, %s AS grp FROM {Project._meta.db_table}"
    member_params = [ALL]
    for by in bys:
        link = (Project.provinces if by == "province" else Project.corridors).through._meta.db_table
        members += f"""
        UNION ALL SELECT project_id, %s || {by}_id::text FROM {link}"""
        member_params.append(f"{by}:")
        if by == "corridor":
            members += f"""
            UNION ALL SELECT p.id, %s FROM {Project._meta.db_table} p
            WHERE NOT EXISTS (SELECT 1 FROM {link} l WHERE l.project_id = p.id)"""
            member_params.append(f"{by}:")
    weighted = [pk for pk, i in indicators.items() if i.combination == Combination.WEIGHTED_MEAN]
    weight_of = {q: [pk for pk in weighted if indicators[pk].weight == q] for q in WeightQuantity.values}
    sql = f"""
    WITH figures AS MATERIALIZED ({figures}),
    area AS (SELECT project_id, value * %s / %s AS weight FROM ({to_end}) AS to_end WHERE indicator_id = %s),
    shore AS ({shore}),
    members AS ({members}),
    weighed AS MATERIALIZED (
        SELECT m.grp, f.project_id, f.indicator_id, f.value,
            CASE WHEN f.indicator_id = ANY(%s) THEN a.weight WHEN f.indicator_id = ANY(%s) THEN s.weight END
            AS weight
        FROM members m JOIN figures f ON f.project_id = m.project_id
        LEFT JOIN area a ON a.project_id = f.project_id
        LEFT JOIN shore s ON s.project_id = f.project_id
    ),
    left_out AS (
        SELECT w.grp, w.indicator_id, array_agg(p.code ORDER BY p.code COLLATE "C") AS codes
        FROM weighed w JOIN {Project._meta.db_table} p ON p.id = w.project_id
        WHERE w.indicator_id = ANY(%s) AND (w.weight IS NULL OR w.weight = 0)
        GROUP BY w.grp, w.indicator_id
    )
    SELECT c.*, left_out.codes FROM (
        SELECT grp, indicator_id, COUNT(*) AS projects, COUNT(*) FILTER (WHERE weight <> 0) AS weighed,
            SUM(value) AS total, SUM(value * weight) FILTER (WHERE weight <> 0) AS weighted_total,
            SUM(weight) FILTER (WHERE weight <> 0) AS weight_total
        FROM weighed GROUP BY grp, indicator_id
    ) AS c LEFT JOIN left_out USING (grp, indicator_id)
    UNION ALL
    SELECT m.grp, NULL, COUNT(DISTINCT m.project_id), NULL, NULL, NULL, NULL, NULL
    FROM members m WHERE m.project_id IN (SELECT project_id FROM figures) GROUP BY m.grp"""
    params = [
        *params,
        *area_factor,
        *to_end_params,
        area_id,
        *shore_params,
        *member_params,
        weight_of[WeightQuantity.RESTORED_AREA],
        weight_of[WeightQuantity.SHORELINE_LENGTH],
        weighted,
    ]
    rows: dict = defaultdict(dict)
    reported: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grp, indicator_id, projects, weighed, total, weighted_total, weight_total, codes in cursor.fetchall():
            if indicator_id is None:
                reported[grp] = projects
                continue
            combination = indicators[indicator_id].combination
            if combination == Combination.SUM:
                rows[grp][indicator_id] = (total, projects, [])
            elif combination == Combination.PER_PROJECT:
                rows[grp][indicator_id] = (None, projects, [])
            else:
                value = weighted_total / weight_total if weight_total else None
                rows[grp][indicator_id] = (value, weighed, codes or [])
    return {by: (_of_grouping(rows, by), _of_grouping(reported, by)) for by in bys}


def _of_grouping(keyed: dict, by: str) -> dict:
    """The groups of one grouping by their own keys, and ALL."""
    prefix = f"{by}:"
    found = {key[len(prefix) :]: value for key, value in keyed.items() if key.startswith(prefix)}
    if ALL in keyed:
        found[ALL] = keyed[ALL]
    return found


def group_links() -> dict:
    """Per grouping: (the projects' link table, its group column, the group table, the group's key)."""
    from projects.core.models import Corridor, Province

    return {
        "province": (Project.provinces.through._meta.db_table, "province_id", Province._meta.db_table, "code"),
        "corridor": (Project.corridors.through._meta.db_table, "corridor_id", Corridor._meta.db_table, "slug"),
    }


def summaries_by_group(*, groupings, today: datetime.date, statuses, grace_days: int, closing_days: int) -> dict:
    """``selectors.project_summaries`` in one statement: per grouping and group key (a province's
    code, a corridor's slug, ``""`` for projects on no corridor), the projects in each status, their
    planned budget, what they have spent (the latest counted report's cumulative investment) and
    the periods overdue: of a project under way, the months (or quarters) of
    ``progress.reporting_periods`` from its planned start whose last day is on or before the
    cutoff (``progress.reporting_cutoff`` of ``today`` less the grace days: at most the planned
    end plus ``closing_days``) with no counted report. ``tests/restoration/test_grouped_figures.py``
    holds it to the Python path on varied data."""
    from projects.restoration.choices import ProjectStatus, ReportingPeriod

    project, report = Project._meta.db_table, ProgressReport._meta.db_table
    links = group_links()
    members, member_params = [], []
    for by in groupings:
        link, column, table, key = links[by]
        members.append(
            f"SELECT %s AS kind, l.project_id, g.{key} AS grp FROM {link} l JOIN {table} g ON g.id = l.{column}"
        )
        member_params.append(by)
        if by == "corridor":
            members.append(
                f"SELECT %s, p.id, '' FROM {project} p "
                f"WHERE NOT EXISTS (SELECT 1 FROM {link} l WHERE l.project_id = p.id)"
            )
            member_params.append(by)
    cutoff = today - datetime.timedelta(days=grace_days)
    # A period of a project under way is overdue when no counted report of the project's kind of
    # period (``period_kind``, set from the period's name) lies within [first month, cutoff]:
    # the periods due are counted, not listed (every month or quarter in between is one).
    sql = f"""
    WITH counted AS MATERIALIZED (
        SELECT project_id, period_kind, period_start, period_end, created_at, cumulative_investment
        FROM {report} WHERE status = ANY(%s)
    ),
    latest AS (
        SELECT DISTINCT ON (project_id) project_id, cumulative_investment FROM counted
        ORDER BY project_id, period_end DESC, created_at DESC
    ),
    under_way AS MATERIALIZED (
        SELECT id, kind, step, first_month, until,
            GREATEST(0, (
                (EXTRACT(YEAR FROM until + 1) * 12 + EXTRACT(MONTH FROM until + 1))
                - (EXTRACT(YEAR FROM first_month) * 12 + EXTRACT(MONTH FROM first_month))
            )::int / step) AS due
        FROM (
            SELECT id, CASE WHEN reporting_period = %s THEN %s ELSE %s END AS kind,
                CASE WHEN reporting_period = %s THEN 3 ELSE 1 END AS step,
                CASE WHEN reporting_period = %s THEN date_trunc('quarter', planned_start)
                    ELSE date_trunc('month', planned_start) END::date AS first_month,
                CASE WHEN planned_end IS NULL THEN %s::date ELSE LEAST(%s::date, planned_end + %s) END AS until
            FROM {project} WHERE status = %s AND planned_start IS NOT NULL
        ) AS facts
    ),
    reported AS (
        SELECT u.id AS project_id, COUNT(*) AS periods FROM under_way u JOIN counted c ON c.project_id = u.id
        WHERE c.period_kind = u.kind AND c.period_start >= u.first_month AND c.period_end <= u.until
        GROUP BY u.id
    ),
    overdue AS (
        SELECT u.id AS project_id, u.due - COALESCE(r.periods, 0) AS periods
        FROM under_way u LEFT JOIN reported r ON r.project_id = u.id
    ),
    members AS ({" UNION ALL ".join(members)})
    SELECT m.kind, m.grp, p.status, COUNT(*), SUM(p.total_budget),
        COALESCE(SUM(l.cumulative_investment), 0), COALESCE(SUM(o.periods), 0)
    FROM members m JOIN {project} p ON p.id = m.project_id
    LEFT JOIN latest l ON l.project_id = p.id
    LEFT JOIN overdue o ON o.project_id = p.id
    GROUP BY m.kind, m.grp, p.status"""
    params = [
        list(statuses),
        ReportingPeriod.QUARTER,
        ReportingPeriod.QUARTER,
        ReportingPeriod.MONTH,
        ReportingPeriod.QUARTER,
        ReportingPeriod.QUARTER,
        cutoff,
        cutoff,
        closing_days,
        ProjectStatus.IN_PROGRESS,
        *member_params,
    ]
    summaries: dict = {by: {} for by in groupings}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for by, key, status, projects, planned, spent, overdue in cursor.fetchall():
            group = summaries[by].setdefault(
                key, {"projects": 0, "by_status": {}, "planned": Decimal(0), "spent": Decimal(0), "overdue": 0}
            )
            group["projects"] += projects
            group["by_status"][status] = projects
            group["planned"] += planned
            group["spent"] += spent
            group["overdue"] += overdue
    return summaries
