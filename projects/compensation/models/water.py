"""Monitoring sections, water-quality samples and the GB 3838-2002 limits they are judged by."""

from decimal import Decimal

from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from projects.compensation.choices import (
    Comparator,
    LimitWaterbody,
    Parameter,
    SampleSource,
    Waterbody,
    WaterClass,
)
from projects.core.models.base import BilingualNameMixin, TrackedModel
from projects.core.validators import validate_geometry

# Values and limits to 10 decimal places (Hg class I is 0.00005 mg/L; 0.0000501 must be kept as
# given) and 8 integer digits (fecal coliform counts). The services refuse what does not fit.
MEASURED = {"max_digits": 18, "decimal_places": 10}


class WaterParameter(TrackedModel):
    """One GB 3838-2002 basic item: its unit, where it counts in the class, and plausible bounds.

    Reference data (fixtures/gb3838_2002.yaml); the bounds catch typing errors such as a
    dissolved oxygen of 80 mg/L, they are not limits of the standard.
    """

    code = models.CharField(_("parameter"), max_length=20, choices=Parameter.choices, unique=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("Empty for pH."))
    evaluated_for = models.CharField(
        _("counts in the class of"),
        max_length=10,
        choices=[("any", _("every water body")), ("lake", _("lakes and reservoirs only")), ("none", _("none"))],
        default="any",
    )
    plausible_min = models.DecimalField(_("lowest plausible value"), max_digits=14, decimal_places=6, default=0)
    plausible_max = models.DecimalField(_("highest plausible value"), max_digits=14, decimal_places=6)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("water-quality parameter")
        verbose_name_plural = _("water-quality parameters")

    def __str__(self) -> str:
        return self.get_code_display()

    def counts_for(self, waterbody: str) -> bool:
        return self.evaluated_for == "any" or self.evaluated_for == waterbody


class QualityLimit(TrackedModel):
    """A GB 3838-2002 Table 1 limit: parameter, class, comparator, value, water body."""

    parameter = models.CharField(_("parameter"), max_length=20, choices=Parameter.choices)
    waterbody = models.CharField(
        _("water body"), max_length=10, choices=LimitWaterbody.choices, default=LimitWaterbody.ANY
    )
    water_class = models.PositiveSmallIntegerField(
        _("class"), choices=[c for c in WaterClass.choices if c[0] != WaterClass.WORSE_THAN_V]
    )
    comparator = models.CharField(_("comparator"), max_length=10, choices=Comparator.choices)
    limit = models.DecimalField(_("limit"), **MEASURED)
    upper_limit = models.DecimalField(
        _("upper limit"), **MEASURED, null=True, blank=True, help_text=_("For ranges (pH).")
    )
    source = models.CharField(_("source"), max_length=200, default="GB 3838-2002 表1")

    class Meta:
        ordering = ["parameter", "waterbody", "water_class"]
        verbose_name = _("water-quality limit")
        verbose_name_plural = _("water-quality limits")
        constraints = [
            models.UniqueConstraint(fields=["parameter", "waterbody", "water_class"], name="one_limit_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.parameter} {self.get_water_class_display()} {self.comparator} {self.limit}"

    def met_by(self, value: Decimal) -> bool:
        if self.comparator == Comparator.AT_LEAST:
            return value >= self.limit
        if self.comparator == Comparator.RANGE:
            return self.limit <= value <= (self.upper_limit if self.upper_limit is not None else self.limit)
        return value <= self.limit


class MonitoringSection(BilingualNameMixin, TrackedModel):
    """A cross-boundary monitoring section (跨界断面) an agreement is judged on."""

    brief_fields = ("code", "name_zh", "name_en", "river", "target_class")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    river = models.CharField(_("river"), max_length=100)
    corridor = models.ForeignKey(
        "core.Corridor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_sections",
        verbose_name=_("corridor"),
    )
    waterbody = models.CharField(_("water body"), max_length=10, choices=Waterbody.choices, default=Waterbody.RIVER)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True, validators=[validate_geometry])
    responsible_organizations = models.ManyToManyField(
        "core.Organization", related_name="monitoring_sections", verbose_name=_("responsible parties")
    )
    target_class = models.PositiveSmallIntegerField(
        _("target class"),
        choices=[c for c in WaterClass.choices if c[0] != WaterClass.WORSE_THAN_V],
        default=WaterClass.III,
    )
    is_national = models.BooleanField(_("national control section (国控断面)"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring section")
        verbose_name_plural = _("monitoring sections")


class WaterSample(TrackedModel):
    """The measurements taken at one section on one date.

    ``water_class`` and ``limiting_parameters`` are derived from the measurements by the
    single-factor method (``projects.compensation.evaluation``); nobody types them in.
    """

    section = models.ForeignKey(
        MonitoringSection, on_delete=models.PROTECT, related_name="samples", verbose_name=_("monitoring section")
    )
    sampled_on = models.DateField(_("sampling date"), db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=SampleSource.choices, default=SampleSource.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    water_class = models.PositiveSmallIntegerField(
        _("class"), choices=WaterClass.choices, null=True, blank=True, editable=False
    )
    limiting_parameters = models.JSONField(_("limiting parameters"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["section__code", "-sampled_on"]
        verbose_name = _("water-quality sample")
        verbose_name_plural = _("water-quality samples")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "sampled_on", "source"],
                name="one_sample_per_section_date_source",
                violation_error_message=_("This section already has a sample of this source on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.section.code} {self.sampled_on}"

    def history_scope(self):
        return self.section

    def history_extra(self) -> dict:
        """Its measurements are written with it, so its history shows them."""
        from projects.compensation.numbers import plain

        return {
            "measurements": {
                m.parameter: {
                    "value": plain(m.value),
                    "unit": m.unit,
                    "below_detection_limit": m.below_detection_limit,
                    "detection_limit": None if m.detection_limit is None else plain(m.detection_limit),
                }
                for m in self.measurements.all()
            }
        }


class Measurement(TrackedModel):
    """One parameter's measured value in a sample, in the parameter's unit.

    Below the detection limit, the value used in evaluation is half the limit (环办监测函〔2020〕82号).
    """

    sample = models.ForeignKey(
        WaterSample, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("sample")
    )
    parameter = models.CharField(_("parameter"), max_length=20, choices=Parameter.choices)
    value = models.DecimalField(_("value"), **MEASURED, validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    below_detection_limit = models.BooleanField(_("below the detection limit"), default=False)
    detection_limit = models.DecimalField(
        _("detection limit"),
        **MEASURED,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )

    class Meta:
        ordering = ["parameter"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [models.UniqueConstraint(fields=["sample", "parameter"], name="one_value_per_parameter")]

    def __str__(self) -> str:
        return f"{self.parameter}={self.value} {self.unit}"

    def history_scope(self):
        return self.sample.section

    @property
    def effective_value(self) -> Decimal:
        if self.below_detection_limit and self.detection_limit is not None:
            return self.detection_limit / 2
        return self.value
