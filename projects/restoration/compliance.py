"""Reporting compliance: which progress reports are due, overdue or missing, across all projects.

A **period** is a project's own reporting period (``Project.reporting_period``): a calendar month
(``2025-03``) or quarter (``2025-Q1``), counted from the month of its planned start, as
``projects.restoration.progress.reporting_periods`` lists them. A project is asked to report while
it is in progress (the definition ``project_progress``'s overdue periods use), on each period that
has ended by today and not after its planned end plus a quarter. The report of a period is **due**
``REPORTING_GRACE_DAYS`` (15) days after the period ends (``progress.due_date``).

Each (project, period) gets one status:

``due``        the period has ended, the due date has not passed and nothing is submitted yet;
``overdue``    the due date has passed and a report exists but was never submitted (a draft) or was
               returned and not submitted again;
``missing``    the due date has passed and there is no report at all;
``submitted``  a report is submitted and waits for review;
``accepted``   a report is accepted.

The **reporting organization** is the project's lead organization and its province the lead's
province (the province whose staff write the reports and who gets the reminders).
"""

import datetime
from collections import Counter

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from projects.core.models import Corridor
from projects.restoration.choices import ProjectStatus, ReportStatus
from projects.restoration.models import ProgressReport
from projects.restoration.progress import due_date, reporting_cutoff, reporting_periods

DUE, OVERDUE, MISSING, SUBMITTED, ACCEPTED = "due", "overdue", "missing", "submitted", "accepted"
STATUS_LABELS = {
    DUE: _("Due"),
    OVERDUE: _("Overdue (not submitted)"),
    MISSING: _("Missing (no report)"),
    SUBMITTED: _("Submitted, awaiting review"),
    ACCEPTED: _("Accepted"),
}
NOT_REPORTED = (DUE, OVERDUE, MISSING)


def _status(report, due: datetime.date, today: datetime.date) -> str:
    if report is not None and report.status == ReportStatus.ACCEPTED:
        return ACCEPTED
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return SUBMITTED
    if due >= today:
        return DUE
    return OVERDUE if report is not None else MISSING


def compliance_projects(projects):
    """The projects asked to report, with what the rows show (a fixed number of queries)."""
    return (
        projects.filter(status=ProjectStatus.IN_PROGRESS)
        .exclude(planned_start=None)
        .select_related("lead_organization__province")
        .prefetch_related(
            Prefetch("corridors", queryset=Corridor.objects.only("pk", "slug", "name_zh", "name_en")),
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.only("pk", "project_id", "period", "status", "period_end"),
                to_attr="compliance_reports",
            ),
        )
        .order_by("code")
    )


def reporting_compliance(
    *,
    projects,
    today: datetime.date,
    period: str | None = None,
    province: str | None = None,
    corridor: str | None = None,
    organization: str | None = None,
    statuses=None,
) -> dict:
    """Every (project, period) row and the counts per status, province, organization, corridor and period.

    ``projects`` is the queryset the reader may see; the filters take a period (``2025-03``), a
    province code, a corridor slug, an organization slug and the statuses to list (all by default).
    Each row: ``project`` {id, code, name}, ``organization`` {slug, name}, ``province`` {code, name}
    (empty for a body of both provinces), ``corridors`` [{slug, name}], ``period``, ``period_end``,
    ``due_date``, ``status``, ``status_label``, ``report`` (its id or None) and ``days_overdue``.
    """
    queryset = projects
    if province:
        queryset = queryset.filter(lead_organization__province__code=province)
    if organization:
        queryset = queryset.filter(lead_organization__slug=organization)
    if corridor:
        queryset = queryset.filter(corridors__slug=corridor).distinct()
    rows = []
    for project in compliance_projects(queryset):
        reports = {report.period: report for report in project.compliance_reports}
        lead = project.lead_organization
        corridors = [{"slug": c.slug, "name": c.name} for c in project.corridors.all()]
        for name, end in reporting_periods(project, reporting_cutoff(project, today)):
            if period and name != period:
                continue
            due = due_date(end)
            report = reports.get(name)
            status = _status(report, due, today)
            if statuses and status not in statuses:
                continue
            rows.append(
                {
                    "project": {"id": str(project.pk), "code": project.code, "name": project.name},
                    "organization": {"slug": lead.slug, "name": lead.name},
                    "province": (
                        {"code": lead.province.code, "name": lead.province.name} if lead.province_id else None
                    ),
                    "corridors": corridors,
                    "period": name,
                    "period_end": end,
                    "due_date": due,
                    "status": status,
                    "status_label": str(STATUS_LABELS[status]),
                    "report": str(report.pk) if report is not None else None,
                    "days_overdue": (today - due).days if status in (OVERDUE, MISSING) else 0,
                }
            )
    return {"as_of": today, "rows": rows, "summary": summarize(rows)}


def summarize(rows: list[dict]) -> dict:
    """Counts per status, overall and per period, province, organization and corridor."""

    def count(key) -> dict:
        groups: dict = {}
        for row in rows:
            for name in key(row):
                groups.setdefault(name, Counter())[row["status"]] += 1
        return {name: dict(counter) for name, counter in sorted(groups.items())}

    return {
        "by_status": dict(Counter(row["status"] for row in rows)),
        "by_period": count(lambda row: [row["period"]]),
        "by_province": count(lambda row: [row["province"]["code"]] if row["province"] else ["—"]),
        "by_organization": count(lambda row: [row["organization"]["slug"]]),
        "by_corridor": count(lambda row: [c["slug"] for c in row["corridors"]]),
    }
