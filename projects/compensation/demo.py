"""Demo data of the compensation app (``manage.py load_demo``). Every figure here is a
demonstration value, marked ``is_demo`` / ``verified=False``; see docs/compensation.md.

Idempotent: records get stable ids and are skipped when they exist, so entered data is
never overwritten. Projects are taken from whatever rows the restoration demo created.
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
from projects.compensation.evaluation import load_limits
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
from projects.compensation.settlement import period_bounds
from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.core.models import Corridor, KeyArea, Organization, Province, User
from projects.core.reference import stable_id

_DEMO = "load_demo"
SC, CQ = "510000", "500000"


def _created(obj):
    record_change(instance=obj, action=ChangeAction.CREATE, after=snapshot(obj), message=_DEMO)
    return obj


def _get_or_create(model, key: str, **values):
    pk = stable_id(f"demo-{model._meta.model_name}", key)
    obj = model.objects.filter(pk=pk).first()
    if obj is not None:
        return obj, False
    many = {k: values.pop(k) for k in list(values) if model._meta.get_field(k).many_to_many}
    obj = model.objects.create(id=pk, **values)
    for field, items in many.items():
        getattr(obj, field).set(items)
    return _created(obj), True


def _org(slug):
    return Organization.objects.filter(slug=slug).first()


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


def load_agreement() -> dict:
    sichuan, chongqing = Province.objects.get(code=SC), Province.objects.get(code=CQ)
    sc_env, cq_env = _org("sc-ecology-environment"), _org("cq-ecology-environment")
    from django.contrib.gis.geos import Point

    section, _new = _get_or_create(
        MonitoringSection,
        "qiongjiang",
        code="demo-qiongjiang-border",
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
    rule, _new = _get_or_create(
        SettlementRule,
        "qiongjiang-rule",
        code="demo-months-meeting-target",
        name_zh="按达标月数结算（演示）",
        name_en="Settled by the months meeting the target (demo)",
        kind=RuleKind.MONTHS_MEETING_TARGET,
        amount_met=500_000,
        amount_missed=1_000_000,
        source_note="演示规则：金额为演示值（[U]），结构参照 docs/compensation.md §3 酉水、重庆2018方案。",
        verified=False,
    )
    agreement, _new = _get_or_create(
        CompensationAgreement,
        "qiongjiang-agreement",
        code="demo-qiongjiang-2023-2025",
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
        status=AgreementStatus.IN_FORCE,
        is_demo=True,
        sections=[section],
    )
    rng = random.Random(2021)  # noqa: S311 - demo figures, reproducible
    created = 0
    table = load_limits()
    for year in (2023, 2024):
        for month in range(1, 13):
            measurements = _sample_values(rng, year, month)
            day = datetime.date(year, month, 10)
            if WaterSample.objects.filter(section=section, sampled_on=day, source="manual").exists():
                continue
            sample = WaterSample(
                id=stable_id("demo-sample", f"{section.code}:{day}"),
                section=section,
                sampled_on=day,
                source="manual",
                note="演示数据",
            )
            cleaned = services.clean_measurements(
                waterbody=section.waterbody,
                source="manual",
                measurements=measurements,
                specs=services._parameter_specs(),
            )
            services._write_sample(sample=sample, measurements=cleaned, table=table)
            record_change(
                instance=sample, action=ChangeAction.CREATE, after=services.sample_snapshot(sample), message=_DEMO
            )
            created += 1
    settlements = []
    for period in ("2023", "2024"):
        settlement = Settlement.objects.filter(agreement=agreement, period=period).first()
        if settlement is None:
            start, end = period_bounds(period, "year")
            settlement = _created(
                Settlement.objects.create(
                    id=stable_id("demo-settlement", f"{agreement.code}:{period}"),
                    agreement=agreement,
                    period=period,
                    period_start=start,
                    period_end=end,
                )
            )
        if settlement.status == SettlementStatus.PENDING:
            settlement = services.settlement_compute(settlement=settlement)
        settlements.append(settlement)
    # The parties have confirmed 2023 (locked); 2024 waits for them.
    first = settlements[0]
    users = {u.username: u for u in User.objects.filter(username__in=["sc_staff", "cq_staff"])}
    if first.status == SettlementStatus.COMPUTED and len(users) == 2:
        for username in ("sc_staff", "cq_staff"):
            side = "upstream" if username == "sc_staff" else "downstream"
            if not getattr(first, f"{side}_confirmed_at"):
                first = services.settlement_confirm(actor=users[username], settlement=first)
    return {
        "samples_created": created,
        "settlements": {s.period: f"{s.payer or '-'} pays {s.amount} yuan" for s in settlements},
    }


# --- the fund ---------------------------------------------------------------------------------------


def load_fund(projects) -> dict:
    fund = CompensationFund.objects.get(code="yangtze-belt-compensation-fund")
    contributions = [
        ("sc-2022", "sc-natural-resources", datetime.date(2022, 3, 1), 40_000_000),
        ("cq-2022", "cq-planning-natural-resources", datetime.date(2022, 3, 1), 40_000_000),
        ("sc-2023", "sc-natural-resources", datetime.date(2023, 3, 1), 50_000_000),
        ("cq-2023", "cq-planning-natural-resources", datetime.date(2023, 3, 1), 50_000_000),
        ("sc-2024", "sc-natural-resources", datetime.date(2024, 3, 1), 50_000_000),
        ("cq-2024", "cq-planning-natural-resources", datetime.date(2024, 3, 1), 50_000_000),
    ]
    made = 0
    for key, slug, day, amount in contributions:
        org = _org(slug)
        if org is None:
            continue
        _obj, new = _get_or_create(
            FundContribution, key, fund=fund, contributor=org, received_on=day, amount=amount, note="演示出资"
        )
        made += new
    sichuan, chongqing = Province.objects.get(code=SC), Province.objects.get(code=CQ)
    corridors = {c.slug: c for c in Corridor.objects.all()}
    allocations = [
        ("jialing-sc-2022", datetime.date(2022, 6, 1), 20_000_000, sichuan, corridors.get("jialing"), None),
        ("jialing-cq-2022", datetime.date(2022, 6, 1), 15_000_000, chongqing, corridors.get("jialing"), None),
        ("yangtze-cq-2023", datetime.date(2023, 6, 1), 30_000_000, chongqing, corridors.get("yangtze"), None),
        ("min-sc-2023", datetime.date(2023, 6, 1), 25_000_000, sichuan, corridors.get("min"), None),
        ("qinba-sc-2023", datetime.date(2023, 7, 1), 12_000_000, sichuan, None, "qinba"),
        ("three-gorges-cq-2024", datetime.date(2024, 6, 1), 18_000_000, chongqing, None, "three-gorges"),
        ("tuo-sc-2024", datetime.date(2024, 6, 1), 16_000_000, sichuan, corridors.get("tuo"), None),
    ]
    for key, day, amount, province, corridor, area in allocations:
        _obj, new = _get_or_create(
            FundAllocation,
            key,
            fund=fund,
            allocated_on=day,
            amount=amount,
            province=province,
            corridor=corridor,
            key_area=KeyArea.objects.filter(slug=area).first() if area else None,
            purpose="演示拨付",
        )
        made += new
    for index, project in enumerate(projects[:4]):
        province = project.provinces.first() or (project.lead_organization.province)
        if province is None:
            continue
        _obj, new = _get_or_create(
            FundAllocation,
            f"project-{project.code}",
            fund=fund,
            allocated_on=datetime.date(2024, 9, 1),
            amount=5_000_000 + 1_000_000 * index,
            province=province,
            corridor=project.corridors.filter(provinces=province).first(),
            project=project,
            purpose=f"演示拨付：{project.code}",
        )
        made += new
    services.check_fund_balance(fund)
    return {"fund_movements_created": made, "balance_yuan": services.fund_balance(fund)}


# --- standards --------------------------------------------------------------------------------------


def load_standards() -> dict:
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
        standard, _new = _get_or_create(
            Standard,
            key,
            code=code,
            title_zh=title,
            issuer=issuer,
            kind=StandardKind.SPECIFICATION,
            status=state,
            effective_date=effective,
            is_demo=True,
            measures=[measures[c] for c in measure_codes if c in measures],
            elements=[elements[c] for c in element_codes if c in elements],
            replaces=[made[k] for k in replaces],
        )
        made[key] = standard
    # The joint shoreline standard is published: it replaces (supersedes) both provincial ones.
    joint = made["joint-shoreline"]
    if joint.status == StandardStatus.DRAFTING and not joint.effective_date:
        before = snapshot(joint)
        joint.effective_date = datetime.date(2023, 1, 1)
        joint.save(update_fields=["effective_date"])
        record_change(instance=joint, action=ChangeAction.UPDATE, before=before, after=snapshot(joint), message=_DEMO)
        admin = User.objects.filter(is_superuser=True).first()
        if admin is not None:
            services.standard_transition(actor=admin, standard=joint, to=StandardStatus.PUBLISHED)
    return {"standards": len(made)}


# --- ecological products and trades ------------------------------------------------------------------


def load_products(projects) -> dict:
    if not projects:
        return {"products": 0, "trades": 0, "note": "no projects yet: load the restoration demo first"}
    types = {t.code: t for t in ProductType.objects.all()}
    made_products, made_trades = 0, 0
    admin = User.objects.filter(is_superuser=True).first()
    buyers = [o for o in (_org("cq-forestry"), _org("sc-forestry-grassland"), _org("cq-ecology-environment")) if o]
    for index, project in enumerate(projects[:3]):
        owner = project.lead_organization
        kind = "carbon-sink" if index != 1 else "forest-coverage-indicator"
        product, new = _get_or_create(
            EcologicalProduct,
            f"{project.code}:{kind}",
            name=f"{project.name_zh} {types[kind].name_zh}（演示）",
            product_type=types[kind],
            project=project,
            quantity=Decimal("12000") if kind == "carbon-sink" else Decimal("15000"),
            unit=types[kind].default_unit,
            vintage=2023,
            owner=owner,
            is_demo=True,
        )
        made_products += new
        buyer = next((b for b in buyers if b != owner), None)
        if admin is None or buyer is None or Trade.objects.filter(product=product).exists():
            continue
        # 森林覆盖率指标 traded at 2,500 元/亩 as in the Chongqing deals (docs/compensation.md §8);
        # the carbon price is a demonstration value.
        price = Decimal("2500") if kind == "forest-coverage-indicator" else Decimal("60")
        quantity = Decimal("5000") if kind == "forest-coverage-indicator" else Decimal("3000")
        trade = services.trade_create(
            actor=admin,
            product=product,
            buyer=buyer,
            quantity=quantity,
            unit_price=price,
            traded_on=datetime.date(2024, 5, 20),
            note="演示交易",
            is_demo=True,
        )
        if index == 0:
            services.trade_transition(actor=admin, trade=trade, to=TradeStatus.SETTLED)
        made_trades += 1
    return {"products_created": made_products, "trades_created": made_trades}


@transaction.atomic
def load() -> dict:
    from projects.restoration.models import Project

    projects = list(
        Project.objects.select_related("lead_organization__province").prefetch_related("corridors", "provinces")
    )
    return {
        "agreement": load_agreement(),
        "fund": load_fund(projects),
        "standards": load_standards(),
        "products": load_products(projects),
    }
