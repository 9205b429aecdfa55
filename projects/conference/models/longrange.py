"""The "six rivers" corridor plan 《“六江”生态廊道建设规划(2021-2035年)》 and its targets."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import MilestoneYear
from projects.conference.models.plans import YEAR_VALIDATORS
from projects.core.models.base import TrackedModel
from projects.core.validators import DOCUMENT_EXTENSIONS, validate_attachment


def _plan_document_path(instance, filename):
    return f"conference/corridor-plans/{instance.pk}/{filename}"


def validate_plan_document(upload):
    validate_attachment(upload, DOCUMENT_EXTENSIONS)


class CorridorPlan(TrackedModel):
    """A long-range plan both provinces compile jointly; annual plans and progress roll up to it."""

    brief_fields = ("slug", "title_zh", "title_en")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title_zh = models.CharField(_("Chinese title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR_VALIDATORS)
    compiled_by = models.ManyToManyField(
        "core.Organization", blank=True, related_name="corridor_plans", verbose_name=_("compiled by")
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    document = models.FileField(
        _("plan document"), upload_to=_plan_document_path, blank=True, validators=[validate_plan_document]
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-start_year", "slug"]
        verbose_name = _("corridor plan")
        verbose_name_plural = _("corridor plans")

    def __str__(self) -> str:
        return self.title_zh


class CorridorTarget(TrackedModel):
    """Where the plan means one corridor to be on one indicator by 2025, 2030 or 2035 (cumulative)."""

    plan = models.ForeignKey(CorridorPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    corridor = models.ForeignKey(
        "core.Corridor", on_delete=models.PROTECT, related_name="plan_targets", verbose_name=_("corridor")
    )
    indicator = models.ForeignKey(
        "restoration.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("target year"), choices=MilestoneYear.choices)
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["corridor__sort_order", "indicator__code", "year"]
        verbose_name = _("corridor target")
        verbose_name_plural = _("corridor targets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "corridor", "indicator", "year"],
                name="one_corridor_target_per_year",
                violation_error_message=_("This corridor already has a target on this indicator for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.corridor} {self.indicator.code} {self.year}: {self.target_value}"

    def history_scope(self):
        return self.plan

    def representation_parents(self, before):
        return [self.plan]  # a corridor plan lists its targets
