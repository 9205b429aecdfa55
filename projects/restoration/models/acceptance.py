"""Acceptance (验收) of a restoration project, after 《国土空间生态保护修复工程验收规范》: completion
acceptance of each sub-project, evaluation of the restoration units and acceptance of the project
as a whole, each with its group, documents, targets against achievements, land-use change,
conclusion and rectification items."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import TrackedModel
from projects.core.validators import validate_attachment
from projects.restoration.choices import (
    AcceptanceConclusion,
    AcceptanceKind,
    AcceptanceStatus,
    LandUseType,
    RectificationStatus,
)

AREA = {"max_digits": 14, "decimal_places": 4, "validators": [MinValueValidator(Decimal("0"))]}


class AcceptanceRecord(TrackedModel):
    """One acceptance of a project (or of one of its sub-projects or restoration units).

    Recorded as a draft, then concluded (``acceptance_transition``): a concluded record is frozen.
    """

    project = models.ForeignKey(
        "restoration.Project", on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("project")
    )
    kind = models.CharField(_("kind of acceptance"), max_length=20, choices=AcceptanceKind.choices)
    subject = models.CharField(
        _("sub-project or unit"),
        max_length=200,
        blank=True,
        help_text=_("The sub-project or restoration unit accepted; empty for the whole project."),
    )
    accepted_on = models.DateField(_("date of acceptance"))
    conclusion = models.CharField(
        _("conclusion"), max_length=10, choices=AcceptanceConclusion.choices, blank=True, default=""
    )
    opinion = models.TextField(_("acceptance opinion"), blank=True, help_text=_("The group's opinion (验收意见)."))
    status = models.CharField(
        _("status"), max_length=10, choices=AcceptanceStatus.choices, default=AcceptanceStatus.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["project__code", "-accepted_on"]
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_kind_display()} {self.accepted_on}"

    def history_scope(self):
        return self.project

    def history_extra(self) -> dict:
        return {
            "members": [f"{m.name} ({m.organization_name})" for m in self.members.all()],
            "indicators": {
                row.indicator.code: [row.target_value, row.achieved_value, row.shortfall_reason]
                for row in self.indicators.select_related("indicator")
            },
            "land_use": {row.land_use: [row.area_before_ha, row.area_after_ha] for row in self.land_use.all()},
        }

    @property
    def is_editable(self) -> bool:
        return self.status == AcceptanceStatus.DRAFT


class AcceptanceMember(TrackedModel):
    """A member of the acceptance group (验收组): a person, their organization, and the expert of the
    committee they are, if one."""

    record = models.ForeignKey(
        AcceptanceRecord, on_delete=models.CASCADE, related_name="members", verbose_name=_("acceptance record")
    )
    name = models.CharField(_("member's name"), max_length=100, blank=True)
    organization_name = models.CharField(_("member's organization"), max_length=200, blank=True)
    expert = models.ForeignKey(
        "conference.Expert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptances",
        verbose_name=_("expert of the committee"),
    )
    is_leader = models.BooleanField(_("group leader"), default=False)

    class Meta:
        ordering = ["-is_leader", "name"]
        verbose_name = _("acceptance group member")
        verbose_name_plural = _("acceptance group")

    def __str__(self) -> str:
        return self.name

    def history_scope(self):
        return self.record.project

    def representation_parents(self, before):
        return [self.record]


class AcceptanceIndicator(TrackedModel):
    """A performance target against what was achieved (工程绩效目标完成情况), with the reason when the
    achievement is below the share ``ACCEPTANCE_MIN_SHARE`` of the target."""

    record = models.ForeignKey(
        AcceptanceRecord, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("acceptance record")
    )
    indicator = models.ForeignKey(
        "restoration.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    target_value = models.DecimalField(_("target value"), max_digits=16, decimal_places=3)
    achieved_value = models.DecimalField(_("achieved value"), max_digits=16, decimal_places=3, null=True, blank=True)
    shortfall_reason = models.TextField(_("reason for the shortfall"), blank=True)

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("target against achievement")
        verbose_name_plural = _("targets against achievements")
        constraints = [models.UniqueConstraint(fields=["record", "indicator"], name="one_acceptance_row_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.achieved_value} / {self.target_value}"

    @property
    def share(self) -> Decimal | None:
        if not self.target_value:
            return None
        return (self.achieved_value or Decimal("0")) / self.target_value

    def history_scope(self):
        return self.record.project

    def representation_parents(self, before):
        return [self.record]


class LandUseChange(TrackedModel):
    """The area of one land-use class before and after the works (hectares)."""

    record = models.ForeignKey(
        AcceptanceRecord, on_delete=models.CASCADE, related_name="land_use", verbose_name=_("acceptance record")
    )
    land_use = models.CharField(_("land use"), max_length=20, choices=LandUseType.choices)
    area_before_ha = models.DecimalField(_("area before (ha)"), **AREA)
    area_after_ha = models.DecimalField(_("area after (ha)"), **AREA)

    class Meta:
        ordering = ["land_use"]
        verbose_name = _("land-use change")
        verbose_name_plural = _("land-use change")
        constraints = [models.UniqueConstraint(fields=["record", "land_use"], name="one_row_per_land_use")]

    def __str__(self) -> str:
        return f"{self.get_land_use_display()}: {self.area_before_ha} → {self.area_after_ha}"

    def history_scope(self):
        return self.record.project

    def representation_parents(self, before):
        return [self.record]


def _document_path(instance, filename):
    return f"acceptance/{instance.record.project_id}/{instance.record_id}/{filename}"


class AcceptanceDocument(TrackedModel):
    """A document of the acceptance (the form, the minutes, the experts' opinions …)."""

    record = models.ForeignKey(
        AcceptanceRecord, on_delete=models.CASCADE, related_name="documents", verbose_name=_("acceptance record")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_document_path, validators=[validate_attachment])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("acceptance document")
        verbose_name_plural = _("acceptance documents")

    def __str__(self) -> str:
        return self.title or self.file.name

    def history_scope(self):
        return self.record.project

    def representation_parents(self, before):
        return [self.record]


class RectificationItem(TrackedModel):
    """Something the acceptance asks to be put right (整改事项), by a due date; open until done and
    overdue when open past its due date, as follow-up actions are."""

    record = models.ForeignKey(
        AcceptanceRecord, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("acceptance record")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible_organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="rectification_items",
        verbose_name=_("responsible organization"),
    )
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == RectificationStatus.OPEN and self.due_date < timezone.localdate()

    def history_scope(self):
        return self.record.project

    def representation_parents(self, before):
        return [self.record]
