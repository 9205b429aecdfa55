"""Numbers as people read them on pages and papers: thousands separators, units, percentages.

Display only: the figures themselves stay exact where they are computed and stored.
"""

from decimal import ROUND_HALF_UP, Decimal


def number_text(value, places: int = 2) -> str:
    """``1500000`` → ``1,500,000``; ``1234.5`` → ``1,234.5``: separators, at most ``places`` decimals."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_text(value, unit: str, places: int = 2) -> str:
    """An amount with its unit: ``1,500,000 元``, ``2,350.5 万元``."""
    text = number_text(value, places)
    return text if text == "—" else f"{text} {unit}"


def percent_text(ratio, places: int = 1) -> str:
    """A ratio (0.853) as a percentage (``85.3%``); None as "—"."""
    if ratio is None or ratio == "":
        return "—"
    return f"{number_text(Decimal(str(ratio)) * 100, places)}%"
