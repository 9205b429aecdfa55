"""Demo projects along every corridor and in 秦巴山区, in every status, with a year of reports.

Written through the services, so the demo has a real history. Projects that exist already
(by code) are skipped: running the loader again loses nothing entered since.
"""

import datetime
from decimal import Decimal
from functools import partial

from django.contrib.gis.geos import GeometryCollection, Point
from django.db import transaction

from projects.core.models import Corridor, Division, KeyArea, Organization, Province, User
from projects.restoration import demo_shapes as shapes
from projects.restoration import services
from projects.restoration.choices import (
    AcceptanceConclusion,
    AcceptanceKind,
    AcceptanceStatus,
    LandUseType,
    ParticipationKind,
    ParticipationStatus,
    ShorelineState,
)
from projects.restoration.choices import ProjectStatus as S
from projects.restoration.choices import ReportStatus as R
from projects.restoration.models import (
    EcosystemElement,
    FundingSource,
    Indicator,
    MeasureType,
    Project,
    ShorelineSegment,
)
from projects.restoration.services.reminders import send_reporting_reminders

LOCAL_ORGANIZATIONS = [
    ("guangan-natural-resources", "广安市自然资源和规划局", "Guang'an Natural Resources and Planning Bureau", "511600"),
    ("dazhou-natural-resources", "达州市自然资源和规划局", "Dazhou Natural Resources and Planning Bureau", "511700"),
    ("luzhou-natural-resources", "泸州市自然资源和规划局", "Luzhou Natural Resources and Planning Bureau", "510500"),
    (
        "wanzhou-planning",
        "重庆市万州区规划和自然资源局",
        "Wanzhou District Planning and Natural Resources Bureau",
        "500000",
    ),
    (
        "hechuan-planning",
        "重庆市合川区规划和自然资源局",
        "Hechuan District Planning and Natural Resources Bureau",
        "500000",
    ),
    # Guizhou, where the 乌江 and 赤水河 projects also run.
    ("zunyi-natural-resources", "遵义市自然资源局", "Zunyi Natural Resources Bureau", "520300"),
    ("tongren-natural-resources", "铜仁市自然资源局", "Tongren Natural Resources Bureau", "520600"),
]

# code, name_zh, name_en, corridors, key areas, divisions, lead, partners, elements, measures, bank, reach,
# national major, start, end, budget (万元), funding {source: share}, status, targets {indicator: value}, point
PROJECTS = [
    (
        "CQ-2021-0001",
        "长江干流重庆段生态缓冲带建设工程",
        "Yangtze mainstream (Chongqing) ecological buffer zone",
        ["yangtze"],
        ["three-gorges"],
        ["500101", "500116"],
        "cq-planning-natural-resources",
        ["wanzhou-planning"],
        ["water", "forest"],
        ["buffer-zone", "shoreline-restoration", "drawdown-zone"],
        "both",
        "midstream",
        True,
        "2021-09-01",
        "2026-12-31",
        48000,
        {"central": 0.5, "provincial": 0.3, "municipal": 0.2},
        S.IN_PROGRESS,
        {
            "buffer-zone-built": 1200,
            "shoreline-restored": 85,
            "natural-shoreline-ratio": 72,
            "forest-restored-area": 600,
            "wetland-restored-area": 300,
        },
        (108.38, 30.81),
    ),
    (
        "SC-2021-0001",
        "嘉陵江广安段岸线生态修复工程",
        "Jialing River (Guang'an) shoreline restoration",
        ["jialing"],
        [],
        ["511600"],
        "sc-natural-resources",
        ["guangan-natural-resources"],
        ["water", "forest"],
        ["shoreline-restoration", "natural-shoreline"],
        "left",
        "downstream",
        False,
        "2021-10-01",
        "2025-12-31",
        16500,
        {"central": 0.4, "provincial": 0.35, "municipal": 0.25},
        S.COMPLETED,
        {
            "shoreline-restored": 42,
            "natural-shoreline-ratio": 80,
            "vegetation-cover": 75,
            "forest-restored-area": 180,
            "wetland-restored-area": 60,
        },
        (106.63, 30.46),
    ),
    (
        "CQ-2021-0002",
        "嘉陵江合川段生态隔离带建设",
        "Jialing River (Hechuan) ecological isolation belt",
        ["jialing"],
        [],
        ["500117"],
        "cq-planning-natural-resources",
        ["hechuan-planning", "sc-natural-resources"],
        ["water", "farmland"],
        ["isolation-belt", "buffer-zone"],
        "right",
        "downstream",
        False,
        "2022-03-01",
        "2026-06-30",
        9800,
        {"provincial": 0.5, "municipal": 0.3, "compensation-fund": 0.2},
        S.IN_PROGRESS,
        {
            "isolation-belt-built": 36,
            "buffer-zone-built": 420,
            "natural-shoreline-ratio": 70,
            "farmland-restored-area": 350,
            "forest-restored-area": 120,
        },
        (106.27, 29.97),
    ),
    (
        "SC-2021-0002",
        "岷江下游水源涵养与生物多样性保护",
        "Lower Min River water conservation and biodiversity",
        ["min"],
        [],
        ["511100", "511500"],
        "sc-natural-resources",
        ["sc-forestry-grassland"],
        ["forest", "water", "grassland"],
        ["water-conservation", "biodiversity", "afforestation"],
        "both",
        "downstream",
        True,
        "2021-07-01",
        "2027-06-30",
        36000,
        {"central": 0.6, "provincial": 0.3, "social-capital": 0.1},
        S.IN_PROGRESS,
        {"forest-restored-area": 5200, "water-conservation": 1800, "species-recorded": 260},
        (103.77, 29.55),
    ),
    (
        "SC-2022-0003",
        "沱江流域水土流失综合治理",
        "Tuo River basin soil erosion control",
        ["tuo"],
        [],
        ["511000", "510500"],
        "sc-natural-resources",
        ["luzhou-natural-resources"],
        ["mountain", "farmland"],
        ["soil-erosion", "land-consolidation"],
        "both",
        "midstream",
        False,
        "2022-04-01",
        "2025-10-31",
        12000,
        {"provincial": 0.5, "municipal": 0.5},
        S.ACCEPTED,
        {"soil-erosion-controlled": 180, "farmland-restored-area": 2400},
        (105.06, 29.58),
    ),
    (
        "CQ-2022-0004",
        "乌江下游石漠化综合治理",
        "Lower Wu River rocky desertification control",
        ["wu"],
        ["wuling"],
        ["500102", "500156", "520600"],
        "cq-planning-natural-resources",
        ["gz-natural-resources", "tongren-natural-resources"],
        ["mountain", "forest"],
        ["rocky-desertification", "afforestation"],
        "both",
        "downstream",
        False,
        "2022-05-01",
        "2026-12-31",
        15000,
        {"central": 0.4, "provincial": 0.4, "municipal": 0.2},
        S.IN_PROGRESS,
        {"forest-restored-area": 3100, "vegetation-cover": 65},
        (107.39, 29.70),
    ),
    (
        "SC-2023-0004",
        "涪江绵阳段湿地保护与修复",
        "Fu River (Mianyang) wetland restoration",
        ["fu"],
        [],
        ["510700", "510900"],
        "sc-natural-resources",
        [],
        ["water", "lake"],
        ["wetland-restoration", "biodiversity"],
        "both",
        "upstream",
        False,
        "2023-03-01",
        "2026-12-31",
        8600,
        {"provincial": 0.6, "municipal": 0.4},
        S.APPROVED,
        {"wetland-restored-area": 650, "species-recorded": 180},
        (104.68, 31.47),
    ),
    (
        "CQ-2023-0005",
        "涪江潼南段生态廊道连通",
        "Fu River (Tongnan) ecological corridor connection",
        ["fu"],
        [],
        ["500152"],
        "cq-planning-natural-resources",
        ["sc-natural-resources"],
        ["water", "forest"],
        ["corridor-connection", "buffer-zone"],
        "left",
        "downstream",
        False,
        "2023-06-01",
        "2027-05-31",
        7200,
        {"provincial": 0.5, "compensation-fund": 0.3, "municipal": 0.2},
        S.IN_PROGRESS,
        {"buffer-zone-built": 300, "shoreline-restored": 24, "forest-restored-area": 220, "wetland-restored-area": 80},
        (105.84, 30.19),
    ),
    (
        "SC-2021-0005",
        "秦巴山区水源涵养与生物多样性保护修复（四川片区）",
        "Qinba Mountains water conservation and biodiversity (Sichuan)",
        [],
        ["qinba"],
        ["511700", "510800"],
        "sc-natural-resources",
        ["dazhou-natural-resources"],
        ["mountain", "forest", "grassland"],
        ["water-conservation", "biodiversity"],
        "n/a",
        "n/a",
        True,
        "2021-11-01",
        "2028-12-31",
        52000,
        {"central": 0.7, "provincial": 0.2, "social-capital": 0.1},
        S.IN_PROGRESS,
        {"forest-restored-area": 8800, "grassland-restored-area": 1500, "water-conservation": 3200},
        (107.47, 31.21),
    ),
    (
        "CQ-2021-0006",
        "秦巴山区城口巫溪段生态保护修复",
        "Qinba Mountains (Chengkou–Wuxi) restoration",
        [],
        ["qinba"],
        ["500229", "500238"],
        "cq-planning-natural-resources",
        ["cq-forestry"],
        ["mountain", "forest"],
        ["biodiversity", "afforestation", "mine-remediation"],
        "n/a",
        "n/a",
        True,
        "2021-12-01",
        "2027-12-31",
        30000,
        {"central": 0.65, "provincial": 0.25, "municipal": 0.1},
        S.SUSPENDED,
        {"forest-restored-area": 4600, "mine-area-remediated": 120},
        (108.66, 31.95),
    ),
    (
        "CQ-2024-0007",
        "长江重庆主城段历史遗留矿山生态修复",
        "Yangtze (central Chongqing) legacy mine remediation",
        ["yangtze"],
        [],
        ["500112"],
        "cq-planning-natural-resources",
        [],
        ["mountain"],
        ["mine-remediation"],
        "left",
        "midstream",
        False,
        "2024-09-01",
        "2026-08-31",
        5400,
        {"municipal": 0.6, "social-capital": 0.4},
        S.PROPOSED,
        {"mine-area-remediated": 95},
        (106.63, 29.72),
    ),
    (
        "SC-2024-0006",
        "赤水河流域（四川段）山水林田湖草一体化保护修复",
        "Chishui River (Sichuan) integrated protection and restoration",
        ["chishui"],
        [],
        ["510500", "520300", "520500"],
        "sc-natural-resources",
        ["gz-natural-resources", "luzhou-natural-resources", "zunyi-natural-resources"],
        ["mountain", "water", "forest", "farmland"],
        ["water-conservation", "soil-erosion", "biodiversity"],
        "right",
        "downstream",
        True,
        "2024-01-01",
        "2028-12-31",
        26000,
        {"central": 0.5, "provincial": 0.3, "compensation-fund": 0.2},
        S.APPROVED,
        {"forest-restored-area": 2600, "soil-erosion-controlled": 90},
        (105.70, 28.35),
    ),
    (
        "SC-2022-0007",
        "长江宜宾段自然岸线重塑（已终止）",
        "Yangtze (Yibin) natural shoreline reshaping (cancelled)",
        ["yangtze"],
        [],
        ["511500"],
        "sc-natural-resources",
        [],
        ["water"],
        ["natural-shoreline"],
        "right",
        "upstream",
        False,
        "2022-06-01",
        "2024-12-31",
        4200,
        {"provincial": 0.5, "municipal": 0.5},
        S.CANCELLED,
        {"shoreline-restored": 12},
        (104.64, 28.77),
    ),
    (
        "CQ-2022-0008",
        "明月山川渝毗邻地区矿山修复与国土绿化",
        "Mingyue Mountains border mine remediation and greening",
        [],
        ["huaying"],
        ["500231", "511600"],
        "cq-planning-natural-resources",
        ["sc-natural-resources", "guangan-natural-resources"],
        ["mountain", "forest"],
        ["mine-remediation", "afforestation"],
        "n/a",
        "n/a",
        False,
        "2022-08-01",
        "2026-07-31",
        11000,
        {"provincial": 0.4, "municipal": 0.3, "social-capital": 0.3},
        S.IN_PROGRESS,
        {"mine-area-remediated": 210, "forest-restored-area": 900, "carbon-sequestered": 5200},
        (107.35, 30.33),
    ),
]


def _jialing_belt_and_zone():
    river = shapes.reach("jialing", (106.27, 29.97), 6)
    return GeometryCollection(
        shapes.bank_line(river, "right", 300), *shapes.bank_zone(river, "right", 40, 260), srid=4326
    )


# How each project is drawn, near the place it names: buffer zones as polygons along the banks,
# isolation belts and shorelines as lines along a bank, other work as zones around the place.
SHAPES = {
    "CQ-2021-0001": lambda: shapes.bank_zone(shapes.reach("yangtze", (108.38, 30.81), 12), "both", 30, 230),
    "SC-2021-0001": lambda: shapes.bank_line(shapes.reach("jialing", (106.63, 30.46), 8), "left"),
    "CQ-2021-0002": _jialing_belt_and_zone,
    "SC-2021-0002": lambda: shapes.bank_zone(shapes.reach("min", (103.77, 29.55), 20, 10), "both", 50, 1050),
    "SC-2022-0003": lambda: shapes.bank_zone(shapes.reach("tuo", (105.06, 29.58), 15), "both", 50, 1550),
    "CQ-2022-0004": lambda: shapes.bank_zone(shapes.reach("wu", (107.39, 29.70), 15, -8), "both", 100, 1100),
    "SC-2023-0004": lambda: shapes.around((104.68, 31.47), 1200),  # 涪江: no public centreline
    "CQ-2023-0005": lambda: shapes.around((105.84, 30.19), 900),
    "SC-2021-0005": lambda: shapes.around((107.47, 31.21), 6000),
    "CQ-2021-0006": lambda: shapes.around((108.66, 31.95), 5000),
    "CQ-2024-0007": lambda: shapes.around((106.63, 29.72), 600),
    "SC-2024-0006": lambda: shapes.around((105.70, 28.35), 3000),  # 赤水河: no public centreline
    "SC-2022-0007": lambda: shapes.bank_line(shapes.reach("yangtze", (104.64, 28.77), 6, 3), "right"),
    "CQ-2022-0008": lambda: shapes.around((107.35, 30.33), 2500),
}

NAT, RES, HARD = ShorelineState.NATURAL, ShorelineState.RESTORED, ShorelineState.HARDENED
# Surveyed shoreline: corridor, river, near (lon, lat), km (and km downstream), project working on it,
# the states of consecutive equal stretches per bank. Illustrative, not survey results.
SHORELINE = [
    (
        "yangtze",
        "yangtze",
        (108.38, 30.81),
        12,
        0,
        "CQ-2021-0001",
        {"left": [NAT, NAT, RES, HARD], "right": [NAT, HARD, RES, NAT]},
    ),
    ("yangtze", "yangtze", (106.58, 29.56), 10, 0, None, {"left": [HARD, HARD, RES, NAT], "right": [HARD, HARD, NAT]}),
    ("yangtze", "yangtze", (104.64, 28.77), 8, 3, None, {"left": [NAT, NAT, HARD], "right": [NAT, NAT, NAT, HARD]}),
    (
        "jialing",
        "jialing",
        (106.63, 30.46),
        8,
        0,
        "SC-2021-0001",
        {"left": [NAT, RES, NAT, NAT], "right": [NAT, NAT, HARD]},
    ),
    ("jialing", "jialing", (106.27, 29.97), 6, 0, "CQ-2021-0002", {"left": [HARD, NAT], "right": [RES, NAT, HARD]}),
    ("wu", "wu", (107.39, 29.70), 10, -8, "CQ-2022-0004", {"left": [NAT, NAT, NAT], "right": [NAT, HARD, NAT]}),
    ("min", "min", (103.77, 29.55), 16, 10, "SC-2021-0002", {"left": [NAT, HARD, NAT, NAT], "right": [NAT, NAT, RES]}),
    ("tuo", "tuo", (105.06, 29.58), 12, 0, "SC-2022-0003", {"left": [HARD, NAT, RES], "right": [NAT, HARD, HARD, NAT]}),
]


# Reports over the year before the demo date; the last month is left open (overdue).
REPORT_MONTHS = 12


def demo_projects():
    """The demo's own projects (by code): the other loaders build on these alone, so a database
    that also holds real or generated projects gets the same demo, and no plan item or
    allocation is written for a project the demo's accounts may not touch."""
    return Project.objects.filter(code__in=[row[0] for row in PROJECTS])


def _months_before(today: datetime.date, count: int) -> list[str]:
    year, month = today.year, today.month
    periods = []
    for _ in range(count + 1):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(f"{year}-{month:02d}")
    return list(reversed(periods))[:-1]  # the latest finished month stays unreported


def _ensure_organizations():
    for slug, name_zh, name_en, code in LOCAL_ORGANIZATIONS:
        if Organization.objects.filter(slug=slug).exists():
            continue
        province_code = code[:2] + "0000"
        from projects.core.models import Province

        Organization.objects.create(
            slug=slug,
            name_zh=name_zh,
            name_en=name_en,
            kind="local_authority",
            province=Province.objects.get(code=province_code),
        )


def _invite_partners(project, partners, lead_staff, staff_by_province) -> None:
    """Partners of another province join through a request that their province accepts."""
    for organization in partners:
        if organization.province_id == lead_staff.province_id:
            continue
        request = services.participation_request(
            actor=lead_staff,
            data={
                "project": project,
                "organization": organization,
                "kind": ParticipationKind.JOIN,
                "comment": "邀请共同实施",
            },
        )
        services.participation_transition(
            actor=staff_by_province[organization.province_id],
            instance=request,
            to=ParticipationStatus.ACCEPTED,
            comment="同意参与",
        )


# The demo's acceptances: SC-2022-0003 passed at 60 % of its targets (with the reasons), SC-2021-0001
# failed and went back in progress with its rectification items.
FAILED_ACCEPTANCE = "SC-2021-0001"
# Its report waiting for review shows the reviewer a figure that went backwards (compare/).
COMPARED_REPORT = "CQ-2021-0001"


def _acceptance(project, actor, *, passed: bool, on: datetime.date):
    """Record and conclude a whole-project acceptance through the services."""
    from projects.conference.models import Expert

    expert = Expert.objects.order_by("name").first()  # the committee, when its demo is loaded already
    members = [
        {"name": "陈志远", "organization_name": "四川省自然资源厅", "expert": None, "is_leader": True},
        {"name": "刘晓梅", "organization_name": "重庆市规划和自然资源局", "expert": None, "is_leader": False},
        {"name": "", "organization_name": "", "expert": expert, "is_leader": False}
        if expert
        else {"name": "周建国", "organization_name": "四川大学", "expert": None, "is_leader": False},
    ]
    figures = services.acceptance.project_figures(project)
    reasons = "部分地块征地未完成，已调整至后续项目实施" if passed else "植被成活率偏低，需补植后重新验收"
    record = services.acceptance_save(
        actor=actor,
        data={
            "project": project,
            "kind": AcceptanceKind.WHOLE_PROJECT,
            "accepted_on": on,
            "conclusion": AcceptanceConclusion.PASSED if passed else AcceptanceConclusion.FAILED,
            "opinion": "工程质量合格，资料齐全，同意通过整体验收。"
            if passed
            else "部分修复地块植被成活率偏低，岸坡防护未达设计要求，验收不通过。",
            "members": members,
            "indicators": [{**row, "shortfall_reason": reasons} for row in figures],
            "land_use": [
                {"land_use": LandUseType.CROPLAND, "area_before_ha": Decimal("820"), "area_after_ha": Decimal("860")},
                {"land_use": LandUseType.FOREST, "area_before_ha": Decimal("310"), "area_after_ha": Decimal("420")},
                {"land_use": LandUseType.OTHER, "area_before_ha": Decimal("190"), "area_after_ha": Decimal("40")},
            ],
        },
    )
    if not passed:
        for title, days in (("补植乔灌木并加强抚育管护", 120), ("整改岸坡防护工程", 180)):
            services.rectification_save(
                actor=actor,
                data={
                    "record": record,
                    "title": title,
                    "responsible_organization": project.lead_organization,
                    "due_date": on + datetime.timedelta(days=days),
                },
            )
    return services.acceptance_transition(actor=actor, instance=record, to=AcceptanceStatus.CONCLUDED)


def _walk(project, status, actor, on_started):
    """Take a new project along the lifecycle to ``status`` (each step recorded), calling
    ``on_started`` once it is in progress (reports come before completion)."""
    paths = {
        S.PROPOSED: [],
        S.APPROVED: [S.APPROVED],
        S.IN_PROGRESS: [S.APPROVED, S.IN_PROGRESS],
        S.COMPLETED: [S.APPROVED, S.IN_PROGRESS, S.COMPLETED],
        S.ACCEPTED: [S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.ACCEPTED],
        S.SUSPENDED: [S.APPROVED, S.IN_PROGRESS, S.SUSPENDED],
        S.CANCELLED: [S.APPROVED, S.CANCELLED],
    }
    comments = {
        S.APPROVED: "联席会议审议通过，同意立项",
        S.IN_PROGRESS: "开工建设",
        S.COMPLETED: "主体工程完工",
        S.ACCEPTED: "通过竣工验收",
        S.SUSPENDED: "受汛期影响暂停施工",
        S.CANCELLED: "选址调整，项目终止",
    }
    for step in paths[status]:
        if step == S.ACCEPTED:  # only on a passed whole-project acceptance
            _acceptance(project, actor, passed=True, on=datetime.date.today() - datetime.timedelta(days=30))
        project = services.project_transition(actor=actor, instance=project, to=step, comment=comments[step])
        if step == S.IN_PROGRESS:
            on_started(project)
    return project


def _reports(project, *, reporter, reviewer, today, final_status):
    periods = _months_before(today, REPORT_MONTHS)
    if final_status == S.SUSPENDED:
        periods = periods[:6]
    finished = final_status in (S.COMPLETED, S.ACCEPTED)
    targets = list(project.targets.select_related("indicator"))
    spent_share = Decimal("0.35")
    for index, period in enumerate(periods, start=1):
        share = Decimal(index) / Decimal(len(periods) + 2)
        values = []
        for target in targets:
            if target.indicator.aggregation == "sum":
                value = (target.target_value * Decimal("0.6") / Decimal(len(periods))).quantize(Decimal("0.001"))
            else:
                value = (target.target_value * (Decimal("0.7") + share * Decimal("0.25"))).quantize(Decimal("0.001"))
            values.append({"indicator": target.indicator, "value": value})
        report = services.report_save(
            actor=reporter,
            data={
                "project": project,
                "period": period,
                "narrative": f"{period} 完成阶段性施工，累计完成工程量约 {int(share * 100)}%，质量安全总体受控。",
                "percent_complete": (share * 100).quantize(Decimal("0.01")),
                "cumulative_investment": (project.total_budget * (spent_share + share * Decimal("0.5"))).quantize(
                    Decimal("0.01")
                ),
                "values": values,
            },
        )
        if index == len(periods) and not finished:
            continue  # the newest report is still a draft
        if index == len(periods) - 1 and not finished and project.code == COMPARED_REPORT:
            # Waiting for review with something to see: a flood undid part of the works.
            report = services.report_save(
                actor=reporter,
                instance=report,
                data={
                    "narrative": report.narrative + "\n汛期洪水冲毁部分岸坡植被，完成比例较上月回调，已安排补植。",
                    "percent_complete": (share * 100 - 10).quantize(Decimal("0.01")),
                },
            )
        report = services.report_transition(actor=reporter, instance=report, to=R.SUBMITTED)
        if index == len(periods) - 1 and not finished:
            continue  # submitted, waiting for review
        if index == 3:
            report = services.report_transition(
                actor=reviewer, instance=report, to=R.RETURNED, comment="请补充现场照片和资金使用明细"
            )
            report = services.report_save(
                actor=reporter, instance=report, data={"narrative": report.narrative + "（已补充现场照片和资金明细）"}
            )
            report = services.report_transition(actor=reporter, instance=report, to=R.SUBMITTED)
        services.report_transition(actor=reviewer, instance=report, to=R.ACCEPTED, comment="同意")


@transaction.atomic
def load(today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "sc_staff", "cq_staff", "gz_staff", "joint_office"])
    }
    if len(users) < 5:
        return "skipped: demo accounts missing"
    staff_by_province = {users[name].province_id: users[name] for name in ("sc_staff", "cq_staff", "gz_staff")}
    _ensure_organizations()
    corridors = {c.slug: c for c in Corridor.objects.all()}
    areas = {a.slug: a for a in KeyArea.objects.all()}
    divisions = {d.code: d for d in Division.objects.all()}
    organizations = {o.slug: o for o in Organization.objects.all()}
    elements = {e.code: e for e in EcosystemElement.objects.all()}
    measures = {m.code: m for m in MeasureType.objects.all()}
    sources = {s.code: s for s in FundingSource.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    created = 0
    for (
        code,
        name_zh,
        name_en,
        corridor_slugs,
        area_slugs,
        division_codes,
        lead,
        partners,
        element_codes,
        measure_codes,
        bank,
        reach,
        major,
        start,
        end,
        budget,
        funding,
        status,
        targets,
        point,
    ) in PROJECTS:
        if Project.objects.filter(code=code).exists():
            continue
        province_staff = users["sc_staff"] if code.startswith("SC") else users["cq_staff"]
        other_staff = users["cq_staff"] if code.startswith("SC") else users["sc_staff"]
        total = Decimal(budget)
        project = services.project_save(
            actor=province_staff,
            data={
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "description": f"{name_zh}：落实《关于推进成渝地区双城经济圈建设 共同开展国土空间生态修复工作的实施意见》。",
                "corridors": [corridors[s] for s in corridor_slugs],
                "key_areas": [areas[s] for s in area_slugs],
                "divisions": [divisions[c] for c in division_codes if c in divisions],
                "lead_organization": organizations[lead],
                "partner_organizations": [
                    organizations[p]
                    for p in partners
                    if organizations[p].province_id == organizations[lead].province_id
                ],
                "elements": [elements[e] for e in element_codes],
                "measures": [measures[m] for m in measure_codes],
                "bank": bank,
                "reach": reach,
                "is_national_major": major,
                "planned_start": datetime.date.fromisoformat(start),
                "planned_end": datetime.date.fromisoformat(end),
                "total_budget": total,
                "geometry": SHAPES[code]() if code in SHAPES else Point(*point, srid=4326),
                "funding": [
                    {"source": sources[s], "amount": (total * Decimal(str(share))).quantize(Decimal("0.01"))}
                    for s, share in funding.items()
                ],
                "targets": [{"indicator": indicators[i], "target_value": Decimal(str(v))} for i, v in targets.items()],
            },
        )
        _invite_partners(project, [organizations[p] for p in partners], province_staff, staff_by_province)
        project = _walk(
            project,
            status,
            users["joint_office"],
            partial(
                _reports,
                reporter=province_staff,
                # The other province reviews where it takes part; the joint office otherwise.
                reviewer=other_staff
                if project.provinces.filter(pk=other_staff.province_id).exists()
                else users["joint_office"],
                today=today,
                final_status=status,
            ),
        )
        if code == FAILED_ACCEPTANCE:
            _acceptance(project, users["joint_office"], passed=False, on=today - datetime.timedelta(days=20))
        created += 1
    segments = _shoreline(users, today)
    # The reports due or late by today have been reminded of, as the beat task would have done.
    reminders = len(send_reporting_reminders(today=today))
    return (
        f"{created} projects created ({Project.objects.count()} in all), {segments} shoreline segments "
        f"recorded, {reminders} reporting reminders sent"
    )


def _shoreline(users, today: datetime.date) -> int:
    """Record the demo's shoreline surveys through the service, by the staff of the province the
    stretch lies in. Stretches recorded before (by their description) are skipped."""
    staff = {users[name].province_id: users[name] for name in ("sc_staff", "cq_staff", "gz_staff")}
    provinces = list(Province.objects.exclude(outline=None))
    surveyed_on = today - datetime.timedelta(days=120)
    created = 0
    for slug, river, near, length_km, shift_km, project_code, banks in SHORELINE:
        corridor = Corridor.objects.get(slug=slug)
        river_reach = shapes.reach(river, near, length_km, shift_km)
        province = next((p for p in provinces if p.outline.contains(river_reach.centroid)), None)
        if province is None or not corridor.provinces.filter(pk=province.pk).exists():
            continue
        project = Project.objects.filter(code=project_code).first() if project_code else None
        for bank, states in banks.items():
            line = shapes.bank_line(river_reach, bank)
            for index, (stretch, state) in enumerate(zip(shapes.pieces(line, len(states)), states, strict=True)):
                description = f"演示岸线调查 {slug} {near[0]:.2f},{near[1]:.2f} {bank} {index + 1}"
                if ShorelineSegment.objects.filter(description=description).exists():
                    continue
                services.shoreline_segment_save(
                    actor=staff[province.pk],
                    data={
                        "corridor": corridor,
                        "province": province,
                        "bank": bank,
                        "state": state,
                        "geometry": stretch,
                        "project": project,
                        "surveyed_on": surveyed_on,
                        "description": description,
                    },
                )
                created += 1
    return created
