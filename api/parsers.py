"""Request bodies: JSON without NUL characters, and numbers that keep their own digits.

PostgreSQL cannot store a NUL character (``\\u0000``) in text or JSON; ``TrackerJSONParser``
refuses a body holding one anywhere, for every endpoint, before a field could pass it on.

JSON numbers normally become Python floats, so ``0.85`` arrives as 0.84999999999999997779…
Endpoints whose figures must be exact (compensation rule parameters, measured values) read
JSON numbers with a fraction or an exponent as ``Decimal``, straight from the text the client
sent; integers stay integers.
"""

import codecs
import json
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils.json import strict_constant

NUL = "\x00"


def _has_nul(value) -> bool:
    """Whether ``value`` holds a NUL character in any string, key or nested item."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class NulCharacter(ParseError):
    """A 400 naming the fields of the body that hold a NUL character."""

    default_code = "nul_character"

    def __init__(self, data):
        from api.guards import nul_message

        if isinstance(data, dict):
            fields = [
                key.replace(NUL, "") or "non_field_errors"
                for key, value in data.items()
                if _has_nul(key) or _has_nul(value)
            ]
        else:
            fields = ["non_field_errors"]
        super().__init__({field: [nul_message()] for field in fields}, code=self.default_code)


class TrackerJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body with a NUL character in any string or key."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise NulCharacter(data)
        return data


class DecimalJSONDecoder(json.JSONDecoder):
    """``json.loads`` with every non-integer number as a ``Decimal`` of its own digits (NaN and
    Infinity refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        kwargs.setdefault("parse_constant", strict_constant)
        super().__init__(**kwargs)


class DecimalJSONParser(TrackerJSONParser):
    """The JSON parser, with numbers that have a fraction or an exponent read as ``Decimal``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), cls=DecimalJSONDecoder)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if _has_nul(data):
            raise NulCharacter(data)
        return data
