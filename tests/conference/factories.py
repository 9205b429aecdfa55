"""Test data of the joint conference (factory_boy), built directly; the tests drive the services."""

import datetime
from decimal import Decimal

import factory

from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import (
    ActionItem,
    AnnualPlan,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
)
from projects.core.models import Corridor, Organization, Province
from projects.restoration.choices import ReportStatus
from projects.restoration.models import (
    FundingSource,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ProgressReport,
    Project,
)
from tests.factories import UserFactory
from tests.restoration import factories as restoration_factories

SC, CQ = "510000", "500000"


def org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def province(code: str) -> Province:
    return Province.objects.get(code=code)


def indicator(code: str = "restored-area") -> Indicator:
    return Indicator.objects.get(code=code)


def source(code: str = "central") -> FundingSource:
    return FundingSource.objects.get(code=code)


def corridor(slug: str) -> Corridor:
    return Corridor.objects.get(slug=slug)


class ProjectFactory(restoration_factories.ProjectFactory):
    """The restoration tests' project, here on the Jialing corridor with a 100 ha restored-area target."""

    code = factory.Sequence(lambda n: f"SC-2021-{n + 1:04d}")
    name_zh = factory.Sequence(lambda n: f"会议测试项目{n}")
    planned_start = datetime.date(2021, 1, 1)
    planned_end = datetime.date(2030, 12, 31)

    @factory.post_generation
    def corridors(obj, create, extracted, **kwargs):
        if create:
            obj.corridors.set([corridor(slug) for slug in (extracted if extracted is not None else ["jialing"])])

    @factory.post_generation
    def targets(obj, create, extracted, **kwargs):
        if create:
            for code, value in (extracted if extracted is not None else {"restored-area": "100"}).items():
                IndicatorTarget.objects.create(project=obj, indicator=indicator(code), target_value=Decimal(value))


def cq_project(**kwargs) -> Project:
    kwargs.setdefault("code", f"CQ-2021-{Project.objects.count() + 500:04d}")
    return ProjectFactory(lead_organization=org("cq-planning-natural-resources"), **kwargs)


def report(project, period: str, investment, values: dict | None = None, status=ReportStatus.ACCEPTED):
    """A counted progress report with indicator values ``{code: value}``."""
    reporter = UserFactory(organization=project.lead_organization)
    made = ProgressReport.objects.create(
        project=project,
        period=period,
        narrative="进展",
        percent_complete=Decimal("10"),
        cumulative_investment=Decimal(investment),
        status=status,
        reported_by=reporter,
    )
    for code, value in (values or {}).items():
        IndicatorValue.objects.create(report=made, indicator=indicator(code), value=Decimal(value))
    return made


class MeetingFactory(factory.django.DjangoModelFactory):
    """Meetings numbered in order, hosted by Sichuan and Chongqing in turn."""

    class Meta:
        model = Meeting

    sequence_no = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2022, 3, 18)
    host_province = factory.LazyAttribute(lambda m: province(SC if m.sequence_no % 2 else CQ))
    place = "成都"
    status = MeetingStatus.HELD


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"决议{n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    decision = factory.SubFactory(DecisionFactory)
    title = factory.Sequence(lambda n: f"督办事项{n}")
    responsible_organization = factory.LazyFunction(lambda: org("sc-natural-resources"))
    due_date = datetime.date(2022, 9, 30)


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan
        django_get_or_create = ("year",)

    year = 2022
    status = PlanStatus.DRAFT


class PlanItemFactory(factory.django.DjangoModelFactory):
    """An item with 100 (10,000 CNY) planned from central funds and a 40 ha target."""

    class Meta:
        model = PlanItem
        skip_postgeneration_save = True

    plan = factory.SubFactory(AnnualPlanFactory)
    project = factory.SubFactory(ProjectFactory)
    province = factory.LazyAttribute(lambda item: item.project.lead_organization.province)

    @factory.post_generation
    def parts(obj, create, extracted, **kwargs):
        if not create:
            return
        parts = (
            extracted if extracted is not None else {"funding": {"central": "100"}, "targets": {"restored-area": "40"}}
        )
        for code, amount in parts.get("funding", {}).items():
            PlanItemFunding.objects.create(item=obj, source=source(code), amount=Decimal(amount))
        for code, value in parts.get("targets", {}).items():
            PlanItemTarget.objects.create(item=obj, indicator=indicator(code), target_value=Decimal(value))
        for title, due in parts.get("milestones", {}).items():
            PlanMilestone.objects.create(item=obj, title=title, due_date=due)
        obj.refresh_derived()


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n}")
    field = "河流生态修复"
    affiliation = "四川大学"
    province = factory.LazyFunction(lambda: province(SC))
    term_start = datetime.date(2022, 1, 1)
    term_end = datetime.date(2099, 12, 31)


class ExpertReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertReview

    expert = factory.SubFactory(ExpertFactory)
    plan = factory.SubFactory(AnnualPlanFactory)
