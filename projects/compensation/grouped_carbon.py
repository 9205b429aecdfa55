"""The carbon path's totals per year, corridor and province computed in PostgreSQL:
``selectors.sequestration_path`` without each project's part, and without bringing every
project's figures into Python (at 100,000 projects the Python loop takes seconds).

The rules are the Python path's, written once more as one statement per year: each project's
achieved area per element-area indicator to the end of the year (``grouped_figures._figures_sql``:
sum, latest or average over time), in hectares, times its element's coefficient, added up per
project and rounded to the tonne's thousandth (half away from zero, as ``ROUND_HALF_UP``); a
project on several corridors or in several provinces split equally between them.
``tests/compensation/test_grouped_carbon.py`` holds both to the same answer on varied data; the
Python path stays the reference, and the one SQLite uses.

Precision: hectares are converted by the unit's exact fraction (1 亩 = 1/15 ha) and a project's
share carried to 40 decimal places; the Python path multiplies by 28 significant digits of it.
The two can differ only where a total falls within 10⁻²⁴ of a rounding tie.
"""

import datetime
from decimal import Decimal

from django.db import connection

from projects.restoration.grouped_figures import EXACT, _factor, _figures_sql, group_links


def available() -> bool:
    return connection.vendor == "postgresql"


def tonnes_by_groups(*, years, statuses, indicators: dict, coefficients: dict) -> dict:
    """Per year: {"total": t CO2e or None, "corridor": {slug or "": t}, "province": {code or "": t},
    "uncovered": {indicator ids reported whose element has no coefficient}}. ``indicators``: the
    element-area indicators by id; ``coefficients``: by element id. One query per year."""
    covered = [
        (pk, *_factor(i.unit, "ha"), coefficients[i.element_id].tco2e_per_ha_year)
        for pk, i in indicators.items()
        if i.element_id in coefficients
    ]
    uncovered = [pk for pk, i in indicators.items() if i.element_id not in coefficients]
    aggregation = {pk: indicator.aggregation for pk, indicator in indicators.items()}
    found = {}
    for year in years:
        found[year] = {"total": None, "corridor": {}, "province": {}, "uncovered": set()}
        if not indicators:
            continue
        figures, params = _figures_sql(
            statuses=statuses, start=None, end=datetime.date(year, 12, 31), derived={}, aggregation=aggregation
        )
        rows = [*covered] or [(None, 1, 1, 0)]  # VALUES needs a row; a NULL indicator joins nothing
        values = ", ".join(["(%s::uuid, %s::numeric, %s::numeric, %s::numeric)"] * len(rows))
        shares, share_params = [], []
        for by in ("corridor", "province"):
            link, column, table, key = group_links()[by]
            shares.append(f"""
            SELECT %s::text, COALESCE(g.{key}, ''), SUM(t.tonnes::{EXACT} / COALESCE(l.shares, 1))
            FROM tonnes t
            LEFT JOIN (
                SELECT project_id, {column}, COUNT(*) OVER (PARTITION BY project_id) AS shares FROM {link}
            ) AS l ON l.project_id = t.project_id
            LEFT JOIN {table} g ON g.id = l.{column}
            GROUP BY 2""")
            share_params.append(by)
        sql = f"""
        WITH figures AS MATERIALIZED ({figures}),
        tonnes AS MATERIALIZED (
            SELECT f.project_id, ROUND(SUM(f.value * c.numerator / c.denominator * c.coefficient), 3) AS tonnes
            FROM figures f JOIN (VALUES {values}) AS c (indicator_id, numerator, denominator, coefficient)
                ON c.indicator_id = f.indicator_id
            GROUP BY f.project_id
        )
        SELECT 'total', '', SUM(tonnes) FROM tonnes
        UNION ALL {" UNION ALL ".join(shares)}
        UNION ALL
        SELECT 'uncovered', indicator_id::text, NULL FROM figures WHERE indicator_id = ANY(%s) GROUP BY indicator_id"""
        params = [
            *params,
            *(part for row in rows for part in row),
            *share_params,
            uncovered,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for kind, key, tonnes in cursor.fetchall():
                if kind == "total":
                    found[year]["total"] = tonnes
                elif kind == "uncovered":
                    found[year]["uncovered"].add(key)
                elif tonnes is not None:
                    found[year][kind][key] = Decimal(tonnes)
    return found
