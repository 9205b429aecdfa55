"""Reporting upward: the area under restoration by ecosystem type, province, corridor and year, in
hectares, for national and international reporting (FAO FERM registry, GBF headline indicator 2.2).

One row per project, year and ecosystem type: the hectares its submitted and accepted reports
gave, in reports whose period ends in that year, on the indicators the catalogue adds up into the
derived ``restored-area`` (each component indicator names its ecosystem element and unit; values are
converted exactly to hectares). Each row names the reports it sums, so every figure can be traced.
A project counts in its lead organization's province (no area is counted twice across provinces) and
lists all its corridors; adding rows up by corridor counts a project on two corridors in each. See
docs/reporting-upward.md.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch

from projects.core.models import Corridor
from projects.restoration.models import Indicator, IndicatorValue
from projects.restoration.selectors import COUNTED, RESTORED_AREA
from projects.restoration.units import to_hectares

COLUMNS = [
    "year",
    "project_code",
    "project_name",
    "ecosystem_type",
    "ecosystem_type_name",
    "province_code",
    "province_name",
    "corridors",
    "corridor_names",
    "area_ha",
    "report_ids",
    "project_id",
]


def area_indicators() -> list[Indicator]:
    """The area indicators of restoration per ecosystem type: the components of ``restored-area``."""
    derived = Indicator.objects.filter(code=RESTORED_AREA).first()
    if derived is None:
        return []
    return list(derived.components.select_related("element").order_by("code"))


def restoration_area_rows(*, projects, year: int | None = None) -> list[dict]:
    """The rows of the export (``COLUMNS``, plus ``geometry``: the project's shape or None)."""
    indicators = {i.pk: i for i in area_indicators()}
    values = IndicatorValue.objects.filter(
        report__status__in=COUNTED, indicator_id__in=list(indicators), report__project__in=projects
    )
    if year:
        values = values.filter(report__period_end__year=year)
    sums: dict = defaultdict(lambda: [Decimal("0"), set()])
    for project_id, report_id, period_end, indicator_id, value in values.values_list(
        "report__project_id", "report_id", "report__period_end", "indicator_id", "value"
    ):
        indicator = indicators[indicator_id]
        element = indicator.element
        key = (project_id, period_end.year, element.code if element else indicator.code)
        sums[key][0] += to_hectares(value, indicator.unit)
        sums[key][1].add(str(report_id))
    elements = {
        (i.element.code if i.element else i.code): (i.element.name if i.element else i.name)
        for i in indicators.values()
    }
    project_ids = {key[0] for key in sums}
    shown = {
        p.pk: p
        for p in projects.model.objects.filter(pk__in=project_ids)
        .select_related("lead_organization__province")
        .prefetch_related(Prefetch("corridors", queryset=Corridor.objects.only("pk", "slug", "name_zh", "name_en")))
    }
    rows = []
    for (project_id, row_year, element), (hectares, reports) in sorted(
        sums.items(), key=lambda item: (item[0][1], shown[item[0][0]].code, item[0][2])
    ):
        project = shown[project_id]
        province = project.lead_organization.province
        corridors = sorted(project.corridors.all(), key=lambda c: c.slug)
        rows.append(
            {
                "year": row_year,
                "project_code": project.code,
                "project_name": project.name,
                "ecosystem_type": element,
                "ecosystem_type_name": elements[element],
                "province_code": province.code if province else "",
                "province_name": province.name if province else "",
                "corridors": ";".join(c.slug for c in corridors),
                "corridor_names": ";".join(c.name for c in corridors),
                "area_ha": str(hectares.quantize(Decimal("0.0001"))),
                "report_ids": ";".join(sorted(reports)),
                "project_id": str(project.pk),
                "geometry": project.geometry,
            }
        )
    return rows
