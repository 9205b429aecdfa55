"""Numbers as the compensation figures compute and write them: exact, never floats.

Measured values, limits, weights and baselines are decimals written as text. Means and ratios
are computed as exact fractions (``Fraction``), so a mean of 0.150001, 0.15 and 0.15 is
0.150000333…, above the class I limit of 0.15, and an index of 1.00004 is above a threshold
of 1. Rounding happens only for display, beside the exact value, never before a comparison.
Numbers are written in plain decimal notation (``10``, never ``1E+1``).
"""

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# A fraction that does not terminate is shown to this many decimal places, then "…".
SHOWN_PLACES = 20


def plain(number) -> str:
    """A decimal in plain notation without trailing zeros: ``10``, ``0.0000501``, never ``1E+1``."""
    text = format(Decimal(number).normalize(), "f")
    return "0" if text in ("-0", "") else text


def exact(value) -> Fraction:
    """The exact value of a decimal given as text, an int or a Decimal (a float, from data
    stored before parameters were kept as text, is read by its shortest text: 0.85, not 0.8499…)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(parse_decimal(value))


def _terminates(fraction: Fraction) -> int | None:
    """The number of decimal places of a fraction that terminates, else None."""
    denominator, twos, fives = fraction.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def exact_text(value) -> str:
    """The exact value in plain notation; a fraction that does not terminate is written to
    ``SHOWN_PLACES`` decimal places (cut, not rounded) followed by "…"."""
    fraction = exact(value)
    places = _terminates(fraction)
    if places is not None:
        return plain(Decimal(fraction.numerator * 10**places // fraction.denominator).scaleb(-places))
    sign = "-" if fraction < 0 else ""
    cut = math.floor(abs(fraction) * 10**SHOWN_PLACES)
    digits = format(Decimal(cut).scaleb(-SHOWN_PLACES), "f")
    return f"{sign}{digits}…"


def rounded_text(value, places: int) -> str:
    """For display only: the value rounded half away from zero to ``places`` decimal places."""
    fraction = exact(value)
    units = math.floor(abs(fraction) * 10**places + Fraction(1, 2))
    text = format(Decimal(units).scaleb(-places), "f")
    return f"-{text}" if fraction < 0 and units else text


def parse_decimal(value) -> Decimal:
    """A decimal from text, an int, a Decimal or (from Python callers) a float, by its shortest
    text (``0.85`` is 0.85, not 0.84999…). Raises ``ValueError`` for anything else or not finite."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    return number
