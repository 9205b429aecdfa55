"""Annual implementation plans (年度实施计划): items, their funding, targets and milestones."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import PlanStatus
from projects.core.models.base import TrackedModel

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
YEAR_VALIDATORS = [MinValueValidator(2021), MaxValueValidator(2035)]


class AnnualPlan(TrackedModel):
    """The year's implementation plan of both provinces, approved by the joint conference.

    Approved plans are locked; changing one afterwards opens an amendment (``PlanAmendment``)
    that sends it back to draft with a reason and needs a new approval.
    """

    brief_fields = ("year", "title", "status")

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Empty: “2022年度实施计划”."))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    meeting = models.ForeignKey(
        "conference.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("meeting"),
        help_text=_("The meeting the plan was last submitted to."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(
        _("revision"), default=0, editable=False, help_text=_("0 for the plan as first drafted; +1 per amendment.")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual implementation plan")
        verbose_name_plural = _("annual implementation plans")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or f"{self.year}年度实施计划"

    @property
    def is_editable(self) -> bool:
        """Items can be drafted only while the plan is with the provinces."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanItem(TrackedModel):
    """One project in a year's plan, proposed by one province.

    ``planned_investment`` is derived: the sum of the item's funding lines.
    """

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan"))
    project = models.ForeignKey(
        "restoration.Project", on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("project")
    )
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        related_name="plan_items",
        verbose_name=_("proposing province"),
    )
    description = models.TextField(_("work planned this year"), blank=True)
    planned_investment = models.DecimalField(
        _("planned investment (10,000 CNY)"), default=Decimal("0"), editable=False, **MONEY
    )
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("Why the meeting returned this item, when it did.")
    )

    class Meta:
        ordering = ["plan", "project__code"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "project"],
                name="one_item_per_project_and_plan",
                violation_error_message=_("This project is already in the plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.project.code}"

    def history_scope(self):
        return self.plan

    def history_extra(self) -> dict:
        """The item's funding, targets and milestones belong to its history too."""
        return {
            "funding": {f.source.code: f.amount for f in self.funding.select_related("source")},
            "targets": {t.indicator.code: t.target_value for t in self.targets.select_related("indicator")},
            "milestones": {m.title: [m.due_date, m.done_on] for m in self.milestones.all()},
        }

    def refresh_derived(self) -> None:
        total = self.funding.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if total != self.planned_investment:
            type(self).objects.filter(pk=self.pk).update(planned_investment=total)
            self.planned_investment = total

    def representation_parents(self, before):
        return [self.plan]  # a plan shows its number of items and their planned investment


class PlanItemFunding(TrackedModel):
    """The investment a plan item expects this year from one funding source."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="funding", verbose_name=_("plan item"))
    source = models.ForeignKey(
        "restoration.FundingSource", on_delete=models.PROTECT, related_name="+", verbose_name=_("funding source")
    )
    amount = models.DecimalField(_("amount (10,000 CNY)"), **MONEY)

    class Meta:
        ordering = ["source__sort_order", "source__code"]
        verbose_name = _("planned funding")
        verbose_name_plural = _("planned funding")
        constraints = [models.UniqueConstraint(fields=["item", "source"], name="one_planned_amount_per_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"

    def history_scope(self):
        return self.item.plan

    def representation_parents(self, before):
        return [self.item]


class PlanItemTarget(TrackedModel):
    """The value a plan item means to reach this year on one of its project's indicators."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan item"))
    indicator = models.ForeignKey(
        "restoration.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    target_value = models.DecimalField(
        _("target this year"), max_digits=16, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        constraints = [models.UniqueConstraint(fields=["item", "indicator"], name="one_annual_target_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.target_value}"

    def history_scope(self):
        return self.item.plan

    def representation_parents(self, before):
        return [self.item]


class PlanMilestone(TrackedModel):
    """A dated milestone of a plan item; ``done_on`` is filled in when it is reached."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("plan item"))
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.due_date:%Y-%m-%d} {self.title}"

    def history_scope(self):
        return self.item.plan

    def representation_parents(self, before):
        return [self.item]


class PlanTransition(models.Model):
    """One status change of an annual plan: who, when, which meeting and why. Never edited."""

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("plan"))
    from_status = models.CharField(_("from"), max_length=12, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=PlanStatus.choices)
    meeting = models.ForeignKey(
        "conference.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    item_comments = models.JSONField(
        _("comments per item"), default=dict, blank=True, help_text=_("Project code → comment, when returned.")
    )

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("plan status change")
        verbose_name_plural = _("plan status changes")

    def __str__(self) -> str:
        return f"{self.plan.year}: {self.from_status} → {self.to_status}"


class PlanAmendment(TrackedModel):
    """A change to an approved plan: why, the plan as it stood, and when it was approved again."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("plan"))
    revision = models.PositiveSmallIntegerField(_("revision"))
    reason = models.TextField(_("reason"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    baseline = models.JSONField(
        _("plan as approved before"), default=list, help_text=_("The items as they stood when the amendment opened.")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_meeting = models.ForeignKey(
        "conference.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved at meeting"),
    )

    class Meta:
        ordering = ["plan", "revision"]
        verbose_name = _("plan amendment")
        verbose_name_plural = _("plan amendments")
        constraints = [models.UniqueConstraint(fields=["plan", "revision"], name="one_amendment_per_revision")]

    def __str__(self) -> str:
        return f"{self.plan.year} r{self.revision}"

    def history_scope(self):
        return self.plan
