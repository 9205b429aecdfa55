"""GB 3838-2002 single-factor evaluation (单因子评价法).

Pure functions over plain data, so the settlement can replay them from its stored inputs:
``limits`` maps a water body to ``{parameter: [(class, comparator, limit, upper), …]}``.
A parameter's class is the best class whose limit it meets (6 = worse than V); a sample's
or a period's class is the worst class of its evaluated parameters, and the parameters at
that class are the limiting ones. Means use half the detection limit for values below it.
No rounding is applied before comparing with the limits; means keep six decimal places.
"""

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from projects.compensation.choices import Comparator, LimitWaterbody, WaterClass

WORSE_THAN_V = int(WaterClass.WORSE_THAN_V)
SIX_PLACES = Decimal("0.000001")


def load_limits() -> dict:
    """The limit table from the database, in the plain form the evaluation uses."""
    from projects.compensation.models import QualityLimit, WaterParameter

    table = {"river": defaultdict(dict), "lake": defaultdict(dict)}
    for limit in QualityLimit.objects.order_by("parameter", "water_class"):
        row = (limit.water_class, limit.comparator, str(limit.limit), _str_or_none(limit.upper_limit))
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


def _str_or_none(value):
    return None if value is None else str(value)


def _meets(value: Decimal, comparator: str, limit: str, upper: str | None) -> bool:
    if comparator == Comparator.AT_LEAST:
        return value >= Decimal(limit)
    if comparator == Comparator.RANGE:
        return Decimal(limit) <= value <= Decimal(upper if upper is not None else limit)
    return value <= Decimal(limit)


def parameter_class(rows: list, value: Decimal) -> int:
    for water_class, comparator, limit, upper in rows:
        if _meets(value, comparator, limit, upper):
            return int(water_class)
    return WORSE_THAN_V


def counts(evaluated: dict, parameter: str, waterbody: str) -> bool:
    where = evaluated.get(parameter, "any")
    return where == "any" or where == waterbody


def classify(values: dict[str, Decimal], waterbody: str, table: dict) -> dict:
    """Class per parameter, the overall class and the limiting parameters."""
    limits = table["limits"].get(waterbody, {})
    classes = {}
    for parameter in sorted(values):
        if parameter in limits and counts(table["evaluated"], parameter, waterbody):
            classes[parameter] = parameter_class(limits[parameter], values[parameter])
    if not classes:
        return {"class": None, "limiting": [], "classes": {}}
    worst = max(classes.values())
    return {"class": worst, "limiting": sorted(p for p, c in classes.items() if c == worst), "classes": classes}


def mean_values(samples: list[dict]) -> dict[str, Decimal]:
    """Per parameter, the mean of the samples' values (each sample: ``{"values": {p: "1.2"}}``)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    numbers: dict[str, int] = defaultdict(int)
    for sample in samples:
        for parameter, value in sample["values"].items():
            sums[parameter] += Decimal(value)
            numbers[parameter] += 1
    return {p: (sums[p] / numbers[p]).quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN) for p in sorted(sums)}


def evaluate_period(samples: list[dict], waterbody: str, table: dict) -> dict:
    """A section's class over a period from the mean of its samples."""
    means = mean_values(samples)
    result = classify(means, waterbody, table)
    return {"samples": len(samples), "means": {p: str(v) for p, v in means.items()}, **result}


def evaluate_by_month(samples: list[dict], waterbody: str, table: dict) -> dict[str, dict]:
    """Month (``YYYY-MM``) → the class of that month's mean, for months with samples."""
    months: dict[str, list] = defaultdict(list)
    for sample in samples:
        months[sample["date"][:7]].append(sample)
    return {month: evaluate_period(months[month], waterbody, table) for month in sorted(months)}
