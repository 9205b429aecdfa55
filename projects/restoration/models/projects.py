from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from projects.core.measure import measure
from projects.core.models.base import TrackedModel
from projects.core.validators import validate_geometry
from projects.restoration.choices import Bank, ProjectStatus, Reach, ReportingPeriod
from projects.restoration.querysets import ProjectQuerySet


def check_funding_within_budget(total_budget, amounts) -> None:
    """The funding breakdown may be partial but never more than the total budget."""
    from django.core.exceptions import ValidationError

    allocated = sum((amount for amount in amounts if amount is not None), Decimal("0"))
    if total_budget is not None and allocated > total_budget:
        raise ValidationError(
            _("The funding breakdown (%(allocated)s) exceeds the total budget (%(total)s)."),
            code="funding_exceeds_budget",
            params={"allocated": allocated, "total": total_budget},
        )


MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Project(TrackedModel):
    """A restoration project (生态修复项目) along a corridor or in a key area.

    ``provinces`` and ``is_cross_regional`` are derived from the lead and partner
    organizations by ``refresh_derived``; nobody types them in.
    """

    brief_fields = ("code", "name_zh", "name_en")

    code = models.CharField(
        _("project code"),
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,4}-\d{4}-\d{4}$", _("Use the form CQ-2021-0007."))],
    )
    name_zh = models.CharField(_("Chinese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    corridors = models.ManyToManyField(
        "core.Corridor", blank=True, related_name="projects", verbose_name=_("corridors")
    )
    key_areas = models.ManyToManyField(
        "core.KeyArea", blank=True, related_name="projects", verbose_name=_("key ecological areas")
    )
    divisions = models.ManyToManyField(
        "core.Division", blank=True, related_name="projects", verbose_name=_("administrative divisions")
    )
    geometry = models.GeometryField(
        _("location"),
        srid=4326,
        null=True,
        blank=True,
        validators=[validate_geometry],
        help_text=_(
            "In WGS 84: a point, a line, a polygon, or a collection of them (a buffer zone as a polygon "
            "along the bank, an isolation belt as a line)."
        ),
    )
    # Derived from the geometry (see projects.core.measure), never typed in.
    extent_length_km = models.DecimalField(
        _("measured length (km)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Length of the geometry's lines, measured on the CGCS2000 Gauss–Krüger zone of its centre."),
    )
    extent_area_ha = models.DecimalField(
        _("measured area (ha)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Area of the geometry's polygons, measured on the CGCS2000 Gauss–Krüger zone of its centre."),
    )
    elements = models.ManyToManyField(
        "restoration.EcosystemElement", blank=True, related_name="projects", verbose_name=_("ecosystem elements")
    )
    measures = models.ManyToManyField(
        "restoration.MeasureType", blank=True, related_name="projects", verbose_name=_("restoration measures")
    )
    bank = models.CharField(_("bank"), max_length=10, choices=Bank.choices, default=Bank.NOT_APPLICABLE)
    reach = models.CharField(_("reach"), max_length=12, choices=Reach.choices, default=Reach.NOT_APPLICABLE)
    lead_organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("lead organization"),
    )
    partner_organizations = models.ManyToManyField(
        "core.Organization", blank=True, related_name="partner_projects", verbose_name=_("partner organizations")
    )
    is_national_major = models.BooleanField(_("national major project"), default=False, db_index=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    total_budget = models.DecimalField(_("total budget (10,000 CNY)"), default=Decimal("0"), **MONEY)
    reporting_period = models.CharField(
        _("reporting period"), max_length=10, choices=ReportingPeriod.choices, default=ReportingPeriod.MONTH
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # Derived (see refresh_derived).
    provinces = models.ManyToManyField(
        "core.Province",
        blank=True,
        related_name="projects",
        verbose_name=_("provinces taking part"),
        help_text=_("Derived from the lead and partner organizations."),
    )
    is_cross_regional = models.BooleanField(
        _("cross-regional"),
        default=False,
        db_index=True,
        editable=False,
        help_text=_("Derived: its organizations belong to more than one province."),
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("restoration project")
        verbose_name_plural = _("restoration projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="project_end_not_before_start",
                violation_error_message=_("The planned end cannot be before the planned start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        from django.utils import translation

        return self.name_en if translation.get_language() == "en" and self.name_en else self.name_zh

    def organization_province_ids(self) -> set:
        ids = {self.lead_organization.province_id}
        ids |= {org.province_id for org in self.partner_organizations.all()}
        return {pk for pk in ids if pk is not None}

    def history_extra(self) -> dict:
        """The budget breakdown and targets belong to the project's history too."""
        return {
            "funding": {share.source.code: share.amount for share in self.funding.select_related("source")},
            "targets": {t.indicator.code: t.target_value for t in self.targets.select_related("indicator")},
        }

    def refresh_derived(self) -> None:
        province_ids = self.organization_province_ids()
        self.provinces.set(province_ids)
        derived = {"is_cross_regional": len(province_ids) > 1, **self.measured_extent()}
        changed = {name: value for name, value in derived.items() if getattr(self, name) != value}
        if changed:
            type(self).objects.filter(pk=self.pk).update(**changed)
            for name, value in changed.items():
                setattr(self, name, value)

    def measured_extent(self) -> dict:
        """Length (km) of the lines and area (ha) of the polygons of the geometry."""
        extent = measure(self.geometry)
        return {"extent_length_km": extent.length_km, "extent_area_ha": extent.area_ha}

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("The planned end cannot be before the planned start.")})


class FundingShare(TrackedModel):
    """The part of a project's budget that one funding source provides."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("project"))
    source = models.ForeignKey(
        "restoration.FundingSource", on_delete=models.PROTECT, related_name="shares", verbose_name=_("funding source")
    )
    amount = models.DecimalField(_("amount (10,000 CNY)"), **MONEY)

    class Meta:
        ordering = ["source__sort_order"]
        verbose_name = _("funding share")
        verbose_name_plural = _("funding breakdown")
        constraints = [models.UniqueConstraint(fields=["project", "source"], name="one_share_per_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"

    def history_scope(self):
        return self.project

    def representation_parents(self, before):
        return [self.project]


class IndicatorTarget(TrackedModel):
    """What a project commits to on one indicator."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets", verbose_name=_("project"))
    indicator = models.ForeignKey(
        "restoration.Indicator", on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [models.UniqueConstraint(fields=["project", "indicator"], name="one_target_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.target_value}"

    def history_scope(self):
        return self.project

    def representation_parents(self, before):
        return [self.project]


class ProjectTransition(models.Model):
    """One status change of a project: who, when, from what to what and why. Never edited."""

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("project")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProjectStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_status} → {self.to_status}"
