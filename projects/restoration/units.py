"""Units the indicators are stated in, and exact conversions between the area units.

Factors are fractions (1 亩 = 1/15 ha), applied as a multiplication by the numerator and a
division by the denominator, so a conversion that has a finite decimal result gets exactly it
(15 亩 is exactly 1 ha).
"""

from decimal import Decimal
from fractions import Fraction

# Area units, in hectares.
AREA_UNITS: dict[str, Fraction] = {
    "ha": Fraction(1),
    "hm2": Fraction(1),
    "hm²": Fraction(1),
    "公顷": Fraction(1),
    "亩": Fraction(1, 15),
    "mu": Fraction(1, 15),
    "万亩": Fraction(10000, 15),
    "km2": Fraction(100),
    "km²": Fraction(100),
    "平方公里": Fraction(100),
    "平方千米": Fraction(100),
    "m2": Fraction(1, 10000),
    "m²": Fraction(1, 10000),
    "平方米": Fraction(1, 10000),
}


def _key(unit: str) -> str:
    return (unit or "").strip().lower().replace(" ", "")


def area_factor(unit: str) -> Fraction | None:
    """Hectares per one ``unit``, or None if it is not an area unit."""
    return AREA_UNITS.get(_key(unit))


def convertible(from_unit: str, to_unit: str) -> bool:
    return _key(from_unit) == _key(to_unit) or (area_factor(from_unit) is not None and area_factor(to_unit) is not None)


def factor(from_unit: str, to_unit: str) -> Fraction:
    """How many ``to_unit`` one ``from_unit`` is (the same unit, or two area units)."""
    if _key(from_unit) == _key(to_unit):
        return Fraction(1)
    return area_factor(from_unit) / area_factor(to_unit)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (the same unit, or two area units)."""
    if _key(from_unit) == _key(to_unit):
        return value
    ratio = factor(from_unit, to_unit)
    return value * ratio.numerator / ratio.denominator


def to_hectares(value: Decimal, unit: str) -> Decimal:
    return convert(value, unit, "ha")
