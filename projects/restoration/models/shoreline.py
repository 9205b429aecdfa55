"""The corridors' shoreline as surveyed: natural, restored or hardened stretches of each bank."""

from decimal import Decimal

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from projects.core.measure import measure
from projects.core.models.base import TrackedModel
from projects.core.validators import validate_geometry
from projects.restoration.choices import ShorelineBank, ShorelineState


class ShorelineSegment(TrackedModel):
    """One surveyed stretch of a corridor's bank and its state.

    Its length is measured from the line (``projects.core.measure``), never typed in. The
    corridor's natural shoreline ratio is the natural length over the length of all its
    segments (``projects.restoration.selectors.shoreline``); a later survey of the same stretch
    changes the segment, and its history keeps the earlier state.
    """

    corridor = models.ForeignKey(
        "core.Corridor", on_delete=models.PROTECT, related_name="shoreline_segments", verbose_name=_("corridor")
    )
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        related_name="shoreline_segments",
        verbose_name=_("responsible province"),
        help_text=_("The province whose staff survey and keep this stretch (one the corridor runs through)."),
    )
    bank = models.CharField(_("bank"), max_length=10, choices=ShorelineBank.choices)
    state = models.CharField(_("state"), max_length=10, choices=ShorelineState.choices, db_index=True)
    geometry = models.LineStringField(
        _("line"), srid=4326, validators=[validate_geometry], help_text=_("The stretch of bank, in WGS 84.")
    )
    length_m = models.DecimalField(
        _("length (m)"),
        max_digits=12,
        decimal_places=2,
        editable=False,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Measured from the line on the CGCS2000 Gauss–Krüger zone of its centre."),
    )
    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shoreline_segments",
        verbose_name=_("project"),
        help_text=_("The project working on this stretch, if any."),
    )
    surveyed_on = models.DateField(_("survey date"), db_index=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["corridor__sort_order", "bank", "surveyed_on", "id"]
        verbose_name = _("shoreline segment")
        verbose_name_plural = _("shoreline segments")

    def __str__(self) -> str:
        return f"{self.corridor} {self.get_bank_display()} {self.get_state_display()} {self.length_m} m"

    def history_scope(self):
        return self.project

    def measure_length(self) -> None:
        self.length_m = measure(self.geometry).length_metres if self.geometry else None

    def clean(self):
        from django.core.exceptions import ValidationError

        from projects.core.services import today

        errors = {}
        if self.length_m is not None and self.length_m <= 0:
            errors["geometry"] = _("The line has no length.")
        if self.corridor_id and self.province_id and not self.corridor.provinces.filter(pk=self.province_id).exists():
            errors["province"] = _("The corridor does not run through this province.")
        if self.project_id and self.corridor_id and not self.project.corridors.filter(pk=self.corridor_id).exists():
            errors["project"] = _("The project is not on this corridor.")
        if self.surveyed_on and self.surveyed_on > today():
            errors["surveyed_on"] = _("A survey date cannot be in the future.")
        if not errors and self.geometry is not None:
            overlap = self.overlapping()
            if overlap is not None:
                errors["geometry"] = _(
                    "The line runs along %(length)s m of another segment of the same bank (%(other)s): "
                    "change that segment instead, or draw only the stretch not yet recorded."
                ) % {"length": overlap[1], "other": overlap[0]}
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        """(another segment of the same corridor and bank, shared length in m) if the lines share
        more than a metre, else None: a stretch is recorded once, so lengths add up."""
        others = ShorelineSegment.objects.filter(
            corridor_id=self.corridor_id, bank=self.bank, geometry__intersects=self.geometry
        ).exclude(pk=self.pk)
        for other in others:
            shared = measure(self.geometry.intersection(other.geometry)).length_metres
            if shared is not None and shared > 1:
                return other, shared
        return None
