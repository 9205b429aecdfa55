"""What changed since the last accepted report: the reviewer's field-level comparison.

``compare_with_last_accepted(report)`` compares a progress report with its project's **baseline**:
the accepted report of the same project with the latest period ending before this report's period
ends (``None`` when there is none: everything is then new). The same dict feeds the API
(``GET /api/v1/progress-reports/{id}/compare/``), the admin's read-only panel on the report's page
and the staff web page. Its keys are stable:

``report`` / ``baseline``
    ``{"id", "period", "status"}`` (``baseline`` is ``None`` when there is no earlier accepted report).
``indicators``
    one row per indicator either report gives a value on, or the project targets, in catalogue code order:
    ``{"indicator" (code), "name", "unit", "aggregation",
    "per_period": {"current", "previous", "change"}`` — the value each report itself gives (text, or
    ``None`` when it gives none) —
    ``"absolute": {"current", "previous", "change"}`` — the project's figure as of each report, over
    time by the indicator's rule (``projects.restoration.selectors.indicator_totals``): the baseline's
    counts accepted reports up to it, the report's counts submitted and accepted reports up to it and the
    report itself, whatever its status —
    ``"went_backwards"`` (the absolute figure fell)}``.
``percent_complete``, ``cumulative_investment``
    ``{"current", "previous", "change", "went_backwards"}``.
``investment_by_source``
    one row per funding source of either report, by the source's order:
    ``{"source" (code), "name", "current", "previous", "change", "went_backwards"}``; a source a report
    does not list counts as ``None`` there (not zero: the report gave its total only).
``narrative``
    ``{"changed": bool, "diff": [lines of a unified diff, without the ---/+++ header]}``.
``attachments``
    ``{"added": [...], "removed": [...], "kept": [...]}``, each ``{"title", "kind", "file"}``
    (the file's name; matched between the reports by file name and size).
``went_backwards``
    the names of the figures that fell: ``"percent_complete"``, ``"cumulative_investment"``,
    ``"investment:<source code>"``, ``"indicator:<indicator code>"``.

Numbers are text with their exact digits, like every figure of the API. ``change`` is current minus
previous (``None`` when either is missing). A fall is flagged even when the report states a
``correction_reason`` (it is shown beside it): the reviewer decides.
"""

import difflib
import posixpath
from decimal import Decimal

from projects.restoration.choices import Aggregation, ReportStatus
from projects.restoration.models import Indicator, IndicatorValue, ProgressReport, ReportAttachment, ReportInvestment
from projects.restoration.selectors import COUNTED, indicator_totals


def last_accepted_before(report: ProgressReport) -> ProgressReport | None:
    """The project's accepted report with the latest period ending before ``report``'s does."""
    return (
        ProgressReport.objects.filter(
            project_id=report.project_id, status=ReportStatus.ACCEPTED, period_end__lt=report.period_end
        )
        .exclude(pk=report.pk)
        .order_by("-period_end", "-period_start")
        .first()
    )


def _text(value) -> str | None:
    return None if value is None else str(value)


def _pair(current: Decimal | None, previous: Decimal | None) -> dict:
    change = current - previous if current is not None and previous is not None else None
    return {"current": _text(current), "previous": _text(previous), "change": _text(change)}


def _fell(current, previous) -> bool:
    return current is not None and previous is not None and current < previous


def _brief(report: ProgressReport | None) -> dict | None:
    if report is None:
        return None
    return {"id": str(report.pk), "period": report.period, "status": report.status}


def _values(report: ProgressReport | None) -> dict:
    if report is None:
        return {}
    return {row.indicator_id: row.value for row in IndicatorValue.objects.filter(report=report)}


def _investment(report: ProgressReport | None) -> dict:
    if report is None:
        return {}
    return {row.source: row.amount for row in ReportInvestment.objects.filter(report=report).select_related("source")}


def _attachments(report: ProgressReport | None) -> dict:
    if report is None:
        return {}
    return {
        (posixpath.basename(a.file.name), a.size): {
            "title": a.title,
            "kind": a.kind,
            "file": posixpath.basename(a.file.name),
        }
        for a in ReportAttachment.objects.filter(report=report)
    }


def _absolute(report: ProgressReport, statuses) -> dict:
    totals = indicator_totals(project_ids=[report.project_id], end=report.period_end, statuses=statuses)
    return {indicator_id: value for (_project, indicator_id), value in totals.items()}


def compare_with_last_accepted(report: ProgressReport) -> dict:
    """The comparison of ``report`` with its project's last accepted report (see the module's keys)."""
    baseline = last_accepted_before(report)
    backwards: list[str] = []

    current_values, previous_values = _values(report), _values(baseline)
    current_abs = _absolute(report, tuple({*COUNTED, report.status}))
    previous_abs = _absolute(baseline, (ReportStatus.ACCEPTED,)) if baseline else {}
    targeted = set(report.project.targets.values_list("indicator_id", flat=True))
    indicator_ids = set(current_values) | set(previous_values) | targeted
    indicators = []
    for indicator in Indicator.objects.filter(pk__in=indicator_ids).order_by("code"):
        now, before = current_abs.get(indicator.pk), previous_abs.get(indicator.pk)
        fell = _fell(now, before) and indicator.aggregation != Aggregation.AVERAGE
        if fell:
            backwards.append(f"indicator:{indicator.code}")
        indicators.append(
            {
                "indicator": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "aggregation": indicator.aggregation,
                "per_period": _pair(current_values.get(indicator.pk), previous_values.get(indicator.pk)),
                "absolute": _pair(now, before),
                "went_backwards": fell,
            }
        )

    def figure(name: str) -> dict:
        # As stored (an unsaved copy may hold fewer decimals than its column).
        step = Decimal(1).scaleb(-ProgressReport._meta.get_field(name).decimal_places)
        now = Decimal(getattr(report, name)).quantize(step)
        before = Decimal(getattr(baseline, name)).quantize(step) if baseline else None
        fell = _fell(now, before)
        if fell:
            backwards.append(name)
        return {**_pair(now, before), "went_backwards": fell}

    percent = figure("percent_complete")
    investment_total = figure("cumulative_investment")

    current_sources, previous_sources = _investment(report), _investment(baseline)
    by_source = []
    for source in sorted({*current_sources, *previous_sources}, key=lambda s: (s.sort_order, s.code)):
        now, before = current_sources.get(source), previous_sources.get(source)
        fell = _fell(now, before)
        if fell:
            backwards.append(f"investment:{source.code}")
        by_source.append({"source": source.code, "name": source.name, **_pair(now, before), "went_backwards": fell})

    old_text = baseline.narrative if baseline else ""
    diff = list(difflib.unified_diff(old_text.splitlines(), report.narrative.splitlines(), lineterm="", n=2))
    current_files, previous_files = _attachments(report), _attachments(baseline)

    return {
        "report": _brief(report),
        "baseline": _brief(baseline),
        "indicators": indicators,
        "percent_complete": percent,
        "cumulative_investment": investment_total,
        "investment_by_source": by_source,
        "narrative": {"changed": old_text != report.narrative, "diff": diff[2:]},
        "attachments": {
            "added": [row for key, row in current_files.items() if key not in previous_files],
            "removed": [row for key, row in previous_files.items() if key not in current_files],
            "kept": [row for key, row in current_files.items() if key in previous_files],
        },
        "went_backwards": backwards,
    }
