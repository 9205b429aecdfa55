import datetime
from decimal import Decimal

import factory

from projects.core.models import Organization
from projects.restoration.choices import ProjectStatus
from projects.restoration.models import Indicator, IndicatorTarget, ProgressReport, Project
from tests.factories import UserFactory


def org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project led by Sichuan's department unless told otherwise; derived facts refreshed."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SC-2024-{n + 1:04d}")
    name_zh = factory.Sequence(lambda n: f"测试修复项目{n}")
    lead_organization = factory.LazyFunction(lambda: org("sc-natural-resources"))
    planned_start = datetime.date(2025, 1, 1)
    planned_end = datetime.date(2027, 12, 31)
    total_budget = Decimal("1000")
    status = ProjectStatus.IN_PROGRESS

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partner_organizations.set(extracted)

    @factory.post_generation
    def derived(obj, create, extracted, **kwargs):
        if create:
            obj.refresh_derived()


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="restored-area"))
    target_value = Decimal("100")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period = factory.Sequence(lambda n: f"{2025 + n // 12}-{n % 12 + 1:02d}")
    narrative = "本月完成施工"
    percent_complete = Decimal("10")
    cumulative_investment = Decimal("100")
    reported_by = factory.SubFactory(
        UserFactory, organization=factory.LazyFunction(lambda: org("sc-natural-resources"))
    )
