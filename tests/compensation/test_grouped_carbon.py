"""The carbon path's totals combined in PostgreSQL (``grouped_carbon``) are those of the Python
path, on varied data: area indicators in 公顷, 亩 (a factor of 1/15) and km², summed, latest and
averaged over time; elements with and without a coefficient; projects on no corridor, on one and
on several (split equally), in one province or two; reports that do not count."""

import random
from decimal import Decimal

import pytest
from django.db import connection

from projects.compensation import grouped_carbon
from projects.compensation.models import CarbonCoefficient
from projects.compensation.selectors import sequestration_path
from projects.core.models import Corridor
from projects.restoration.choices import Aggregation
from projects.restoration.models import EcosystemElement, Indicator
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the totals are combined in PostgreSQL only"),
]
YEARS = [2023, 2024, 2025]


@pytest.fixture
def varied():
    elements = {e.code: e for e in EcosystemElement.objects.all()}
    CarbonCoefficient.objects.create(element=elements["desert"], tco2e_per_ha_year=Decimal("0.7"), source="test")
    CarbonCoefficient.objects.create(element=elements["mountain"], tco2e_per_ha_year=Decimal("2.5"), source="test")
    extra = [
        ("desert-restored-area", "亩", Aggregation.LATEST, "desert"),
        ("mountain-restored-area", "km²", Aggregation.AVERAGE, "mountain"),
        ("water-restored-area", "公顷", Aggregation.SUM, "water"),  # no coefficient
        ("water-bodies-restored", "个", Aggregation.SUM, "water"),  # not an area: never counted
    ]
    for code, unit, aggregation, element in extra:
        Indicator.objects.create(code=code, name_zh=code, unit=unit, aggregation=aggregation, element=elements[element])
    reported = [
        "forest-restored-area",
        "wetland-restored-area",
        "farmland-restored-area",
        "grassland-restored-area",
        "restored-area",  # derived: never counted again
        "vegetation-cover",  # no element
        *(code for code, *_rest in extra),
    ]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=reported)}
    corridors = list(Corridor.objects.order_by("slug"))
    reporter = UserFactory(organization=org("sc-natural-resources"))
    chance = random.Random(20261202)
    for n in range(40):
        project = ProjectFactory(
            code=f"SC-2023-{n:04d}",
            lead_organization=org(chance.choice(["sc-natural-resources", "cq-planning-natural-resources"])),
            partners=[org("cq-planning-natural-resources")] if chance.random() < 0.3 else [],
        )
        project.corridors.set(chance.sample(corridors, chance.choice([0, 1, 1, 2, 3])))
        for month in chance.sample(range(36), chance.randint(0, 5)):
            report = ReportFactory(
                project=project,
                period=f"{2023 + month // 12}-{month % 12 + 1:02d}",
                status=chance.choice(["accepted", "accepted", "submitted", "draft", "returned"]),
                reported_by=reporter,
            )
            for code in chance.sample(reported, chance.randint(1, 4)):
                value = Decimal(chance.randint(0, 10**6)).scaleb(-3) if chance.random() < 0.9 else Decimal(0)
                report.values.create(indicator=indicators[code], value=value)


def test_the_database_adds_up_the_carbon_path_as_the_python_path_does(varied, monkeypatch):
    in_database = sequestration_path(years=YEARS, each_project=False)
    monkeypatch.setattr(grouped_carbon, "available", lambda: False)
    in_python = sequestration_path(years=YEARS, each_project=False)

    assert in_database == in_python
    # The data holds what the rules tell apart.
    assert set(in_python["total"]) == set(YEARS)
    assert in_python["elements_without_coefficient"] == ["water"]
    assert {"none", "jialing"} <= set(in_python["by_corridor"]) and set(in_python["by_province"]) == {
        "500000",
        "510000",
    }
    whole = sequestration_path(years=YEARS)
    assert in_python == {key: value for key, value in whole.items() if key != "projects"}
    # Each breakdown adds up to the total, within a thousandth per group.
    for year in YEARS:
        for by in ("by_corridor", "by_province"):
            parts = sum(Decimal(series[year]) for series in in_python[by].values() if year in series)
            assert abs(parts - Decimal(in_python["total"][year])) <= Decimal("0.001") * len(in_python[by])


def test_the_totals_cost_one_query_a_year(varied, django_assert_num_queries):
    with django_assert_num_queries(2 + len(YEARS)):
        sequestration_path(years=YEARS, each_project=False)


def test_a_year_before_any_report_has_no_figure(varied):
    path = sequestration_path(years=[2020], each_project=False)
    assert path["total"] == {} and path["elements_without_coefficient"] == []
    assert path["by_corridor"] == {} and path["by_province"] == {}
