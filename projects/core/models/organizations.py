from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.choices import OrganizationKind
from projects.core.models.base import BilingualNameMixin, TrackedModel


class Organization(BilingualNameMixin, TrackedModel):
    """An agency or body taking part in the joint restoration.

    ``province`` is empty for bodies of both provinces, such as the joint-conference office.
    """

    brief_fields = ("slug", "name_zh", "name_en", "province")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("province"),
    )
    email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        ordering = ["province__code", "slug"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
