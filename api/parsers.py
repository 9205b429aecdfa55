"""Request bodies whose numbers keep their own digits.

JSON numbers normally become Python floats, so ``0.85`` arrives as 0.84999999999999997779…
Endpoints whose figures must be exact (compensation rule parameters, measured values) read
JSON numbers with a fraction or an exponent as ``Decimal``, straight from the text the client
sent; integers stay integers.
"""

import codecs
import json
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser, get_encoding
from rest_framework.utils.json import strict_constant


class DecimalJSONDecoder(json.JSONDecoder):
    """``json.loads`` with every non-integer number as a ``Decimal`` of its own digits (NaN and
    Infinity refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        kwargs.setdefault("parse_constant", strict_constant)
        super().__init__(**kwargs)


class DecimalJSONParser(JSONParser):
    """The JSON parser, with numbers that have a fraction or an exponent read as ``Decimal``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            return json.load(codecs.getreader(encoding)(stream), cls=DecimalJSONDecoder)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


class UploadParser(MultiPartParser):
    """Multipart bodies (file uploads), refused from their ``Content-Length`` when too large to hold
    an accepted file, before a byte is read or spooled to disk."""

    def parse(self, stream, media_type=None, parser_context=None):
        from projects.core.validators import validate_upload_length

        meta = parser_context["request"].META
        try:
            validate_upload_length(int(meta.get("CONTENT_LENGTH") or 0))
        except ValueError as exc:
            raise ParseError("Content-Length is not a number.") from exc
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        return super().parse(stream, media_type, parser_context)
