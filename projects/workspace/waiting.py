"""What is waiting for a signed-in user: the reads behind the workspace's "My work" page.

Each list is read through ``projects.permissions.visible`` and the domains' querysets, and each
record is kept only when the rule (``can``) lets the user do the task, so the page offers what
the API would accept. A fixed number of queries whatever the data size (pinned in the tests).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from projects.compensation.choices import SettlementStatus, Side
from projects.compensation.models import Settlement
from projects.conference.choices import PlanStatus, ReviewStatus
from projects.conference.models import ActionItem, AnnualPlan, ExpertReview
from projects.conference.rules import REPORT
from projects.core.models import Province
from projects.permissions import CHANGE, TRANSITION, can, visible
from projects.restoration.choices import ReportStatus
from projects.restoration.compliance import DUE, NOT_REPORTED, reporting_compliance
from projects.restoration.models import ProgressReport, Project
from projects.restoration.rules import REVIEW
from projects.restoration.services.reports import REPORTABLE_STATUSES


@dataclass
class DueReports:
    """The periods one project of the user's organization has yet to report on, oldest first."""

    project_id: str
    project_name: str
    periods: list
    overdue: list

    @property
    def first(self) -> str:
        return self.periods[0]

    @property
    def last(self) -> str:
        return self.periods[-1]


@dataclass
class Waiting:
    reports_due: list = field(default_factory=list)
    reports_to_finish: list = field(default_factory=list)
    reports_to_review: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    settlements: list = field(default_factory=list)
    expert_reviews: list = field(default_factory=list)
    plans: list = field(default_factory=list)

    @property
    def reports_due_count(self) -> int:
        return len(self.reports_due) + len(self.reports_to_finish)

    @property
    def count(self) -> int:
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)


def _provinces():
    return Prefetch("provinces", queryset=Province.objects.only("id", "code", "name_zh", "name_en"))


def reportable_projects(user):
    """The projects the user may write a progress report on (status and province), by code."""
    candidates = (
        visible(user, Project.objects.all())
        .filter(status__in=REPORTABLE_STATUSES)
        .select_related("lead_organization")
        .prefetch_related(_provinces())
        .defer("geometry", "description")
        .order_by("code")
    )
    if not user.runs_everything and user.province_id:
        candidates = candidates.filter(provinces=user.province_id)
    return [project for project in candidates if can(user, CHANGE, ProgressReport(project=project, reported_by=user))]


def waiting_for(user, today: datetime.date | None = None) -> Waiting:
    today = today or timezone.localdate()
    waiting = Waiting()
    organization_id = user.organization_id

    if organization_id is not None:
        # Reports due and overdue: the reporting-compliance rows of the projects the organization
        # leads (it writes their reports) without any report yet; drafts and returned ones follow.
        compliance = reporting_compliance(
            projects=visible(user, Project.objects.all()),
            today=today,
            organization=user.organization.slug,
            statuses=NOT_REPORTED,
        )
        by_project: dict = {}
        for row in compliance["rows"]:
            if row["report"] is None:
                by_project.setdefault(row["project"]["id"], (row["project"], []))[1].append(row)
        for project, rows in by_project.values():
            waiting.reports_due.append(
                DueReports(
                    project_id=project["id"],
                    project_name=project["name"],
                    periods=[row["period"] for row in rows],
                    overdue=[row["period"] for row in rows if row["status"] != DUE],
                )
            )
        waiting.reports_due.sort(key=lambda due: (not due.overdue, due.first, due.project_name))

        waiting.reports_to_finish = list(
            visible(user, ProgressReport.objects.all())
            .filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED], reported_by__organization=organization_id)
            .select_related("project")
            .defer("project__geometry", "project__description")
            .order_by("-status", "period_end")
        )

        waiting.actions = [
            item
            for item in visible(user, ActionItem.objects.unfinished())
            .filter(responsible_organization=organization_id)
            .select_related("decision__meeting")
            .order_by("due_date")
            if can(user, REPORT, item)
        ]

    # Reports awaiting my review: submitted by another province of a project mine takes part in.
    to_review = (
        visible(user, ProgressReport.objects.filter(status=ReportStatus.SUBMITTED))
        .select_related("project__lead_organization", "reported_by__organization")
        .prefetch_related(Prefetch("project__provinces", queryset=Province.objects.only("id")))
        .defer("project__geometry", "project__description")
        .order_by("submitted_at")
    )
    if not user.runs_everything:
        to_review = to_review.filter(project__provinces=user.province_id) if user.province_id else to_review.none()
    waiting.reports_to_review = [report for report in to_review if can(user, REVIEW, report)]

    # Settlements awaiting my province's confirmation.
    if user.province_id and not user.runs_everything:
        settlements = (
            visible(user, Settlement.objects.filter(status=SettlementStatus.COMPUTED))
            .filter(
                Q(agreement__upstream_province=user.province_id) | Q(agreement__downstream_province=user.province_id)
            )
            .select_related("agreement")
            .defer("inputs", "steps")
            .order_by("period_start")
        )
        for settlement in settlements:
            agreement = settlement.agreement
            unconfirmed = [
                side
                for side in Side.values
                if agreement.party_province_id(side) == user.province_id
                and not getattr(settlement, f"{side}_confirmed_at")
            ]
            if unconfirmed and can(user, TRANSITION, settlement):
                waiting.settlements.append(settlement)

    waiting.expert_reviews = list(
        visible(user, ExpertReview.objects.filter(status=ReviewStatus.REQUESTED, expert__user=user))
        .select_related("project", "plan")
        .defer("project__geometry", "project__description")
        .order_by("due_date")
    )

    # Annual plans to submit to a meeting (those who may move a plan: the joint office).
    if can(user, TRANSITION, AnnualPlan):
        waiting.plans = list(
            visible(user, AnnualPlan.objects.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED])).order_by(
                "year"
            )
        )
    return waiting
