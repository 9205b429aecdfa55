"""The figures per province and corridor combined in PostgreSQL (``grouped_figures``) are the
figures the Python rules give (``selectors``), on varied data: every rule over time and across
projects, a derived indicator with a component in 亩 (a factor of 1/15), averages that do not end,
projects without a weight, reports that do not count, windows with and without a start."""

import datetime
import random
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.db import connection

from projects.core.models import Corridor, Province
from projects.restoration.choices import Aggregation, Combination
from projects.restoration.models import Indicator, ShorelineSegment
from projects.restoration.selectors import totals_by
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, org

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the figures are combined in PostgreSQL only"),
]
REPORTED = [
    "forest-restored-area",
    "wetland-restored-area",
    "farmland-restored-area",
    "natural-shoreline-ratio",
    "vegetation-cover",
    "species-recorded",
    "water-conservation",
    "restored-area",  # derived: a value stored on it is ignored
    "shrub-restored-area",
]
WINDOWS = [(None, None), (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)), (None, datetime.date(2024, 6, 30))]


@pytest.fixture
def varied():
    shrub = Indicator.objects.create(
        code="shrub-restored-area", name_zh="灌木林修复面积", unit="亩", aggregation=Aggregation.SUM
    )
    Indicator.objects.get(code="restored-area").components.add(shrub)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=REPORTED)}
    corridors = list(Corridor.objects.order_by("slug"))
    reporter = UserFactory(organization=org("sc-natural-resources"))
    chance = random.Random(20261130)
    for n in range(36):
        lead = org(chance.choice(["sc-natural-resources", "cq-planning-natural-resources"]))
        partners = [org("cq-planning-natural-resources")] if chance.random() < 0.2 else []
        project = ProjectFactory(code=f"SC-2023-{n:04d}", lead_organization=lead, partners=partners)
        project.corridors.set(chance.sample(corridors, chance.choice([0, 1, 1, 2])))
        months = chance.sample(range(36), chance.randint(0, 6))
        for month in months:
            status = chance.choice(["accepted", "accepted", "submitted", "draft", "returned"])
            report = ReportFactory(
                project=project,
                period=f"{2023 + month // 12}-{month % 12 + 1:02d}",
                status=status,
                reported_by=reporter,
            )
            for code in chance.sample(REPORTED, chance.randint(1, 5)):
                value = Decimal(chance.randint(0, 10**6)).scaleb(-3) if chance.random() < 0.9 else Decimal(0)
                report.values.create(indicator=indicators[code], value=value)
        if chance.random() < 0.5:
            ShorelineSegment.objects.create(
                corridor=chance.choice(corridors),
                province=Province.objects.get(code=chance.choice(["510000", "500000"])),
                bank=chance.choice(["left", "right"]),
                state=chance.choice(["natural", "hardened", "restored"]),
                geometry=LineString((106 + n * 0.01, 30.0), (106.005 + n * 0.01, 30.0), srid=4326),
                length_m=Decimal(chance.randint(1, 5000)),
                project=project,
                surveyed_on=datetime.date(2024, chance.randint(1, 12), 1),
            )


@pytest.mark.parametrize("by", ["province", "corridor"])
@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_the_database_combines_the_figures_as_the_python_rules_do(varied, by, start, end):
    in_python = totals_by(by=by, start=start, end=end, in_database=False)
    in_database = totals_by(by=by, start=start, end=end, in_database=True)

    assert in_database == in_python
    rules = {row["rule"] for group in in_python["groups"] for row in group["indicators"]}
    assert {Combination.SUM, Combination.PER_PROJECT} <= rules and any(r.startswith("weighted_mean") for r in rules)
    assert any(row["left_out"] for row in in_python["all"]["indicators"])  # projects without a weight


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_both_groupings_from_one_statement_are_each_grouping_alone(varied, start, end):
    """The overview's totals by province and by corridor, each project's figures computed once for
    both: the Python rules' answer for each."""
    from projects.restoration.selectors import totals_by_each

    both = totals_by_each(bys=("province", "corridor"), start=start, end=end)
    assert both == {by: totals_by(by=by, start=start, end=end, in_database=False) for by in ("province", "corridor")}


def test_a_component_in_mu_counts_a_fifteenth_of_a_hectare(varied):
    """The factor path on its own: 1 亩 is 1/15 ha, so 10 亩 is 0.667 ha shown."""
    project = ProjectFactory(code="SC-2023-0999", lead_organization=org("sc-natural-resources"))
    report = ReportFactory(project=project, period="2030-01", status="accepted")
    report.values.create(indicator=Indicator.objects.get(code="shrub-restored-area"), value=Decimal("10"))
    window = {"start": datetime.date(2030, 1, 1), "end": datetime.date(2030, 12, 31)}

    for in_database in (True, False):
        rows = {
            r["indicator"]: r for r in totals_by(by="province", in_database=in_database, **window)["all"]["indicators"]
        }
        assert rows["restored-area"]["value"] == "0.667"


@pytest.fixture
def under_way():
    """Projects in every status, reporting by month or quarter from any day of a month, some with
    no planned start or end; counted and uncounted reports of both kinds of period (a quarter's
    report on a monthly project is no month's), ties on the period end."""
    from projects.restoration.choices import ProjectStatus, ReportingPeriod

    corridors = list(Corridor.objects.order_by("slug"))
    reporter = UserFactory(organization=org("sc-natural-resources"))
    chance = random.Random(20261201)
    for n in range(40):
        start = datetime.date(2021 + chance.randint(0, 4), chance.randint(1, 12), chance.randint(1, 28))
        end = start + datetime.timedelta(days=chance.randint(0, 1500)) if chance.random() < 0.8 else None
        project = ProjectFactory(
            code=f"SC-2022-{n:04d}",
            lead_organization=org(chance.choice(["sc-natural-resources", "cq-planning-natural-resources"])),
            partners=[org("cq-planning-natural-resources")] if chance.random() < 0.2 else [],
            status=chance.choice(ProjectStatus.values + [ProjectStatus.IN_PROGRESS] * 4),
            planned_start=start if chance.random() < 0.95 else None,
            planned_end=end,
            reporting_period=chance.choice(ReportingPeriod.values),
            total_budget=Decimal(chance.randint(0, 10**7)).scaleb(-2),
        )
        project.corridors.set(chance.sample(corridors, chance.choice([0, 1, 1, 2])))
        periods = {f"{2021 + m // 12}-{m % 12 + 1:02d}" for m in chance.sample(range(60), chance.randint(0, 20))}
        periods |= {f"{2021 + q // 4}-Q{q % 4 + 1}" for q in chance.sample(range(20), chance.randint(0, 4))}
        for period in sorted(periods):
            ReportFactory(
                project=project,
                period=period,
                status=chance.choice(["accepted", "accepted", "submitted", "draft", "returned"]),
                cumulative_investment=Decimal(chance.randint(0, 10**6)).scaleb(-2),
                reported_by=reporter,
            )
    # Cutoffs on a month's and a quarter's last day: the closing report's quarter after the planned
    # end (2024-03-30 + 92 days is 30 June) and, below, ``today`` 15 days after one.
    for n, kind in enumerate(ReportingPeriod.values):
        ProjectFactory(
            code=f"SC-2022-{90 + n:04d}",
            planned_start=datetime.date(2023, 11, 20),
            planned_end=datetime.date(2024, 3, 30),
            reporting_period=kind,
        )


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2022, 3, 16),
        datetime.date(2024, 7, 1),
        datetime.date(2024, 7, 15),
        datetime.date(2025, 4, 15),
        datetime.date(2025, 12, 31),
        datetime.date(2031, 1, 1),
    ],
)
def test_the_database_summarises_the_projects_as_the_python_rules_do(under_way, today):
    from projects.restoration.selectors import project_summaries

    in_python = project_summaries(today=today, in_database=False)
    in_database = project_summaries(today=today, in_database=True)

    assert in_database == in_python
    assert set(in_python["corridor"]) > {""} and set(in_python["province"]) == {"510000", "500000"}
    # The data holds what the rules tell apart: periods overdue and money spent.
    assert sum(group["overdue"] for group in in_python["province"].values()) > 0
    assert any(group["spent"] != "0.00" for group in in_python["province"].values())
