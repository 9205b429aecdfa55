"""Joint technical standards and specifications for restoration (标准规范)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.compensation.choices import Issuer, StandardKind, StandardStatus
from projects.core.models.base import TrackedModel
from projects.core.validators import DOCUMENT_EXTENSIONS, validate_attachment

# Provincial issuers and the province (GB/T 2260) whose staff maintain their standards.
ISSUER_PROVINCE = {Issuer.SICHUAN: "510000", Issuer.CHONGQING: "500000"}


def _validate_document(upload):
    validate_attachment(upload, DOCUMENT_EXTENSIONS)


class Standard(TrackedModel):
    """A restoration standard or specification, the elements and measures it covers, and the
    projects that declare they apply it."""

    brief_fields = ("code", "title_zh", "issuer", "status")

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=_("e.g. DB51/T 2xxx-2021"))
    title_zh = models.CharField(_("Chinese title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=12, choices=Issuer.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=StandardKind.choices, default=StandardKind.STANDARD)
    status = models.CharField(
        _("status"), max_length=12, choices=StandardStatus.choices, default=StandardStatus.DRAFTING, db_index=True
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    elements = models.ManyToManyField(
        "restoration.EcosystemElement", blank=True, related_name="standards", verbose_name=_("ecosystem elements")
    )
    measures = models.ManyToManyField(
        "restoration.MeasureType", blank=True, related_name="standards", verbose_name=_("restoration measures")
    )
    replaces = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        help_text=_("The provincial standards a joint standard takes the place of."),
    )
    projects = models.ManyToManyField(
        "restoration.Project", blank=True, related_name="standards", verbose_name=_("projects applying it")
    )
    document = models.FileField(
        _("document"), upload_to="compensation/standards/", blank=True, validators=[_validate_document]
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["issuer", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"

    @property
    def title(self) -> str:
        from django.utils import translation

        return self.title_en if translation.get_language() == "en" and self.title_en else self.title_zh

    def clean(self):
        if self.status == StandardStatus.PUBLISHED and not self.effective_date:
            raise ValidationError({"effective_date": _("A published standard needs its effective date.")})
