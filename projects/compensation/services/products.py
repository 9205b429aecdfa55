"""Ecological products, their listings and the trading ledger.

A product is never sold beyond what remains, even under concurrent trades: every trade and
every change of a product's quantity locks the product row and counts the agreed and settled
trades under that lock.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from projects.compensation.choices import ListingStatus, TradeStatus
from projects.compensation.lifecycle import LISTING_LIFECYCLE, TRADE_LIFECYCLE
from projects.compensation.models import EcologicalProduct, ProductListing, ProductType, Trade
from projects.core.errors import DomainError
from projects.core.services import (
    apply_fields,
    lock,
    plain_delete,
    plain_save,
    save_changed,
    tracked_delete,
    tracked_save,
    tracked_transition,
)
from projects.permissions import ADD, require

product_type_save = plain_save(ProductType)
product_type_delete = plain_delete

COUNTED_TRADES = (TradeStatus.AGREED, TradeStatus.SETTLED)


def sold_quantity(product, *, listing=None) -> Decimal:
    """Agreed and settled trades count; cancelled ones free their quantity."""
    trades = Trade.objects.filter(product=product, status__in=COUNTED_TRADES)
    if listing is not None:
        trades = trades.filter(listing=listing)
    return trades.aggregate(total=Sum("quantity"))["total"] or Decimal("0")


_PRODUCT_FIELDS = ("name", "product_type", "project", "quantity", "unit", "vintage", "owner", "description", "is_demo")


def product_save(
    *, actor, instance: EcologicalProduct | None = None, data: dict, expected_version=None
) -> EcologicalProduct:
    """Create or change a product; its quantity never drops below what is sold (400)."""
    fields = {key: value for key, value in data.items() if key in _PRODUCT_FIELDS}

    def write(current):
        product = current if current is not None else EcologicalProduct()
        changes = apply_fields(product, fields)
        if current is not None and "quantity" in changes.names:
            sold = sold_quantity(product)  # counted under the product's lock
            if product.quantity is not None and product.quantity < sold:
                raise ValidationError(
                    {"quantity": _("%(sold)s %(unit)s of it are sold already.") % {"sold": sold, "unit": product.unit}}
                )
        product.full_clean()
        if current is None:
            product.save()
        save_changed(product, changes, created=current is None)
        return product

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def product_delete(*, actor, instance: EcologicalProduct, expected_version=None) -> None:
    """Delete a product with no listings or trades (the database protects them: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


_LISTING_FIELDS = ("product", "quantity", "asking_price", "listed_on", "note")


def _check_open(listing: ProductListing) -> None:
    if listing.status != ListingStatus.OPEN:
        raise DomainError(
            _("Only open listings can change; this one is %(status)s.") % {"status": listing.get_status_display()}
        )


def listing_save(*, actor, instance: ProductListing | None = None, data: dict, expected_version=None) -> ProductListing:
    """Offer part of a product, or change an open offer (a closed or withdrawn one: 409)."""
    fields = {key: value for key, value in data.items() if key in _LISTING_FIELDS}

    def write(current):
        listing = current if current is not None else ProductListing()
        if current is not None:
            _check_open(current)
        changes = apply_fields(listing, fields)
        listing.full_clean()
        if current is None:
            listing.save()
        save_changed(listing, changes, created=current is None)
        return listing

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def listing_transition(
    *, actor, instance: ProductListing, to: str, comment: str = "", expected_version=None
) -> ProductListing:
    """Close or withdraw an open listing; closed and withdrawn listings stay as they are."""
    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=LISTING_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        related=("product",),
    )


def listing_delete(*, actor, instance: ProductListing, expected_version=None) -> None:
    """Delete a listing without trades (the database protects the others: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


def _trade_writer(data: dict, actor):
    product, listing, buyer = data.get("product"), data.get("listing"), data.get("buyer")
    quantity, unit_price = data.get("quantity"), data.get("unit_price")

    def write(_current):
        if product is None:
            raise ValidationError({"product": _("Name the product sold.")})
        locked = lock(product, related=("owner",))
        if buyer is not None and buyer.pk == locked.owner_id:
            raise ValidationError({"buyer": _("The buyer cannot be the seller.")})
        trade = Trade(
            product=locked,
            listing=listing,
            seller=locked.owner,
            buyer=buyer,
            quantity=quantity,
            unit_price=unit_price,
            traded_on=data.get("traded_on"),
            note=data.get("note", ""),
            is_demo=data.get("is_demo", False),
        )
        require(actor, ADD, trade)  # before the quantities: whose sale it is decides first
        if quantity is not None and unit_price is not None:
            trade.amount = int((quantity * unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        trade.full_clean()
        if listing is not None:
            offer = lock(listing)
            if offer.product_id != locked.pk:
                raise ValidationError({"listing": _("The listing offers another product.")})
            _check_open(offer)
            left = offer.quantity - sold_quantity(locked, listing=offer)
            if quantity > left:
                raise DomainError(
                    _("The listing has %(left)s %(unit)s left; %(quantity)s were asked for.")
                    % {"left": left, "unit": locked.unit, "quantity": quantity},
                    remaining=str(left),
                )
        remaining = locked.quantity - sold_quantity(locked)
        if quantity > remaining:
            raise DomainError(
                _("Only %(remaining)s %(unit)s of “%(product)s” remain; %(quantity)s cannot be sold.")
                % {"remaining": remaining, "unit": locked.unit, "product": locked.name, "quantity": quantity},
                remaining=str(remaining),
            )
        trade.save()
        return trade

    return write


def trade_save(*, actor, instance: Trade | None = None, data: dict, expected_version=None) -> Trade:
    """Record a sale of part of a product by its owner. The product row is locked, so concurrent
    trades never sell more than remains (409 naming what remains). The ledger is never edited:
    a trade is settled or cancelled (``trade_transition``)."""
    if instance is not None:
        raise DomainError(_("The ledger is not edited; settle or cancel the trade instead."))
    return tracked_save(actor=actor, instance=None, write=_trade_writer(data, actor))


def trade_transition(*, actor, instance: Trade, to: str, comment: str = "", expected_version=None) -> Trade:
    """Settle or cancel an agreed trade (a cancelled trade frees its quantity)."""
    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=TRADE_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        related=("seller", "buyer"),
    )
