"""Demo of the joint conference: three held meetings (and a coming one) with decisions and
follow-up actions (some overdue), an approved 2022 plan with its execution, a 2023 plan under
review, the expert committee with reviews, and illustrative corridor-plan targets.

Written through the services, over whatever projects exist. What exists already (meetings by
number, plans by year, experts by name …) is skipped: running it again loses nothing entered since.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from projects.conference import services
from projects.conference.choices import ActionStatus, MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.events import DEMO_OPINION
from projects.conference.models import (
    ActionItem,
    AnnualPlan,
    CorridorPlan,
    CorridorTarget,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanMilestone,
)
from projects.core.choices import Role
from projects.core.models import Corridor, Organization, Province, User
from projects.core.services import tracked_update
from projects.restoration import services as restoration_services
from projects.restoration.choices import Aggregation, Combination, ProjectStatus, ReportStatus
from projects.restoration.demo import demo_projects
from projects.restoration.models import FundingSource, Indicator, ProgressReport

SC, CQ = "510000", "500000"

# sequence no, date, host, place, status, [(decision title, text, [(action, organization, due, final status)])]
MEETINGS = [
    (
        1,
        datetime.date(2021, 9, 16),
        CQ,
        "重庆市规划和自然资源局",
        MeetingStatus.MINUTES_APPROVED,
        [
            (
                "建立川渝国土空间生态修复共建联席会议制度",
                "联席会议由两地自然资源主管部门轮流召集，每年至少召开一次，审议年度实施计划。",
                [("制定联席会议工作规则", "joint-office", "2021-12-31", ActionStatus.DONE)],
            ),
            (
                "共同编制《“六江”生态廊道建设规划(2021-2035年)》",
                "两地共同组建编制专班，2022年底前形成规划成果。",
                [
                    ("形成规划编制工作方案", "sc-natural-resources", "2021-12-31", ActionStatus.DONE),
                    ("建立生态修复数据共享交换机制", "cq-planning-natural-resources", "2022-06-30", ActionStatus.DONE),
                ],
            ),
        ],
    ),
    (
        2,
        datetime.date(2022, 3, 18),
        SC,
        "四川省自然资源厅（成都）",
        MeetingStatus.MINUTES_APPROVED,
        [
            (
                "审议通过2022年度实施计划",
                "同意2022年度实施计划，两地按季度报送项目进展。",
                [
                    ("建立跨界断面水质联合监测", "cq-ecology-environment", "2022-09-30", ActionStatus.OPEN),
                    ("统一生态修复岸线认定标准", "sc-natural-resources", "2022-12-31", ActionStatus.DROPPED),
                ],
            ),
            (
                "组建川渝生态修复专家委员会",
                "专家委员会对年度实施计划和重大项目提出评审意见。",
                [("印发专家委员会管理办法", "joint-office", "2022-06-30", ActionStatus.DONE)],
            ),
        ],
    ),
    (
        3,
        datetime.date(2023, 2, 24),
        CQ,
        "重庆市万州区",
        MeetingStatus.HELD,
        [
            (
                "听取2022年度实施计划执行情况汇报",
                "对进度滞后项目实行督办，两地按月报送整改进展。",
                [
                    ("滞后项目整改方案", "sc-natural-resources", "2023-06-30", ActionStatus.OPEN),
                    ("毗邻地区生态修复项目清单", "cq-planning-natural-resources", None, ActionStatus.OPEN),
                ],
            ),
            (
                "2023年度实施计划提交专家委员会评审",
                "根据专家意见修改完善后再提请审议。",
                [("汇总专家评审意见", "joint-office", None, ActionStatus.OPEN)],
            ),
        ],
    ),
]

EXPERTS = [
    # name, field, affiliation, province, linked demo user
    ("李明远", "河流生态修复", "四川大学", SC, "expert"),
    ("王晓岚", "水土保持与石漠化治理", "西南大学", CQ, None),
    ("陈国栋", "国土空间规划", "重庆大学", CQ, None),
    ("张慧", "生物多样性保护", "中国科学院成都生物研究所", SC, None),
    ("刘建华", "生态补偿与自然资源经济", "四川省社会科学院", SC, None),
]

# Illustrative corridor-plan targets (cumulative): indicator → (2025, 2030, 2035) per corridor, scaled below.
CORRIDOR_TARGETS = {
    "restored-area": (Decimal("1500"), Decimal("4000"), Decimal("8000")),
    "shoreline-restored": (Decimal("40"), Decimal("110"), Decimal("220")),
    "natural-shoreline-ratio": (Decimal("65"), Decimal("70"), Decimal("75")),  # %: not scaled
}


def _users():
    wanted = ["joint_office", "sc_staff", "cq_staff", "expert"]
    return {u.username: u for u in User.objects.filter(username__in=wanted)}


def _meetings(actor, provinces, organizations, today, plans) -> int:
    """The meetings in order; ``plans`` (by meeting number) are submitted to theirs before it is held."""
    created = 0
    for number, date, host, place, _final, decisions in MEETINGS:
        if Meeting.objects.filter(sequence_no=number).exists():
            continue
        meeting = services.meeting_save(
            actor=actor,
            data={
                "sequence_no": number,
                "date": date,
                "host_province": provinces[host],
                "place": place,
                "attendees": ["四川省自然资源厅 分管负责同志", "重庆市规划和自然资源局 分管负责同志", "联席会议办公室"],
                "attending_organizations": [
                    organizations[s] for s in ("sc-natural-resources", "cq-planning-natural-resources", "joint-office")
                ],
                "agenda": [{"title": title} for title, _text, _actions in decisions],
            },
        )
        if plans.get(number) is not None:
            services.plan_transition(actor=actor, instance=plans[number], to=PlanStatus.SUBMITTED, meeting=meeting)
        meeting = services.meeting_transition(actor=actor, instance=meeting, to=MeetingStatus.HELD)
        for title, text, actions in decisions:
            decision = services.decision_save(actor=actor, data={"meeting": meeting, "title": title, "text": text})
            for action_title, org, due, status in actions:
                due_date = datetime.date.fromisoformat(due) if due else today + datetime.timedelta(days=60)
                item = services.action_item_save(
                    actor=actor,
                    data={
                        "decision": decision,
                        "title": action_title,
                        "responsible_organization": organizations[org],
                        "due_date": due_date,
                    },
                )
                if status != ActionStatus.OPEN:
                    services.action_item_transition(actor=actor, instance=item, to=status, comment="按期办结")
        minutes = "；".join(title for title, _text, _actions in decisions) + "。"
        services.meeting_save(actor=actor, instance=meeting, data={"minutes": minutes})
        created += 1
    return created


def _approve_minutes(actor):
    for number, *_details, final, _decisions in MEETINGS:
        meeting = Meeting.objects.filter(sequence_no=number).first()
        if final == MeetingStatus.MINUTES_APPROVED and meeting and meeting.status == MeetingStatus.HELD:
            services.meeting_transition(actor=actor, instance=meeting, to=final)


def _reports_2022(project, reporter, reviewer, planned_share: Decimal, behind: bool) -> None:
    """A project's 2022 reports, so the 2022 plan has an execution to show."""
    if project.status not in restoration_services.REPORTABLE_STATUSES:
        return
    periods = ["2022-06"] if behind else ["2022-06", "2022-12"]
    targets = list(project.targets.select_related("indicator"))
    for index, period in enumerate(periods, start=1):
        if ProgressReport.objects.filter(project=project, period=period).exists():
            continue
        share = planned_share * Decimal(index) / Decimal("2")
        report = restoration_services.report_save(
            actor=reporter,
            data={
                "project": project,
                "period": period,
                "narrative": f"{period} 按2022年度实施计划推进。",
                "percent_complete": (share * 100).quantize(Decimal("0.01")),
                "cumulative_investment": (project.total_budget * share).quantize(Decimal("0.01")),
                "values": [
                    {"indicator": t.indicator, "value": (t.target_value * planned_share / 2).quantize(Decimal("0.001"))}
                    for t in targets
                    if t.indicator.aggregation == Aggregation.SUM
                ],
            },
        )
        report = restoration_services.report_transition(actor=reporter, instance=report, to=ReportStatus.SUBMITTED)
        restoration_services.report_transition(
            actor=reviewer, instance=report, to=ReportStatus.ACCEPTED, comment="同意"
        )


def _plan(actor, users, year: int, projects, sources) -> AnnualPlan | None:
    if AnnualPlan.objects.filter(year=year).exists() or not projects:
        return None
    plan = services.plan_save(actor=actor, data={"year": year, "notes": f"{year}年川渝国土空间生态修复重点任务。"})
    share = Decimal("0.2")
    for project in projects:
        province = project.lead_organization.province
        staff = users["sc_staff"] if province.code == SC else users["cq_staff"]
        amount = (project.total_budget * share).quantize(Decimal("0.01"))
        central = (amount * Decimal("0.4")).quantize(Decimal("0.01"))
        services.plan_item_save(
            actor=staff,
            data={
                "plan": plan,
                "project": project,
                "province": province,
                "description": f"{project.name_zh}年度建设任务",
                "funding": [
                    {"source": sources["central"], "amount": central},
                    {"source": sources["provincial"], "amount": amount - central},
                ],
                "targets": [
                    {"indicator": t.indicator, "target_value": (t.target_value * share).quantize(Decimal("0.001"))}
                    for t in project.targets.select_related("indicator")
                    if t.indicator.aggregation == Aggregation.SUM
                ],
                "milestones": [
                    {"title": "完成年度施工图设计", "due_date": datetime.date(year, 4, 30)},
                    {"title": "完成年度建设任务", "due_date": datetime.date(year, 12, 20)},
                ],
            },
        )
    return plan


def _experts(actor, provinces, users, today) -> int:
    created = 0
    for name, field, affiliation, province, username in EXPERTS:
        if Expert.objects.filter(name=name).exists():
            continue
        user = users.get(username) if username else None
        services.expert_save(
            actor=actor,
            data={
                "name": name,
                "field": field,
                "affiliation": affiliation,
                "province": provinces[province],
                "term_start": datetime.date(2022, 3, 18),
                "term_end": max(datetime.date(2027, 3, 17), today + datetime.timedelta(days=365)),
                "user": user if user is not None and user.role == Role.EXPERT and not hasattr(user, "expert") else None,
            },
        )
        created += 1
    return created


def _reviews(actor, plan_2023, projects) -> int:
    # The expert who can sign in (demo account "expert") gets the review still to be answered.
    experts = sorted(Expert.objects.all(), key=lambda e: (e.user_id is None, e.name))
    if not experts:
        return 0
    created = 0
    wanted = []
    if plan_2023 is not None:
        wanted += [(experts[0], None, plan_2023, None), (experts[1 % len(experts)], None, plan_2023, "approve")]
        wanted += [(experts[2 % len(experts)], None, plan_2023, "approve_with_changes")]
    for index, project in enumerate(projects[:2]):
        wanted.append((experts[(3 + index) % len(experts)], project, None, "approve"))
    opinions = {
        "approve": ("项目选址合理，修复措施针对性强，同意列入计划。", Decimal("88")),
        "approve_with_changes": ("建议补充跨界断面水质监测指标，细化资金来源。", Decimal("76")),
    }
    for expert, project, plan, recommendation in wanted:
        if ExpertReview.objects.filter(expert=expert, project=project, plan=plan).exists():
            continue
        review = services.review_save(
            actor=actor,
            data={"expert": expert, "project": project, "plan": plan, "question": "请对计划（项目）提出评审意见。"},
        )
        created += 1
        if recommendation is None:
            continue  # left for the expert to answer (the demo "expert" account)
        # The opinion is the expert's own; the demo writes it in their name (they have no account),
        # recorded as such.
        text, score = opinions[recommendation]
        opinion = {"opinion": text, "recommendation": recommendation, "score": score}
        submitted = {"status": ReviewStatus.SUBMITTED, "submitted_at": review.created_at}
        tracked_update(
            actor=None,
            queryset=ExpertReview.objects.filter(pk=review.pk),
            values={**opinion, **submitted},
            event=DEMO_OPINION,
        )
    return created


def _corridor_targets(actor) -> int:
    plan = CorridorPlan.objects.filter(slug="six-rivers-2021-2035").first()
    if plan is None:
        return 0
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=CORRIDOR_TARGETS)}
    created = 0
    for scale, corridor in enumerate(Corridor.objects.filter(is_six_rivers=True), start=1):
        factor = Decimal(1) + Decimal(scale % 3) / Decimal(2)
        for code, values in CORRIDOR_TARGETS.items():
            if code not in indicators:
                continue
            for year, value in zip((2025, 2030, 2035), values, strict=True):
                if CorridorTarget.objects.filter(plan=plan, corridor=corridor, indicator=indicators[code], year=year):
                    continue
                scaled = value * factor if indicators[code].combination == Combination.SUM else value
                services.corridor_target_save(
                    actor=actor,
                    data={
                        "plan": plan,
                        "corridor": corridor,
                        "indicator": indicators[code],
                        "year": year,
                        "target_value": scaled,
                    },
                )
                created += 1
    return created


@transaction.atomic
def load(today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    users = _users()
    if not {"joint_office", "sc_staff", "cq_staff"} <= set(users):
        return "skipped: demo accounts missing"
    office = users["joint_office"]
    provinces = {p.code: p for p in Province.objects.filter(code__in=[SC, CQ])}
    organizations = {o.slug: o for o in Organization.objects.all()}
    sources = {s.code: s for s in FundingSource.objects.filter(code__in=["central", "provincial"])}
    live = (
        demo_projects()
        .exclude(status__in=[ProjectStatus.PROPOSED, ProjectStatus.CANCELLED])
        .select_related("lead_organization__province")
    )
    # Projects that can still report, so the 2022 plan has an execution to show.
    projects_2022 = [
        p
        for p in live.filter(planned_start__lte=datetime.date(2022, 12, 31))
        if p.lead_organization.province_id and p.status in restoration_services.REPORTABLE_STATUSES
    ]
    projects_2023 = [
        p for p in live.filter(planned_start__lte=datetime.date(2023, 12, 31)) if p.lead_organization.province_id
    ]

    # Each plan goes to the meeting of its year before that meeting is held, as the rule wants.
    plan_2022 = _plan(office, users, 2022, projects_2022, sources) if len(sources) == 2 else None
    plan_2023 = _plan(office, users, 2023, projects_2023, sources) if len(sources) == 2 else None
    meetings = _meetings(office, provinces, organizations, today, plans={2: plan_2022, 3: plan_2023})
    experts = _experts(office, provinces, users, today)

    if plan_2022 is not None:
        plan_2022 = services.plan_transition(
            actor=office, instance=plan_2022, to=PlanStatus.APPROVED, comment="审议通过"
        )
        for index, project in enumerate(projects_2022):
            province = project.lead_organization.province.code
            reporter, other = (
                (users["sc_staff"], users["cq_staff"]) if province == SC else (users["cq_staff"], users["sc_staff"])
            )
            # The other province reviews where it takes part; the joint office otherwise.
            reviewer = other if project.provinces.filter(pk=other.province_id).exists() else office
            behind = index % 3 == 2
            _reports_2022(project, reporter, reviewer, Decimal("0.2"), behind=behind)
            for milestone in PlanMilestone.objects.filter(item__plan=plan_2022, item__project=project):
                if behind and milestone.due_date.month == 12:
                    continue  # the year's work is late
                done_on = milestone.due_date - datetime.timedelta(days=2)
                services.plan_item_milestone_done(
                    actor=reporter, instance=milestone.item, title=milestone.title, done_on=done_on
                )
    _approve_minutes(office)

    if plan_2023 is not None:
        plan_2023.refresh_from_db()
    reviews = _reviews(office, plan_2023, projects_2023)

    if not Meeting.objects.filter(sequence_no=4).exists() and Meeting.objects.filter(sequence_no=3).exists():
        services.meeting_save(
            actor=office,
            data={
                "sequence_no": 4,
                "date": today + datetime.timedelta(days=30),
                "place": "四川省广安市",
                "agenda": [{"title": "审议2023年度实施计划（修改稿）"}, {"title": "听取督办事项办理情况"}],
            },
        )
    targets = _corridor_targets(office)
    overdue = services.mark_overdue_actions(today=today)
    return (
        f"{meetings} meetings, {Decision.objects.count()} decisions, {ActionItem.objects.count()} actions "
        f"({len(overdue)} newly overdue), plans {sorted(AnnualPlan.objects.values_list('year', flat=True))}, "
        f"{experts} experts, {reviews} reviews, {targets} corridor targets"
    )
