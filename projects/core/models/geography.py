from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.choices import DivisionLevel, KeyAreaKind
from projects.core.models.base import BilingualNameMixin, TrackedModel


class Province(BilingualNameMixin, TrackedModel):
    """A province-level division (四川, 重庆, 贵州) identified by its GB/T 2260 code."""

    brief_fields = ("code", "name_zh", "name_en", "short_name")

    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True)
    short_name = models.CharField(_("short name"), max_length=10, blank=True, help_text=_("e.g. 川, 渝, 黔"))
    outline = models.MultiPolygonField(_("outline"), srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Division(BilingualNameMixin, TrackedModel):
    """A prefecture- or county-level division below a province."""

    brief_fields = ("code", "name_zh", "name_en", "is_adjacent_area")

    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=DivisionLevel.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="divisions", verbose_name=_("province")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent division"),
    )
    is_adjacent_area = models.BooleanField(
        _("adjacent area (毗邻地区)"),
        default=False,
        db_index=True,
        help_text=_("Lies along the Sichuan–Chongqing border, where planning is coordinated."),
    )
    corridors = models.ManyToManyField(
        "core.Corridor",
        blank=True,
        related_name="divisions",
        verbose_name=_("along the corridors"),
        help_text=_(
            "The river corridors whose main stream runs through or along this division (e.g. 乌江 and 赤水河, "
            "where Sichuan and Chongqing work with Guizhou)."
        ),
    )
    outline = models.MultiPolygonField(_("outline"), srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")


class Corridor(BilingualNameMixin, TrackedModel):
    """An ecological corridor along one of the "six rivers" (or 赤水河 with Guizhou)."""

    brief_fields = ("slug", "name_zh", "name_en")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    is_six_rivers = models.BooleanField(_("one of the six rivers"), default=True)
    provinces = models.ManyToManyField(Province, related_name="corridors", verbose_name=_("provinces"))
    centreline = models.MultiLineStringField(
        _("centreline"),
        srid=4326,
        null=True,
        blank=True,
        help_text=_("Left empty where no public centreline exists; load a GeoJSON line in the admin."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("river corridor")
        verbose_name_plural = _("river corridors")


class KeyArea(BilingualNameMixin, TrackedModel):
    """A key ecological area such as 秦巴山区, kept apart from the river corridors."""

    brief_fields = ("slug", "name_zh", "name_en")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KeyAreaKind.choices, default=KeyAreaKind.MOUNTAIN)
    provinces = models.ManyToManyField(Province, related_name="key_areas", verbose_name=_("provinces"))
    focus = models.CharField(_("restoration focus"), max_length=200, blank=True)
    outline = models.MultiPolygonField(_("outline"), srid=4326, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("key ecological area")
        verbose_name_plural = _("key ecological areas")
