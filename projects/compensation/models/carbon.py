"""The editable table of sequestration coefficients per ecosystem type."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import TrackedModel


class CarbonCoefficient(TrackedModel):
    """Annual sequestration per hectare of restored area of one ecosystem type, with its source.

    No sourced per-hectare rates exist for the region (docs/compensation.md); the seeded rows
    are demonstration values marked unverified until someone enters a sourced figure.
    """

    element = models.OneToOneField(
        "restoration.EcosystemElement",
        on_delete=models.PROTECT,
        related_name="carbon_coefficient",
        verbose_name=_("ecosystem element"),
    )
    tco2e_per_ha_year = models.DecimalField(
        _("t CO2e per hectare and year"),
        max_digits=10,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    verified = models.BooleanField(
        _("verified against its source"), default=False, help_text=_("False for demonstration coefficients.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["element__sort_order"]
        verbose_name = _("carbon coefficient")
        verbose_name_plural = _("carbon coefficients")

    def __str__(self) -> str:
        return f"{self.element}: {self.tco2e_per_ha_year} t CO2e/ha·a"
