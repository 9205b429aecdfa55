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
