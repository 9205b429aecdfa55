"""Reading progress: achieved indicator values and investment from the progress reports.

Shared by the project API, the annual plans' execution and the carbon estimate, so every
figure is computed one way. Only submitted and accepted reports count.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Max, OuterRef, Subquery, Sum

from projects.restoration.choices import Aggregation, ReportStatus
from projects.restoration.models import IndicatorValue, ProgressReport

COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def indicator_totals(
    *, project_ids, start: datetime.date | None = None, end: datetime.date | None = None, statuses=COUNTED
) -> dict[tuple, Decimal]:
    """Per (project_id, indicator_id): the values of reports whose period ends in [start, end],
    added up as the indicator says (sum, latest or average). Three queries at most."""
    values = IndicatorValue.objects.filter(report__project_id__in=project_ids, report__status__in=statuses)
    if start:
        values = values.filter(report__period_end__gte=start)
    if end:
        values = values.filter(report__period_end__lte=end)
    totals: dict[tuple, Decimal] = {}
    for aggregation, function in ((Aggregation.SUM, Sum), (Aggregation.AVERAGE, Avg)):
        rows = (
            values.filter(indicator__aggregation=aggregation)
            .values("report__project_id", "indicator_id")
            .annotate(total=function("value"))
        )
        for row in rows:
            totals[(row["report__project_id"], row["indicator_id"])] = Decimal(row["total"])
    latest_value = (
        values.filter(report__project_id=OuterRef("report__project_id"), indicator_id=OuterRef("indicator_id"))
        .order_by("-report__period_end")
        .values("value")[:1]
    )
    rows = (
        values.filter(indicator__aggregation=Aggregation.LATEST)
        .values("report__project_id", "indicator_id")
        .annotate(last=Max("report__period_end"), total=Subquery(latest_value))
    )
    for row in rows:
        totals[(row["report__project_id"], row["indicator_id"])] = Decimal(row["total"])
    return totals


def investment_at(*, project_ids, on: datetime.date, statuses=COUNTED) -> dict:
    """Per project id: the cumulative investment of its latest report ending on or before ``on``."""
    latest = defaultdict(lambda: Decimal("0"))
    reports = (
        ProgressReport.objects.filter(project_id__in=project_ids, status__in=statuses, period_end__lte=on)
        .order_by("project_id", "period_end")
        .values_list("project_id", "cumulative_investment")
    )
    for project_id, amount in reports:
        latest[project_id] = amount  # ordered by period: the last one wins
    return dict(latest)


# Days after a period ends before its missing report counts as overdue.
REPORTING_GRACE_DAYS = 15


def expected_periods(project, today: datetime.date) -> list[str]:
    """The periods a project under way should have reported on by ``today``."""
    from projects.restoration.choices import ProjectStatus, ReportingPeriod

    if project.status != ProjectStatus.IN_PROGRESS or not project.planned_start:
        return []
    cutoff = today - datetime.timedelta(days=REPORTING_GRACE_DAYS)
    if project.planned_end:
        cutoff = min(cutoff, project.planned_end + datetime.timedelta(days=92))
    periods = []
    year, month = project.planned_start.year, project.planned_start.month
    if project.reporting_period == ReportingPeriod.QUARTER:
        month = 3 * ((month - 1) // 3) + 1
    step = 3 if project.reporting_period == ReportingPeriod.QUARTER else 1
    while True:
        last_month = month + step - 1
        end = datetime.date(year, last_month, 1) + datetime.timedelta(days=31)
        end = end.replace(day=1) - datetime.timedelta(days=1)
        if end > cutoff:
            return periods
        periods.append(f"{year}-Q{(month + 2) // 3}" if step == 3 else f"{year}-{month:02d}")
        month += step
        if month > 12:
            year, month = year + 1, month - 12


def project_progress(project, today: datetime.date | None = None) -> dict:
    """A project's progress at a glance: latest report, figures against targets, overdue periods."""
    today = today or datetime.date.today()
    totals = indicator_totals(project_ids=[project.pk])
    targets = []
    for target in project.targets.all():
        achieved = totals.get((project.pk, target.indicator_id))
        targets.append(
            {
                "indicator": target.indicator.code,
                "unit": target.indicator.unit,
                "target": target.target_value,
                "achieved": achieved,
                "percent": (
                    round(achieved / target.target_value * 100, 1)
                    if achieved is not None and target.target_value
                    else None
                ),
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
