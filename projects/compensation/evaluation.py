"""GB 3838-2002 single-factor evaluation (单因子评价法).

Pure functions over plain data, so the settlement can replay them from its stored inputs:
``limits`` maps a water body to ``{parameter: [(class, comparator, limit, upper), …]}``.
A parameter's class is the best class whose limit it meets (6 = worse than V); a sample's
or a period's class is the worst class of its evaluated parameters, and the parameters at
that class are the limiting ones. Means use half the detection limit for values below it.

Everything is exact: values and limits are decimals, means are fractions, and nothing is
rounded before it is compared with a limit (``projects.compensation.numbers``). A period
judged month by month lists every month, those without samples as "no data".
"""

import datetime
from collections import defaultdict
from fractions import Fraction

from projects.compensation.choices import Comparator, EvaluationMethod, LimitWaterbody, WaterClass
from projects.compensation.numbers import exact, exact_text, plain

WORSE_THAN_V = int(WaterClass.WORSE_THAN_V)
MET, MISSED, NO_DATA = "met", "missed", "no_data"


def load_limits() -> dict:
    """The limit table from the database, in the plain form the evaluation uses."""
    from projects.compensation.models import QualityLimit, WaterParameter

    table = {"river": defaultdict(dict), "lake": defaultdict(dict)}
    for limit in QualityLimit.objects.order_by("parameter", "water_class"):
        row = (limit.water_class, limit.comparator, plain(limit.limit), _plain_or_none(limit.upper_limit))
        targets = ("river", "lake") if limit.waterbody == LimitWaterbody.ANY else (limit.waterbody,)
        for waterbody in targets:
            # A limit specific to the water body wins over the general one.
            if limit.waterbody != LimitWaterbody.ANY or limit.water_class not in table[waterbody][limit.parameter]:
                table[waterbody][limit.parameter][limit.water_class] = row
    evaluated = dict(WaterParameter.objects.values_list("code", "evaluated_for"))
    return {
        "limits": {
            waterbody: {param: [rows[c] for c in sorted(rows)] for param, rows in params.items()}
            for waterbody, params in table.items()
        },
        "evaluated": evaluated,
    }


def _plain_or_none(value):
    return None if value is None else plain(value)


def _meets(value: Fraction, comparator: str, limit: str, upper: str | None) -> bool:
    if comparator == Comparator.AT_LEAST:
        return value >= exact(limit)
    if comparator == Comparator.RANGE:
        return exact(limit) <= value <= exact(upper if upper is not None else limit)
    return value <= exact(limit)


def parameter_class(rows: list, value) -> int:
    value = exact(value)
    for water_class, comparator, limit, upper in rows:
        if _meets(value, comparator, limit, upper):
            return int(water_class)
    return WORSE_THAN_V


def counts(evaluated: dict, parameter: str, waterbody: str) -> bool:
    where = evaluated.get(parameter, "any")
    return where == "any" or where == waterbody


def classify(values: dict, waterbody: str, table: dict) -> dict:
    """Class per parameter, the overall class and the limiting parameters (values exact)."""
    limits = table["limits"].get(waterbody, {})
    classes = {}
    for parameter in sorted(values):
        if parameter in limits and counts(table["evaluated"], parameter, waterbody):
            classes[parameter] = parameter_class(limits[parameter], values[parameter])
    if not classes:
        return {"class": None, "limiting": [], "classes": {}}
    worst = max(classes.values())
    return {"class": worst, "limiting": sorted(p for p, c in classes.items() if c == worst), "classes": classes}


def mean_values(samples: list[dict]) -> dict[str, Fraction]:
    """Per parameter, the exact mean of the samples' values (each sample: ``{"values": {p: "1.2"}}``)."""
    sums: dict[str, Fraction] = defaultdict(Fraction)
    numbers: dict[str, int] = defaultdict(int)
    for sample in samples:
        for parameter, value in sample["values"].items():
            sums[parameter] += exact(value)
            numbers[parameter] += 1
    return {p: sums[p] / numbers[p] for p in sorted(sums)}


def verdict(water_class, target_class) -> dict:
    """Met, missed or no data: a period without samples neither meets nor misses its target."""
    if water_class is None:
        return {"meets_target": None, "status": NO_DATA}
    meets = water_class <= target_class
    return {"meets_target": meets, "status": MET if meets else MISSED}


def evaluate_period(samples: list[dict], waterbody: str, table: dict, target_class=None) -> dict:
    """A section's class over a period from the exact mean of its samples."""
    means = mean_values(samples)
    result = classify(means, waterbody, table)
    body = {"samples": len(samples), "means": {p: exact_text(v) for p, v in means.items()}, **result}
    if target_class is not None:
        body.update(verdict(result["class"], target_class))
    return body


def months_between(start: datetime.date, end: datetime.date) -> list[str]:
    """``YYYY-MM`` of every month from ``start`` to ``end``."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def evaluate_by_month(
    samples: list[dict], waterbody: str, table: dict, *, start: datetime.date, end: datetime.date, target_class=None
) -> dict[str, dict]:
    """Every month (``YYYY-MM``) of the period → the class of that month's mean; months without
    samples are listed with no class (and, with a target, as "no data")."""
    by_month: dict[str, list] = defaultdict(list)
    for sample in samples:
        by_month[sample["date"][:7]].append(sample)
    return {
        month: evaluate_period(by_month.get(month, []), waterbody, table, target_class)
        for month in months_between(start, end)
    }


def evaluate(
    samples: list[dict],
    waterbody: str,
    table: dict,
    *,
    method: str,
    start: datetime.date,
    end: datetime.date,
    target_class=None,
) -> dict:
    """A section's class over a period by ``method``: the class of the period mean
    (``period_mean``), or the worst class of the monthly means (``monthly_mean``, every month
    listed). With a target class, the verdict: met, missed or no data."""
    if method != EvaluationMethod.MONTHLY_MEAN:
        return {"method": EvaluationMethod.PERIOD_MEAN, **evaluate_period(samples, waterbody, table, target_class)}
    months = evaluate_by_month(samples, waterbody, table, start=start, end=end, target_class=target_class)
    classes = [m["class"] for m in months.values() if m["class"] is not None]
    worst = max(classes) if classes else None
    limiting = sorted({p for m in months.values() if m["class"] == worst for p in m["limiting"]}) if classes else []
    body = {"method": EvaluationMethod.MONTHLY_MEAN, "samples": len(samples), "class": worst, "limiting": limiting}
    if target_class is not None:
        body.update(verdict(worst, target_class))
    return {**body, "months": months}
