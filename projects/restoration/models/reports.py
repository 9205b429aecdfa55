import calendar
import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import TrackedModel, unindexed_updated_at
from projects.core.validators import validate_attachment
from projects.restoration.choices import AttachmentKind, ReminderStep, ReportingPeriod, ReportStatus

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4]))$")


def period_bounds(period: str) -> tuple[str, datetime.date, datetime.date]:
    """``2024-03`` (a month) or ``2024-Q1`` (a quarter) → (kind, first day, last day)."""
    match = PERIOD_PATTERN.match(period or "")
    if not match:
        raise ValidationError(
            {"period": _("Use YYYY-MM for a month or YYYY-Qn for a quarter, e.g. 2024-03 or 2024-Q1.")}
        )
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        return (
            ReportingPeriod.MONTH,
            datetime.date(year, month, 1),
            datetime.date(year, month, calendar.monthrange(year, month)[1]),
        )
    quarter = int(match["quarter"])
    first_month, last_month = 3 * quarter - 2, 3 * quarter
    return (
        ReportingPeriod.QUARTER,
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


class ProgressReport(TrackedModel):
    """A project's progress report (进展报告) for one month or quarter."""

    # No index of its own: the unique (project, period) and (project, -period_end) lead with it,
    # and every import writes each index of a report.
    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("project"),
        db_index=False,
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM or YYYY-Qn"))
    period_kind = models.CharField(_("period kind"), max_length=10, choices=ReportingPeriod.choices, editable=False)
    period_start = models.DateField(_("period start"), editable=False)
    period_end = models.DateField(_("period end"), editable=False, db_index=True)
    narrative = models.TextField(_("narrative"))
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    cumulative_investment = models.DecimalField(
        _("cumulative investment (10,000 CNY)"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Invested since the project began, to the end of the period, in 万元 (10,000 CNY)."),
    )
    correction_reason = models.TextField(
        _("correction reason"),
        blank=True,
        help_text=_(
            "Why a cumulative figure is below the one of an earlier report (a correction); "
            "without it a falling figure is refused."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("reported by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["project__code", "-period_end"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="one_report_per_project_and_period",
                violation_error_message=_("This project already has a report for this period."),
            )
        ]
        indexes = [models.Index(fields=["project", "-period_end"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period}"

    def history_scope(self):
        return self.project

    def representation_parents(self, before):
        # The project shows its latest submitted or accepted report.
        counted = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        if self.status in counted or (before and before.get("status") in counted):
            return [self.project]
        return []

    def clean(self):
        period_bounds(self.period)

    def save(self, *args, **kwargs):
        self.period_kind, self.period_start, self.period_end = period_bounds(self.period)
        super().save(*args, **kwargs)

    def history_extra(self) -> dict:
        return {
            "values": {v.indicator.code: v.value for v in self._rows("values", "indicator")},
            "investment": {share.source.code: share.amount for share in self._rows("investment", "source")},
            "attachments": sorted(a.file.name for a in self.attachments.all()),
        }

    def _rows(self, name: str, key: str):
        # The rows a batch has just written are given (prefetched), not read back.
        manager = getattr(self, name)
        return manager.all() if name in getattr(self, "_prefetched_objects_cache", {}) else manager.select_related(key)

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class IndicatorValue(TrackedModel):
    """The value a report gives for one of its project's targeted indicators."""

    # Indexed by the unique (report, indicator) alone; and nothing asks for values by their time of
    # change (they come with their report): two indexes fewer for every value an import writes.
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("report"), db_index=False
    )
    indicator = models.ForeignKey(
        "restoration.Indicator", on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=3)
    updated_at = unindexed_updated_at()

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"

    def history_scope(self):
        return self.report.project

    def representation_parents(self, before):
        return [self.report]


class ReportInvestment(TrackedModel):
    """The cumulative investment of a report that came from one funding source (万元).

    When a report gives its investment per source, its total is the sum of these."""

    # As a value's: indexed by the unique (report, source), read with its report.
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="investment", verbose_name=_("report"), db_index=False
    )
    source = models.ForeignKey(
        "restoration.FundingSource", on_delete=models.PROTECT, related_name="+", verbose_name=_("funding source")
    )
    amount = models.DecimalField(
        _("cumulative amount (10,000 CNY)"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Invested from this source since the project began, to the end of the period, in 万元."),
    )
    updated_at = unindexed_updated_at()

    class Meta:
        ordering = ["source__sort_order", "source__code"]
        verbose_name = _("investment by funding source")
        verbose_name_plural = _("investment by funding source")
        constraints = [models.UniqueConstraint(fields=["report", "source"], name="one_investment_per_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"

    def history_scope(self):
        return self.report.project


def _attachment_path(instance, filename):
    return f"reports/{instance.report.project_id}/{instance.report_id}/{filename}"


class ReportAttachment(TrackedModel):
    """A photo or document attached to a progress report."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_attachment_path, validators=[validate_attachment])
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.file.name

    def history_scope(self):
        return self.report.project

    def representation_parents(self, before):
        return [self.report]


class ReminderLog(models.Model):
    """One reminder step sent for a project's period: sent once (the unique constraint), never edited."""

    project = models.ForeignKey(
        "restoration.Project", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("project")
    )
    period = models.CharField(_("period"), max_length=7)
    step = models.CharField(_("reminder step"), max_length=12, choices=ReminderStep.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    due_date = models.DateField(_("due date"))
    recipients = models.JSONField(_("recipients"), default=list, help_text=_("The people told (user names)."))
    emails = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reporting reminder")
        verbose_name_plural = _("reporting reminders")
        constraints = [models.UniqueConstraint(fields=["project", "period", "step"], name="one_reminder_per_step")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period} {self.get_step_display()}"
