"""Demo data of the compensation app (``manage.py load_demo``). Every figure here is a
demonstration value, marked ``is_demo`` / ``verified=False``; see docs/compensation.md.

Every record is written through the compensation services as the demo administrator, so it
has its history and passes the same rules as any other. Idempotent: records are matched by
their natural keys and skipped when they exist, so entered data is never overwritten.
Projects are taken from whatever rows the restoration demo created.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from projects.compensation import services
from projects.compensation.choices import (
    AgreementStatus,
    EvaluationMethod,
    Issuer,
    RuleKind,
    SettlementStatus,
    StandardKind,
    StandardStatus,
    TradeStatus,
)
from projects.compensation.models import (
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    MonitoringSection,
    ProductType,
    Settlement,
    SettlementRule,
    Standard,
    Trade,
    WaterSample,
)
from projects.core.models import Corridor, KeyArea, Organization, Province, User

SC, CQ = "510000", "500000"


def _get_or_save(save, model, lookup: dict, actor, **values):
    """The record matching ``lookup``, or a new one written through its service (with history)."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return save(actor=actor, data={**lookup, **values}), True


def _org(slug):
    return Organization.objects.filter(slug=slug).first()


def _admin():
    return User.objects.filter(is_superuser=True, is_active=True).order_by("date_joined").first()


# --- water quality and the agreement --------------------------------------------------------------


def _sample_values(rng: random.Random, year: int, month: int) -> list[dict]:
    # Class II–III water most of the year; the summer of 2024 brings class IV phosphorus and
    # ammonia (a demo of the settlement turning round).
    bad = year == 2024 and month in (6, 7, 8, 9, 10)
    values = {
        "ph": rng.uniform(7.2, 8.1),
        "do": rng.uniform(6.2, 8.0),
        "codmn": rng.uniform(2.6, 4.6),
        "cod": rng.uniform(10, 18),
        "bod5": rng.uniform(1.8, 3.6),
        "nh3n": rng.uniform(1.05, 1.4) if bad else rng.uniform(0.2, 0.8),
        "tp": rng.uniform(0.21, 0.28) if bad else rng.uniform(0.06, 0.18),
    }
    return [
        {"parameter": p, "value": Decimal(str(round(v, 3))), "unit": "" if p == "ph" else "mg/L"}
        for p, v in values.items()
    ]


def load_agreement(admin) -> dict:
    from django.contrib.gis.geos import Point

    sichuan, chongqing = Province.objects.get(code=SC), Province.objects.get(code=CQ)
    sc_env, cq_env = _org("sc-ecology-environment"), _org("cq-ecology-environment")
    section, _new = _get_or_save(
        services.section_save,
        MonitoringSection,
        {"code": "demo-qiongjiang-border"},
        admin,
        name_zh="琼江川渝跨界断面（演示）",
        name_en="Qiong River Sichuan–Chongqing border section (demo)",
        river="琼江",
        corridor=Corridor.objects.filter(slug="fu").first(),
        waterbody="river",
        location=Point(105.63, 30.13, srid=4326),
        target_class=3,
        description="演示断面：位置与数据均为演示值，非官方监测断面。",
        responsible_organizations=[o for o in (sc_env, cq_env) if o],
    )
    rule, _new = _get_or_save(
        services.rule_save,
        SettlementRule,
        {"code": "demo-months-meeting-target"},
        admin,
        name_zh="按达标月数结算（演示）",
        name_en="Settled by the months meeting the target (demo)",
        kind=RuleKind.MONTHS_MEETING_TARGET,
        amount_met=500_000,
        amount_missed=1_000_000,
        source_note="演示规则：金额为演示值（[U]），结构参照 docs/compensation.md §3 酉水、重庆2018方案。",
        verified=False,
    )
    agreement, new = _get_or_save(
        services.agreement_save,
        CompensationAgreement,
        {"code": "demo-qiongjiang-2023-2025"},
        admin,
        name_zh="琼江流域川渝横向生态补偿协议（演示）",
        name_en="Qiong River Sichuan–Chongqing horizontal compensation agreement (demo)",
        river="琼江",
        corridor=section.corridor,
        upstream_province=sichuan,
        downstream_province=chongqing,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        upstream_contribution=10_000_000,
        downstream_contribution=10_000_000,
        rule=rule,
        evaluation_method=EvaluationMethod.MONTHLY_MEAN,
        settlement_period="year",
        is_demo=True,
        sections=[section],
    )
    if new:
        agreement = services.agreement_transition(actor=admin, instance=agreement, to=AgreementStatus.IN_FORCE)
    rng = random.Random(2021)  # noqa: S311 - demo figures, reproducible
    created = 0
    for year in (2023, 2024):
        for month in range(1, 13):
            measurements = _sample_values(rng, year, month)
            day = datetime.date(year, month, 10)
            if WaterSample.objects.filter(section=section, sampled_on=day, source="manual").exists():
                continue
            services.sample_save(
                actor=admin,
                data={
                    "section": section,
                    "sampled_on": day,
                    "source": "manual",
                    "note": "演示数据",
                    "measurements": measurements,
                },
            )
            created += 1
    settlements = []
    for period in ("2023", "2024"):
        settlement = Settlement.objects.filter(agreement=agreement, period=period).first()
        if settlement is None:
            settlement = services.settlement_save(actor=admin, data={"agreement": agreement, "period": period})
        if settlement.status == SettlementStatus.PENDING:
            settlement = services.settlement_compute(instance=settlement)
        settlements.append(settlement)
    # The parties have confirmed 2023 (locked); 2024 waits for them.
    first = settlements[0]
    users = {u.username: u for u in User.objects.filter(username__in=["sc_staff", "cq_staff"])}
    if first.status == SettlementStatus.COMPUTED and len(users) == 2:
        for username in ("sc_staff", "cq_staff"):
            side = "upstream" if username == "sc_staff" else "downstream"
            if not getattr(first, f"{side}_confirmed_at"):
                first = services.settlement_transition(
                    actor=users[username], instance=first, to=SettlementStatus.CONFIRMED, side=side
                )
    return {
        "samples_created": created,
        "settlements": {s.period: f"{s.payer or '-'} pays {s.amount} yuan" for s in settlements},
    }


# --- the fund ---------------------------------------------------------------------------------------


def load_fund(admin, projects) -> dict:
    fund = CompensationFund.objects.get(code="yangtze-belt-compensation-fund")
    contributions = [
        ("sc-natural-resources", datetime.date(2022, 3, 1), 40_000_000),
        ("cq-planning-natural-resources", datetime.date(2022, 3, 1), 40_000_000),
        ("sc-natural-resources", datetime.date(2023, 3, 1), 50_000_000),
        ("cq-planning-natural-resources", datetime.date(2023, 3, 1), 50_000_000),
        ("sc-natural-resources", datetime.date(2024, 3, 1), 50_000_000),
        ("cq-planning-natural-resources", datetime.date(2024, 3, 1), 50_000_000),
    ]
    made = 0
    for slug, day, amount in contributions:
        org = _org(slug)
        if org is None:
            continue
        _obj, new = _get_or_save(
            services.fund_contribution_save,
            FundContribution,
            {"fund": fund, "contributor": org, "received_on": day, "note": "演示出资"},
            admin,
            amount=amount,
        )
        made += new
    sichuan, chongqing = Province.objects.get(code=SC), Province.objects.get(code=CQ)
    corridors = {c.slug: c for c in Corridor.objects.all()}
    allocations = [
        (datetime.date(2022, 6, 1), 20_000_000, sichuan, corridors.get("jialing"), None),
        (datetime.date(2022, 6, 1), 15_000_000, chongqing, corridors.get("jialing"), None),
        (datetime.date(2023, 6, 1), 30_000_000, chongqing, corridors.get("yangtze"), None),
        (datetime.date(2023, 6, 1), 25_000_000, sichuan, corridors.get("min"), None),
        (datetime.date(2023, 7, 1), 12_000_000, sichuan, None, "qinba"),
        (datetime.date(2024, 6, 1), 18_000_000, chongqing, None, "three-gorges"),
        (datetime.date(2024, 6, 1), 16_000_000, sichuan, corridors.get("tuo"), None),
    ]
    for day, amount, province, corridor, area in allocations:
        _obj, new = _get_or_save(
            services.fund_allocation_save,
            FundAllocation,
            {
                "fund": fund,
                "allocated_on": day,
                "province": province,
                "corridor": corridor,
                "key_area": KeyArea.objects.filter(slug=area).first() if area else None,
                "purpose": "演示拨付",
            },
            admin,
            amount=amount,
        )
        made += new
    for index, project in enumerate(projects[:4]):
        province = project.provinces.first() or (project.lead_organization.province)
        if province is None:
            continue
        _obj, new = _get_or_save(
            services.fund_allocation_save,
            FundAllocation,
            {"fund": fund, "project": project, "purpose": f"演示拨付：{project.code}"},
            admin,
            allocated_on=datetime.date(2024, 9, 1),
            amount=5_000_000 + 1_000_000 * index,
            province=province,
            corridor=project.corridors.filter(provinces=province).first(),
        )
        made += new
    return {"fund_movements_created": made, "balance_yuan": services.fund_balance(fund)}


# --- standards --------------------------------------------------------------------------------------


def load_standards(admin) -> dict:
    from projects.restoration.models import EcosystemElement, MeasureType

    measures = {m.code: m for m in MeasureType.objects.all()}
    elements = {e.code: e for e in EcosystemElement.objects.all()}
    rows = [
        # key, code, title, issuer, status, effective, measures, elements, replaces
        (
            "sc-shoreline",
            "DEMO-DB51/T-001",
            "河湖岸线生态修复技术规范（四川，演示）",
            Issuer.SICHUAN,
            StandardStatus.PUBLISHED,
            datetime.date(2020, 7, 1),
            ["shoreline-restoration"],
            ["water"],
            [],
        ),
        (
            "cq-shoreline",
            "DEMO-DB50/T-001",
            "河湖岸线生态修复技术导则（重庆，演示）",
            Issuer.CHONGQING,
            StandardStatus.PUBLISHED,
            datetime.date(2019, 10, 1),
            ["shoreline-restoration"],
            ["water"],
            [],
        ),
        (
            "joint-shoreline",
            "DEMO-JOINT-001",
            "川渝河湖岸线生态修复技术规范（联合，演示）",
            Issuer.JOINT,
            StandardStatus.DRAFTING,
            None,
            ["shoreline-restoration", "natural-shoreline"],
            ["water"],
            ["sc-shoreline", "cq-shoreline"],
        ),
        (
            "sc-mine",
            "DEMO-DB51/T-002",
            "历史遗留矿山生态修复技术规范（四川，演示）",
            Issuer.SICHUAN,
            StandardStatus.PUBLISHED,
            datetime.date(2021, 3, 1),
            ["mine-remediation"],
            ["mountain"],
            [],
        ),
        (
            "cq-mine",
            "DEMO-DB50/T-002",
            "矿山生态修复技术规范（重庆，演示）",
            Issuer.CHONGQING,
            StandardStatus.PUBLISHED,
            datetime.date(2020, 12, 1),
            ["mine-remediation"],
            ["mountain"],
            [],
        ),
        (
            "joint-buffer",
            "DEMO-JOINT-002",
            "川渝生态缓冲带建设技术指南（联合，演示）",
            Issuer.JOINT,
            StandardStatus.DRAFTING,
            None,
            ["buffer-zone"],
            ["water", "forest"],
            [],
        ),
        (
            "cq-drawdown",
            "DEMO-DB50/T-003",
            "三峡库区消落带生态修复技术规程（重庆，演示）",
            Issuer.CHONGQING,
            StandardStatus.PUBLISHED,
            datetime.date(2021, 1, 1),
            ["drawdown-zone"],
            ["water", "lake"],
            [],
        ),
    ]
    made = {}
    for key, code, title, issuer, state, effective, measure_codes, element_codes, replaces in rows:
        standard, new = _get_or_save(
            services.standard_save,
            Standard,
            {"code": code},
            admin,
            title_zh=title,
            issuer=issuer,
            kind=StandardKind.SPECIFICATION,
            effective_date=effective,
            is_demo=True,
            measures=[measures[c] for c in measure_codes if c in measures],
            elements=[elements[c] for c in element_codes if c in elements],
            replaces=[made[k] for k in replaces],
        )
        if new and state == StandardStatus.PUBLISHED:
            standard = services.standard_transition(actor=admin, instance=standard, to=StandardStatus.PUBLISHED)
        made[key] = standard
    # The joint shoreline standard is published: it replaces (supersedes) both provincial ones.
    joint = made["joint-shoreline"]
    if joint.status == StandardStatus.DRAFTING and not joint.effective_date:
        joint = services.standard_save(actor=admin, instance=joint, data={"effective_date": datetime.date(2023, 1, 1)})
        services.standard_transition(actor=admin, instance=joint, to=StandardStatus.PUBLISHED)
    return {"standards": len(made)}


# --- ecological products and trades ------------------------------------------------------------------


def load_products(admin, projects) -> dict:
    if not projects:
        return {"products": 0, "trades": 0, "note": "no projects yet: load the restoration demo first"}
    types = {t.code: t for t in ProductType.objects.all()}
    made_products, made_trades = 0, 0
    buyers = [o for o in (_org("cq-forestry"), _org("sc-forestry-grassland"), _org("cq-ecology-environment")) if o]
    for index, project in enumerate(projects[:3]):
        owner = project.lead_organization
        kind = "carbon-sink" if index != 1 else "forest-coverage-indicator"
        product, new = _get_or_save(
            services.product_save,
            EcologicalProduct,
            {
                "project": project,
                "product_type": types[kind],
                "name": f"{project.name_zh} {types[kind].name_zh}（演示）",
            },
            admin,
            quantity=Decimal("12000") if kind == "carbon-sink" else Decimal("15000"),
            unit=types[kind].default_unit,
            vintage=2023,
            owner=owner,
            is_demo=True,
        )
        made_products += new
        buyer = next((b for b in buyers if b != owner), None)
        if buyer is None or Trade.objects.filter(product=product).exists():
            continue
        # 森林覆盖率指标 traded at 2,500 元/亩 as in the Chongqing deals (docs/compensation.md §8);
        # the carbon price is a demonstration value.
        price = Decimal("2500") if kind == "forest-coverage-indicator" else Decimal("60")
        quantity = Decimal("5000") if kind == "forest-coverage-indicator" else Decimal("3000")
        trade = services.trade_save(
            actor=admin,
            data={
                "product": product,
                "buyer": buyer,
                "quantity": quantity,
                "unit_price": price,
                "traded_on": datetime.date(2024, 5, 20),
                "note": "演示交易",
                "is_demo": True,
            },
        )
        if index == 0:
            services.trade_transition(actor=admin, instance=trade, to=TradeStatus.SETTLED)
        made_trades += 1
    return {"products_created": made_products, "trades_created": made_trades}


@transaction.atomic
def load() -> dict:
    from projects.restoration.demo import demo_projects

    admin = _admin()
    if admin is None:
        return {"skipped": "demo accounts missing: load_users first"}
    projects = list(
        demo_projects().select_related("lead_organization__province").prefetch_related("corridors", "provinces")
    )
    return {
        "agreement": load_agreement(admin),
        "fund": load_fund(admin, projects),
        "standards": load_standards(admin),
        "products": load_products(admin, projects),
    }
