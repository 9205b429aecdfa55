"""Reads of the compensation domain: fund totals, the standards' harmonization and the carbon path.

Each runs a fixed number of queries whatever the amount of data.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from projects.compensation import grouped_carbon
from projects.compensation.choices import Issuer, StandardStatus, TradeStatus
from projects.compensation.models import (
    CarbonCoefficient,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    Standard,
    Trade,
)
from projects.compensation.numbers import exact_text, plain, rounded_text

# --- water quality ------------------------------------------------------------------------------


def section_samples(section, start: datetime.date, end: datetime.date) -> list[dict]:
    """The section's samples in the period as the evaluation reads them (values used, one query)."""
    from projects.compensation.models import WaterSample

    samples = (
        WaterSample.objects.filter(section=section, sampled_on__gte=start, sampled_on__lte=end)
        .order_by("sampled_on", "pk")
        .prefetch_related("measurements")
    )
    return [
        {
            "date": sample.sampled_on.isoformat(),
            "values": {m.parameter: plain(m.effective_value) for m in sample.measurements.all()},
        }
        for sample in samples
    ]


def section_evaluation(section, *, start: datetime.date, end: datetime.date, method: str) -> dict:
    """A section's class over a period by the single-factor method and ``method`` (the class of
    the period mean, or the worst of the monthly means with every month listed), its limiting
    parameters and its verdict against the target class: met, missed or no data (a period
    without samples neither meets nor misses its target: ``meets_target`` is null)."""
    from projects.compensation.evaluation import evaluate, load_limits

    samples = section_samples(section, start, end)
    result = evaluate(
        samples,
        section.waterbody,
        load_limits(),
        method=method,
        start=start,
        end=end,
        target_class=section.target_class,
    )
    return {"section": section.code, "start": start, "end": end, "target_class": section.target_class, **result}


# --- ecological products ------------------------------------------------------------------------


def with_remaining(queryset):
    """Annotate ``sold`` and ``remaining`` (agreed and settled trades count) in the same query."""
    sold = (
        Trade.objects.filter(product=OuterRef("pk"), status__in=[TradeStatus.AGREED, TradeStatus.SETTLED])
        .values("product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    decimal = DecimalField(max_digits=16, decimal_places=3)
    return queryset.annotate(
        sold=Coalesce(Subquery(sold, output_field=decimal), Value(Decimal("0")), output_field=decimal)
    ).annotate(remaining=F("quantity") - F("sold"))


def remaining_of(product: EcologicalProduct) -> Decimal:
    return with_remaining(EcologicalProduct.objects.filter(pk=product.pk)).values_list("remaining", flat=True).get()


# --- the fund -----------------------------------------------------------------------------------


def fund_totals(*, fund=None) -> dict:
    """Contributions and allocations by year, province and corridor, the balance, and the share
    going to the upstream barrier areas (six-river corridors and key ecological areas). Seven queries."""
    contributions = FundContribution.objects.all()
    allocations = FundAllocation.objects.all()
    if fund is not None:
        contributions, allocations = contributions.filter(fund=fund), allocations.filter(fund=fund)
    paid_in = contributions.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    barrier = Q(key_area__isnull=False) | Q(corridor__is_six_rivers=True)
    out = allocations.aggregate(total=Coalesce(Sum("amount"), 0), barrier=Coalesce(Sum("amount", filter=barrier), 0))
    by_year = defaultdict(lambda: {"contributed": 0, "allocated": 0})
    for row in contributions.annotate(year=ExtractYear("received_on")).values("year").annotate(total=Sum("amount")):
        by_year[row["year"]]["contributed"] = row["total"]
    for row in allocations.annotate(year=ExtractYear("allocated_on")).values("year").annotate(total=Sum("amount")):
        by_year[row["year"]]["allocated"] = row["total"]
    by_province = defaultdict(lambda: {"contributed": 0, "allocated": 0})
    for row in contributions.values("contributor__province__code", "contributor__province__name_zh").annotate(
        total=Sum("amount")
    ):
        key = (row["contributor__province__code"] or "", row["contributor__province__name_zh"] or "")
        by_province[key]["contributed"] += row["total"]
    for row in allocations.values("province__code", "province__name_zh").annotate(total=Sum("amount")):
        by_province[(row["province__code"], row["province__name_zh"])]["allocated"] += row["total"]
    by_corridor = [
        {
            "corridor": row["corridor__slug"] or "",
            "name": row["corridor__name_zh"] or "",
            "six_rivers": bool(row["corridor__is_six_rivers"]),
            "allocated": row["total"],
            "allocations": row["n"],
        }
        for row in allocations.values("corridor__slug", "corridor__name_zh", "corridor__is_six_rivers")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("-total", "corridor__slug")
    ]
    total_out = out["total"]
    share = Fraction(out["barrier"], total_out) if total_out else None
    return {
        "unit": "yuan",
        "contributed": paid_in,
        "allocated": total_out,
        "balance": paid_in - total_out,
        "upstream_barrier": {
            "allocated": out["barrier"],
            # Rounded for display; the exact share beside it.
            "share": rounded_text(share, 4) if share is not None else None,
            "share_exact": exact_text(share) if share is not None else None,
        },
        "by_year": [{"year": year, **values} for year, values in sorted(by_year.items())],
        "by_province": [
            {"province": code, "name": name, **values} for (code, name), values in sorted(by_province.items())
        ],
        "by_corridor": by_corridor,
    }


# --- standards ----------------------------------------------------------------------------------


def harmonization() -> list[dict]:
    """Per restoration measure: Sichuan's standards beside Chongqing's, the joint and national
    ones, and whether a published joint standard replaces both provinces' (three queries)."""
    from django.db.models import Prefetch

    from projects.restoration.models import MeasureType

    standards = Standard.objects.prefetch_related("replaces")
    measures = MeasureType.objects.prefetch_related(Prefetch("standards", queryset=standards.order_by("code")))
    rows = []
    for measure in measures:
        by_issuer = defaultdict(list)
        for standard in measure.standards.all():
            by_issuer[standard.issuer].append(standard)
        provincial = by_issuer[Issuer.SICHUAN] + by_issuer[Issuer.CHONGQING]
        joint = by_issuer[Issuer.JOINT]
        published_joint = [s for s in joint if s.status == StandardStatus.PUBLISHED]
        replaced = {r.pk for s in published_joint for r in s.replaces.all()}
        if published_joint and provincial and all(s.pk in replaced for s in provincial):
            state = "unified"
        elif published_joint and not provincial:
            state = "joint_only"
        elif joint:
            state = "joint_in_progress"
        elif by_issuer[Issuer.SICHUAN] and by_issuer[Issuer.CHONGQING]:
            state = "separate"
        elif provincial:
            state = "one_province_only"
        else:
            state = "none"
        rows.append(
            {
                "measure": {
                    "id": str(measure.pk),
                    "code": measure.code,
                    "name_zh": measure.name_zh,
                    "name_en": measure.name_en,
                },
                "sichuan": [_brief(s, replaced) for s in by_issuer[Issuer.SICHUAN]],
                "chongqing": [_brief(s, replaced) for s in by_issuer[Issuer.CHONGQING]],
                "joint": [_brief(s, replaced) for s in joint],
                "national": [_brief(s, replaced) for s in by_issuer[Issuer.NATIONAL]],
                "joint_replaces_both": state == "unified",
                "state": state,
            }
        )
    return rows


def _brief(standard, replaced: set) -> dict:
    return {
        "id": str(standard.pk),
        "code": standard.code,
        "title_zh": standard.title_zh,
        "status": standard.status,
        "effective_date": standard.effective_date.isoformat() if standard.effective_date else None,
        "replaced_by_joint": standard.pk in replaced,
    }


# --- carbon -------------------------------------------------------------------------------------

# Area units an area indicator may use, in hectares.
HECTARES = {
    "ha": Decimal(1),
    "hm2": Decimal(1),
    "hm²": Decimal(1),
    "公顷": Decimal(1),
    "亩": Decimal(1) / Decimal(15),
    "mu": Decimal(1) / Decimal(15),
    "万亩": Decimal(10000) / Decimal(15),
    "km2": Decimal(100),
    "km²": Decimal(100),
    "平方公里": Decimal(100),
    "平方千米": Decimal(100),
    "m2": Decimal("0.0001"),
    "m²": Decimal("0.0001"),
    "平方米": Decimal("0.0001"),
}
TONNES = Decimal("0.001")


def hectares_per(unit: str) -> Decimal | None:
    return HECTARES.get((unit or "").strip().lower().replace(" ", ""))


def sequestration_path(*, years: list[int], project_ids=None, each_project: bool = True) -> dict:
    """Estimated sequestration (t CO2e per year) from each project's restored area per ecosystem
    type, cumulated to the end of each year, times the coefficient table.

    The restored area is the achieved total of the project's area indicators that name an
    ecosystem element (``indicator_totals``). A project on several corridors or in several
    provinces is split equally between them, so the breakdowns add up to the total.
    ``each_project=False`` leaves out each project's part (``projects``): a page showing only the
    totals does not read 100,000 codes nor format each project's areas; on PostgreSQL these totals
    are then combined in the database (``grouped_carbon``: 2 + 1 query per year). Queries: 5 + 3 per
    year.
    """
    from projects.restoration.models import Indicator

    coefficients = {c.element_id: c for c in CarbonCoefficient.objects.select_related("element")}
    indicators = {
        i.pk: i
        # A derived indicator (restored area) is the sum of element areas: never counted again.
        for i in Indicator.objects.filter(element__isnull=False, components=None).select_related("element")
        if hectares_per(i.unit) is not None
    }
    if not each_project and project_ids is None and grouped_carbon.available():
        per_project, codes = {}, {}
        total, by_corridor, by_province, missing_coefficients = _tonnes_in_database(years, indicators, coefficients)
    else:
        per_project, codes, total, by_corridor, by_province, missing_coefficients = _tonnes(
            years, indicators, coefficients, project_ids=project_ids, each_project=each_project
        )

    def rounded(series):
        return {year: str(series[year].quantize(TONNES, rounding=ROUND_HALF_UP)) for year in years if year in series}

    shown = {
        "unit": "t CO2e/year",
        "years": years,
        "coefficients": [
            {
                "element": c.element.code,
                "name_zh": c.element.name_zh,
                "tco2e_per_ha_year": str(c.tco2e_per_ha_year),
                "source": c.source,
                "verified": c.verified,
            }
            for c in sorted(coefficients.values(), key=lambda c: c.element.sort_order)
        ],
        "all_coefficients_verified": all(c.verified for c in coefficients.values()) if coefficients else False,
        "elements_without_coefficient": sorted(missing_coefficients),
        "total": rounded(total),
        "by_corridor": {slug or "none": rounded(series) for slug, series in sorted(by_corridor.items())},
        "by_province": {code or "none": rounded(series) for code, series in sorted(by_province.items())},
    }
    if each_project:
        shown["projects"] = [
            {"code": codes[pid], "by_year": data["by_year"], "area_ha": data["area_ha"]}
            for pid, data in sorted(per_project.items(), key=lambda item: codes[item[0]])
        ]
    return shown


def _tonnes(years, indicators, coefficients, *, project_ids, each_project):
    """The carbon path in Python: (each project's part, codes, totals by year, by corridor and
    province, elements without a coefficient)."""
    from projects.restoration.models import Project
    from projects.restoration.progress import indicator_totals

    # Codes and memberships as plain rows: at 100,000 projects, model instances with prefetches
    # and an id list sent back in every query cost most of the time.
    projects = Project.objects.all()
    corridors_of, provinces_of = defaultdict(list), defaultdict(list)
    corridor_links = Project.corridors.through.objects.order_by("corridor__slug")
    province_links = Project.provinces.through.objects.order_by("province__code")
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
        corridor_links = corridor_links.filter(project_id__in=project_ids)
        province_links = province_links.filter(project_id__in=project_ids)
    codes = dict(projects.values_list("pk", "code")) if each_project or project_ids is not None else {}
    for project_id, slug in corridor_links.values_list("project_id", "corridor__slug"):
        corridors_of[project_id].append(slug)
    for project_id, code in province_links.values_list("project_id", "province__code"):
        provinces_of[project_id].append(code)

    per_project: dict = defaultdict(lambda: {"by_year": {}, "area_ha": {}})
    by_corridor: dict = defaultdict(lambda: defaultdict(Decimal))
    by_province: dict = defaultdict(lambda: defaultdict(Decimal))
    total: dict = defaultdict(Decimal)
    missing_coefficients = set()
    for year in years:
        totals = indicator_totals(
            project_ids=None if project_ids is None else list(codes), end=datetime.date(year, 12, 31)
        )
        yearly = defaultdict(Decimal)
        areas = defaultdict(lambda: defaultdict(Decimal))
        for (project_id, indicator_id), value in totals.items():
            indicator = indicators.get(indicator_id)
            if indicator is None:
                continue
            hectares = value * hectares_per(indicator.unit)
            areas[project_id][indicator.element.code] += hectares
            coefficient = coefficients.get(indicator.element_id)
            if coefficient is None:
                missing_coefficients.add(indicator.element.code)
                continue
            yearly[project_id] += hectares * coefficient.tco2e_per_ha_year
        for project_id, tonnes in yearly.items():
            tonnes = tonnes.quantize(TONNES, rounding=ROUND_HALF_UP)
            if each_project:
                per_project[project_id]["by_year"][year] = str(tonnes)
            total[year] += tonnes
            corridors = corridors_of.get(project_id) or [""]
            provinces = provinces_of.get(project_id) or [""]
            for slug in corridors:
                by_corridor[slug][year] += tonnes / len(corridors)
            for code in provinces:
                by_province[code][year] += tonnes / len(provinces)
        for project_id, per_element in areas.items() if each_project else ():
            per_project[project_id]["area_ha"][year] = {
                code: str(area.quantize(TONNES, rounding=ROUND_HALF_UP)) for code, area in sorted(per_element.items())
            }
    return per_project, codes, total, by_corridor, by_province, missing_coefficients


def _tonnes_in_database(years, indicators, coefficients):
    """The carbon path's totals combined in PostgreSQL (``grouped_carbon``), as ``_tonnes`` gives them."""
    from projects.restoration.selectors import COUNTED

    found = grouped_carbon.tonnes_by_groups(
        years=years, statuses=COUNTED, indicators=indicators, coefficients=coefficients
    )
    total, missing = {}, set()
    by_corridor: dict = defaultdict(dict)
    by_province: dict = defaultdict(dict)
    for year, figures in found.items():
        if figures["total"] is not None:
            total[year] = figures["total"]
        for slug, tonnes in figures["corridor"].items():
            by_corridor[slug][year] = tonnes
        for code, tonnes in figures["province"].items():
            by_province[code][year] = tonnes
        missing |= {indicators[pk].element.code for pk in indicators if str(pk) in figures["uncovered"]}
    return total, by_corridor, by_province, missing


def with_latest_sample(sections):
    """Monitoring sections with the class and date of their latest classified sample (one query)."""
    from projects.compensation.models import WaterSample

    latest = WaterSample.objects.filter(section=OuterRef("pk"), water_class__isnull=False).order_by("-sampled_on")
    return sections.annotate(
        latest_class=Subquery(latest.values("water_class")[:1]),
        latest_sampled_on=Subquery(latest.values("sampled_on")[:1]),
    )
