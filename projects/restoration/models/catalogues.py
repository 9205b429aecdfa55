"""Editable catalogues the projects draw on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import BilingualNameMixin, TrackedModel
from projects.restoration.choices import Aggregation, Combination, WeightQuantity


class EcosystemElement(BilingualNameMixin, TrackedModel):
    """One of 山 水 林 田 湖 草 沙."""

    brief_fields = ("code", "name_zh", "name_en")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("ecosystem element")
        verbose_name_plural = _("ecosystem elements")


class MeasureType(BilingualNameMixin, TrackedModel):
    """A restoration measure (shoreline restoration, buffer zone, isolation belt …)."""

    brief_fields = ("code", "name_zh", "name_en")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("restoration measure")
        verbose_name_plural = _("restoration measures")


class FundingSource(BilingualNameMixin, TrackedModel):
    """Where money comes from: central, provincial, municipal, compensation fund, social capital …"""

    brief_fields = ("code", "name_zh", "name_en")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")


class Indicator(BilingualNameMixin, TrackedModel):
    """A performance indicator (绩效指标) and how its figures add up.

    Over time, a project's reported values add up as ``aggregation`` says (sum, latest,
    average); across projects (a corridor, a province, a plan) as ``combination`` says (added
    up, a mean weighted by ``weight``, or not at all). A derived indicator (restored area) is
    never reported: a project's figure is the sum of its ``components``' figures, each
    converted to the derived indicator's unit. The rules are applied in one place,
    ``projects.restoration.selectors``.
    """

    brief_fields = ("code", "name_zh", "name_en", "unit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    unit = models.CharField(_("unit"), max_length=30)
    aggregation = models.CharField(
        _("over time"),
        max_length=10,
        choices=Aggregation.choices,
        help_text=_("How one project's reported values add up over its reports."),
    )
    combination = models.CharField(
        _("across projects"),
        max_length=20,
        choices=Combination.choices,
        default=Combination.SUM,
        help_text=_("How the figures of several projects make one (a ratio is never added up)."),
    )
    weight = models.CharField(
        _("weighted by"),
        max_length=20,
        choices=WeightQuantity.choices,
        blank=True,
        help_text=_("The quantity a weighted mean across projects is weighted by."),
    )
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="derived",
        verbose_name=_("derived from"),
        help_text=_(
            "A derived indicator is not reported: a project's figure is the sum of these indicators' "
            "figures, converted to its unit."
        ),
    )
    element = models.ForeignKey(
        EcosystemElement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("ecosystem element"),
        help_text=_("For areas restored per ecosystem type: the type (used by the carbon estimate)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.combination == Combination.WEIGHTED_MEAN and not self.weight:
            raise ValidationError({"weight": _("Name the quantity the mean across projects is weighted by.")})
        if self.combination != Combination.WEIGHTED_MEAN and self.weight:
            raise ValidationError({"weight": _("Only a weighted mean across projects has a weight.")})
