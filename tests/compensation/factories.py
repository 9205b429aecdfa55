"""factory_boy factories of the compensation tests."""

import datetime
from decimal import Decimal

import factory

from projects.compensation.choices import RuleKind
from projects.compensation.models import (
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    MonitoringSection,
    ProductType,
    SettlementRule,
    Standard,
)
from projects.core.models import Organization, Province
from tests.restoration import factories as restoration_factories

GOOD_WATER = {"ph": "7.5", "do": "7.0", "codmn": "3.0", "cod": "12", "bod5": "2.5", "nh3n": "0.4", "tp": "0.08"}
"""Class II in a river: every parameter within the class II limits."""


def org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def add_sample(actor, section, day: datetime.date, *, source="manual", **overrides):
    """A sample written through the service, with ``GOOD_WATER`` changed by ``overrides``."""
    from projects.compensation import services

    items = measurements(**overrides)
    if source == "automatic":
        items = [m for m in items if m["parameter"] not in ("cod", "bod5")]
    return services.sample_save(
        actor=actor, data={"section": section, "sampled_on": day, "source": source, "measurements": items}
    )


def measurements(**overrides) -> list[dict]:
    values = {**GOOD_WATER, **overrides}
    return [
        {"parameter": p, "value": v, "unit": "" if p == "ph" else "mg/L"} for p, v in values.items() if v is not None
    ]


class ProjectFactory(restoration_factories.ProjectFactory):
    """The restoration tests' project, numbered apart from theirs."""

    code = factory.Sequence(lambda n: f"SC-2021-{n + 9000:04d}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringSection
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"section-{n}")
    name_zh = factory.Sequence(lambda n: f"测试断面{n}")
    river = "琼江"
    target_class = 3

    @factory.post_generation
    def responsible(obj, create, extracted, **kwargs):
        if create:
            slugs = extracted or ["sc-ecology-environment", "cq-ecology-environment"]
            obj.responsible_organizations.set([org(slug) for slug in slugs])


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SettlementRule

    code = factory.Sequence(lambda n: f"rule-{n}")
    name_zh = "测试规则"
    kind = RuleKind.CLASS_VS_TARGET
    amount_met = 10_000_000
    amount_missed = 10_000_000


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompensationAgreement
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"agreement-{n}")
    name_zh = "测试协议"
    river = "琼江"
    upstream_province = factory.LazyFunction(lambda: Province.objects.get(code="510000"))
    downstream_province = factory.LazyFunction(lambda: Province.objects.get(code="500000"))
    start_date = datetime.date(2022, 1, 1)
    end_date = datetime.date(2025, 12, 31)
    rule = factory.SubFactory(RuleFactory)
    status = "in_force"

    @factory.post_generation
    def sections(obj, create, extracted, **kwargs):
        if create:
            obj.sections.set(extracted if extracted is not None else [SectionFactory()])


def fund() -> CompensationFund:
    return CompensationFund.objects.get(code="yangtze-belt-compensation-fund")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EcologicalProduct

    name = factory.Sequence(lambda n: f"碳汇{n}")
    product_type = factory.LazyFunction(lambda: ProductType.objects.get(code="carbon-sink"))
    project = factory.SubFactory(ProjectFactory)
    quantity = Decimal("100")
    unit = "t CO2e"
    vintage = 2023
    owner = factory.LazyFunction(lambda: org("sc-natural-resources"))


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    code = factory.Sequence(lambda n: f"TEST-{n}")
    title_zh = factory.Sequence(lambda n: f"测试标准{n}")
    issuer = "sichuan"
