"""The Yangtze Economic Belt ecological protection compensation fund: money in and out."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.compensation.fields import yuan_field
from projects.core.models.base import BilingualNameMixin, TrackedModel


class CompensationFund(BilingualNameMixin, TrackedModel):
    """A compensation fund (长江经济带生态保护补偿基金). Its row is locked on every movement so the
    balance is checked under concurrent writes."""

    brief_fields = ("code", "name_zh", "name_en")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("compensation fund")
        verbose_name_plural = _("compensation funds")


class FundContribution(TrackedModel):
    """Money paid into a fund: by whom, when, how much."""

    fund = models.ForeignKey(
        CompensationFund, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("fund")
    )
    contributor = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="fund_contributions", verbose_name=_("contributor")
    )
    received_on = models.DateField(_("date"), db_index=True)
    amount = yuan_field(_("amount"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = _("fund contribution")
        verbose_name_plural = _("fund contributions")

    def __str__(self) -> str:
        return f"{self.contributor} {self.received_on} {self.amount}"

    def history_scope(self):
        return self.fund


class FundAllocation(TrackedModel):
    """Money paid out of a fund to a corridor, a key area or a project in one province.

    Allocations to the six-river corridors and the key areas are the "upstream barrier areas"
    the opinions tilt the fund toward; the totals make the tilt visible.
    """

    fund = models.ForeignKey(
        CompensationFund, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("fund")
    )
    allocated_on = models.DateField(_("date"), db_index=True)
    amount = yuan_field(_("amount"), validators=[MinValueValidator(1)])
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="fund_allocations", verbose_name=_("province")
    )
    corridor = models.ForeignKey(
        "core.Corridor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_allocations",
        verbose_name=_("corridor"),
    )
    key_area = models.ForeignKey(
        "core.KeyArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_allocations",
        verbose_name=_("key ecological area"),
    )
    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_allocations",
        verbose_name=_("project"),
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)

    class Meta:
        ordering = ["-allocated_on", "-created_at"]
        verbose_name = _("fund allocation")
        verbose_name_plural = _("fund allocations")

    def __str__(self) -> str:
        return f"{self.province} {self.allocated_on} {self.amount}"

    def history_scope(self):
        return self.fund

    def clean(self):
        errors = {}
        if not (self.corridor_id or self.key_area_id or self.project_id):
            errors["corridor"] = _("Allocate to a corridor, a key ecological area or a project.")
        if self.project_id and self.province_id:
            project_provinces = {p.pk for p in self.project.provinces.all()}
            if project_provinces and self.province_id not in project_provinces:
                errors["province"] = _("The project does not take place in this province.")
        if self.corridor_id and self.province_id and not self.corridor.provinces.filter(pk=self.province_id).exists():
            errors["province"] = _("The corridor does not run through this province.")
        if errors:
            raise ValidationError(errors)

    @property
    def to_upstream_barrier(self) -> bool:
        """Six-river corridors and key ecological areas are the upstream barrier areas (上游屏障地区)."""
        return bool(self.key_area_id) or bool(self.corridor_id and self.corridor.is_six_rivers)

    def representation_parents(self, before):
        return [self.project] if self.project_id else []  # a project shows the fund's payments to it
