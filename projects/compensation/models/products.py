"""Ecological products (生态产品) arising from projects, and the trading ledger."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.compensation.choices import ListingStatus, TradeStatus
from projects.compensation.fields import yuan_field
from projects.core.models.base import BilingualNameMixin, TrackedModel

QUANTITY = {"max_digits": 16, "decimal_places": 3, "validators": [MinValueValidator(Decimal("0.001"))]}
PRICE = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ProductType(BilingualNameMixin, TrackedModel):
    """A kind of ecological product (carbon sink, water conservation …); an editable list."""

    brief_fields = ("code", "name_zh", "name_en", "default_unit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    default_unit = models.CharField(_("default unit"), max_length=30)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("ecological product type")
        verbose_name_plural = _("ecological product types")


class EcologicalProduct(TrackedModel):
    """A quantity of an ecological product arising from a project, owned by one organization."""

    brief_fields = ("name", "unit", "vintage")

    name = models.CharField(_("name"), max_length=200)
    product_type = models.ForeignKey(
        ProductType, on_delete=models.PROTECT, related_name="products", verbose_name=_("type")
    )
    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.PROTECT,
        related_name="ecological_products",
        verbose_name=_("project"),
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=30)
    vintage = models.PositiveSmallIntegerField(
        _("vintage"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("The year it arose.")
    )
    owner = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="ecological_products", verbose_name=_("owner")
    )
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-vintage", "name"]
        verbose_name = _("ecological product")
        verbose_name_plural = _("ecological products")

    def __str__(self) -> str:
        return f"{self.name} ({self.vintage})"


class ProductListing(TrackedModel):
    """An offer to sell part of a product at an asking price."""

    brief_fields = ("quantity", "asking_price", "listed_on", "status")

    product = models.ForeignKey(
        EcologicalProduct, on_delete=models.PROTECT, related_name="listings", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity offered"), **QUANTITY)
    asking_price = models.DecimalField(_("asking price per unit (元)"), **PRICE)
    listed_on = models.DateField(_("listed on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.OPEN, db_index=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-listed_on", "-created_at"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    def history_scope(self):
        return self.product


class Trade(TrackedModel):
    """A sale of part of a product from its owner to a buyer.

    Agreed and settled trades count against the product's quantity; the services lock the
    product row so concurrent trades can never sell more than remains.
    """

    product = models.ForeignKey(
        EcologicalProduct, on_delete=models.PROTECT, related_name="trades", verbose_name=_("product")
    )
    listing = models.ForeignKey(
        ProductListing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trades",
        verbose_name=_("listing"),
    )
    seller = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="sales", verbose_name=_("seller")
    )
    buyer = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="purchases", verbose_name=_("buyer")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("price per unit (元)"), **PRICE)
    amount = yuan_field(_("amount"), default=0, editable=False)
    traded_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=TradeStatus.choices, default=TradeStatus.AGREED, db_index=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-traded_on", "-created_at"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")

    def __str__(self) -> str:
        return f"{self.product} → {self.buyer} × {self.quantity}"

    def history_scope(self):
        return self.product

    def clean(self):
        if self.seller_id and self.buyer_id and self.seller_id == self.buyer_id:
            raise ValidationError({"buyer": _("The buyer cannot be the seller.")})

    def representation_parents(self, before):
        return [self.product]  # a product shows what is sold and what remains
