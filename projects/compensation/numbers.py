"""Numbers as the compensation figures write them: plain decimal notation, never floats."""

from decimal import Decimal


def plain(number: Decimal) -> str:
    """A decimal in plain notation without trailing zeros: ``10``, ``0.0000501``, never ``1E+1``."""
    return format(Decimal(number).normalize(), "f")
