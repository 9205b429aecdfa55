"""Filters that show the domain's figures: rates as percentages, values looked up by key."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """``mapping[key]``, or None: for dicts keyed by years or codes."""
    if not mapping:
        return None
    return mapping.get(key, mapping.get(str(key)))


@register.filter
def percent(rate):
    """A rate as the domain gives it ("0.861") as a percentage ("86.1%"); "—" when there is none.
    Moving the decimal point is exact: nothing is rounded again."""
    if rate is None or rate == "":
        return "—"
    try:
        value = Decimal(str(rate)).scaleb(2)
    except InvalidOperation:
        return "—"
    return f"{amount(value, 'trim')}%"


@register.filter
def amount(value, trim=""):
    """A figure with thousands separators in both languages (Chinese papers write 57,600.00 too),
    with the decimals the domain rounded it to (never rounded again); ``trim``: without trailing
    zeros. "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "—"
    places = max(0, -number.as_tuple().exponent)
    text = f"{number:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.simple_tag
def water_class(value):
    """A GB 3838 class number (6: worse than V) by its name."""
    from projects.compensation.choices import WaterClass

    return WaterClass(value).label if value in WaterClass.values else "—"
