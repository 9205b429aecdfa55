"""A project's progress: its figures against its targets, and the periods it has not reported.

The figures come from ``projects.restoration.selectors`` (``indicator_totals`` and
``investment_at`` are re-exported here for the modules that read them from this one), so the
project's page, the plans, the corridors and the carbon path compute them one way. Only
submitted and accepted reports count.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from projects.restoration.models import ProgressReport
from projects.restoration.selectors import COUNTED, indicator_totals, investment_at

__all__ = [
    "CLOSING_REPORT_DAYS",
    "COUNTED",
    "REPORTING_GRACE_DAYS",
    "due_date",
    "expected_periods",
    "indicator_totals",
    "investment_at",
    "project_progress",
    "reporting_cutoff",
    "reporting_periods",
]

# Days after a period ends before its missing report counts as overdue.
REPORTING_GRACE_DAYS = 15
# Days after the planned end still reported on (the closing report: a quarter).
CLOSING_REPORT_DAYS = 92


def reporting_periods(project, until: datetime.date) -> list[tuple[str, datetime.date]]:
    """(period, last day) of each month or quarter (the project's ``reporting_period``) from its planned
    start whose last day is on or before ``until``: the periods it reports on."""
    from projects.restoration.choices import ReportingPeriod

    if not project.planned_start:
        return []
    periods = []
    year, month = project.planned_start.year, project.planned_start.month
    if project.reporting_period == ReportingPeriod.QUARTER:
        month = 3 * ((month - 1) // 3) + 1
    step = 3 if project.reporting_period == ReportingPeriod.QUARTER else 1
    while True:
        last_month = month + step - 1
        end = datetime.date(year, last_month, 1) + datetime.timedelta(days=31)
        end = end.replace(day=1) - datetime.timedelta(days=1)
        if end > until:
            return periods
        periods.append((f"{year}-Q{(month + 2) // 3}" if step == 3 else f"{year}-{month:02d}", end))
        month += step
        if month > 12:
            year, month = year + 1, month - 12


def reporting_cutoff(project, today: datetime.date) -> datetime.date:
    """The last period end a project under way is asked to report on by ``today``, due or not:
    nothing after its planned end (plus a quarter for the closing report)."""
    if project.planned_end:
        return min(today, project.planned_end + datetime.timedelta(days=CLOSING_REPORT_DAYS))
    return today


def due_date(period_end: datetime.date) -> datetime.date:
    """A period's report is due ``REPORTING_GRACE_DAYS`` after the period ends; overdue after that."""
    return period_end + datetime.timedelta(days=REPORTING_GRACE_DAYS)


def expected_periods(project, today: datetime.date) -> list[str]:
    """The periods a project under way should have reported on by ``today`` (their due date passed)."""
    from projects.restoration.choices import ProjectStatus

    if project.status != ProjectStatus.IN_PROGRESS:
        return []
    cutoff = reporting_cutoff(project, today - datetime.timedelta(days=REPORTING_GRACE_DAYS))
    return [period for period, _end in reporting_periods(project, cutoff)]


def project_progress(project, today: datetime.date | None = None) -> dict:
    """A project's progress at a glance: latest report, figures against targets, overdue periods."""
    today = today or datetime.date.today()
    totals = indicator_totals(project_ids=[project.pk])
    targets = []
    for target in project.targets.select_related("indicator").prefetch_related("indicator__components"):
        achieved = totals.get((project.pk, target.indicator_id))
        targets.append(
            {
                "indicator": target.indicator.code,
                "unit": target.indicator.unit,
                "target": target.target_value,
                "achieved": achieved,
                "percent": (
                    (achieved * 100 / target.target_value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                    if achieved is not None and target.target_value
                    else None
                ),
                "derived_from": [component.code for component in target.indicator.components.all()],
            }
        )
    reported = set(ProgressReport.objects.filter(project=project, status__in=COUNTED).values_list("period", flat=True))
    latest = ProgressReport.objects.filter(project=project, status__in=COUNTED).order_by("-period_end").first()
    return {
        "latest_report": (
            {
                "id": latest.pk,
                "period": latest.period,
                "percent_complete": latest.percent_complete,
                "cumulative_investment": latest.cumulative_investment,
                "status": latest.status,
            }
            if latest
            else None
        ),
        "targets": targets,
        "overdue_periods": [p for p in expected_periods(project, today) if p not in reported],
    }
