"""Editable catalogues the projects draw on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import BilingualNameMixin, TrackedModel
from projects.restoration.choices import Aggregation


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
    """A performance indicator (绩效指标) and how its reported values add up."""

    brief_fields = ("code", "name_zh", "name_en", "unit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    unit = models.CharField(_("unit"), max_length=30)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
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
