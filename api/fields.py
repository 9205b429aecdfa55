"""One field for every reference to another record, the same in every endpoint.

A reference is written as the record's id, its code or its slug (whichever the model has),
or as an object carrying one of them, so a body read from the API can be sent back as it is.
It is read as a brief object (``BriefCorridorSerializer`` …).
"""

import contextlib
import uuid
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Natural keys a reference may use besides the id, in the order they are tried.
NATURAL_KEYS = ("code", "slug", "username")
_MAX_KEY = 200


def natural_keys(model) -> tuple[str, ...]:
    keys = []
    for name in NATURAL_KEYS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.unique:
            keys.append(name)
    return tuple(keys)


class Ref(serializers.RelatedField):
    """A reference written as id, code or slug (or ``{"id": …}``) and read as a brief object."""

    default_error_messages = {
        "does_not_exist": _("No record matches “%(value)s”."),
        "incorrect_type": _("Give the id, code or slug of the record (or an object with one of them)."),
    }

    def __init__(self, brief=None, **kwargs):
        self.brief_class = brief
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def fail(self, key, **kwargs):
        # The messages name their values as gettext's tools check them (%(value)s); DRF's own
        # ``fail`` fills {value} and would show the placeholder.
        raise serializers.ValidationError(str(self.error_messages[key]) % kwargs, code=key)

    @property
    def brief(self):
        if getattr(self, "_brief", None) is None:
            self._brief = self.brief_class(context=self.context)
        return self._brief

    def to_representation(self, value):
        if self.brief_class is None:
            return str(value.pk)
        return self.brief.to_representation(value)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        keys = natural_keys(queryset.model)
        if isinstance(data, dict):
            data = next((data[key] for key in ("id", *keys) if data.get(key) not in (None, "")), None)
        if isinstance(data, bool) or not isinstance(data, (str, int, uuid.UUID)):
            self.fail("incorrect_type")
        text = str(data).strip()
        if not text or len(text) > _MAX_KEY or "\x00" in text:
            self.fail("does_not_exist", value=text[:50].replace("\x00", ""))
        # An import's rows name the same records again and again: each is read once per import.
        known = self.context.get("references")
        cache_key = self._reference_key(text)
        if known is not None and cache_key in known:
            return known[cache_key]
        condition = Q()
        with contextlib.suppress(ValueError):
            condition |= Q(pk=uuid.UUID(text))
        for key in keys:
            condition |= Q(**{key: text})
        if not condition:
            self.fail("does_not_exist", value=text)
        matches = list(queryset.filter(condition)[:2])
        if len(matches) != 1:
            self.fail("does_not_exist", value=text)
        if known is not None:
            known[cache_key] = matches[0]
        return matches[0]

    def _reference_key(self, text: str) -> tuple:
        return type(self), self.field_name, type(self.parent), text

    def read_many(self, texts) -> None:
        """Read the records ``texts`` name in one query into the import's references
        (``context["references"]``), each as ``to_internal_value`` finds it: by id, code or slug,
        one record exactly; a text naming none (or two) is left for it to refuse."""
        known = self.context.get("references")
        if known is None:
            return
        texts = {text.strip() for text in texts if isinstance(text, str)}
        texts = {text for text in texts if text and len(text) <= _MAX_KEY and "\x00" not in text}
        texts = {text for text in texts if self._reference_key(text) not in known}
        if not texts:
            return
        keys = natural_keys(self.get_queryset().model)
        ids = {}
        for text in texts:
            with contextlib.suppress(ValueError):
                ids[text] = uuid.UUID(text)
        condition = Q(pk__in=ids.values()) if ids else Q()
        for key in keys:
            condition |= Q(**{f"{key}__in": texts})
        if not condition:
            return
        named = defaultdict(list)  # text → the records it names
        for record in self.get_queryset().filter(condition):
            named[str(record.pk)].append(record)
            for key in keys:
                value = getattr(record, key)
                if value in texts:
                    named[value].append(record)
        for text in texts:
            by_id = named[str(ids[text])] if text in ids else []
            matches = {record.pk: record for record in (*by_id, *named[text])}
            if len(matches) == 1:
                known[self._reference_key(text)] = next(iter(matches.values()))

    def get_choices(self, cutoff=None):
        # The browsable API would list every record of the queryset in a select box.
        return {}


def _nullable_source(field) -> bool:
    """A read-only reference reads a model field that may be empty: say so in the schema."""
    parent = getattr(field, "parent", None)
    if hasattr(parent, "child_relation"):  # many=True: a list, never null
        return False
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source:
        return False
    try:
        return bool(model._meta.get_field(source).null)
    except FieldDoesNotExist:
        return False


class RefExtension(OpenApiSerializerFieldExtension):
    """In requests: the id, code or slug, or the brief object; in responses: the brief object."""

    target_class = Ref
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        brief = self.target.brief_class
        key = build_basic_type(OpenApiTypes.STR)
        key["description"] = "id, code or slug"
        if brief is None:
            return key
        component = auto_schema.resolve_serializer(brief, direction).ref
        schema = component if direction == "response" else {"oneOf": [key, component]}
        if getattr(self.target, "allow_null", False) or _nullable_source(self.target):
            # OpenAPI 3.0 ignores siblings of a $ref: wrap it so "nullable" is read.
            schema = {"allOf": [component], "nullable": True} if "$ref" in schema else {**schema, "nullable": True}
        return schema


@extend_schema_field({"type": "array", "items": {"type": "string"}, "readOnly": True})
class AllowedTransitionsField(serializers.ReadOnlyField):
    """The statuses a record may move to next, from its lifecycle table."""

    def __init__(self, lifecycle, **kwargs):
        self.lifecycle = lifecycle
        super().__init__(source="status", **kwargs)

    def to_representation(self, status) -> list[str]:
        return list(self.lifecycle.allowed_from(status))


# --- money: every representation with amounts says their unit ---

WAN_YUAN = "wan_yuan"  # 万元, 10,000 CNY: the unit of every amount of projects, reports and plans
YUAN = "yuan"  # 元: the unit of the compensation fund


def wan_yuan(yuan: int) -> str:
    """元 → 万元, exactly: 1 万元 = 10,000 元, so four decimals always suffice."""
    return str((Decimal(yuan) / 10000).quantize(Decimal("0.0001")))


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "enum": [WAN_YUAN, YUAN]},
        "readOnly": True,
        "description": "The unit of each money field of this representation: wan_yuan = 万元 (10,000 CNY), "
        "yuan = 元 (CNY). Keys are field names, dotted for nested ones.",
    }
)
class UnitsField(serializers.ReadOnlyField):
    """The units of the representation's money fields (a constant, read only)."""

    def __init__(self, units: dict, **kwargs):
        self.units = units
        super().__init__(source="*", **kwargs)

    def to_representation(self, _value) -> dict:
        return dict(self.units)


# --- uploads ---

MAX_FILE_NAME = 200  # characters of an uploaded file's name, as of an attachment's title


class UploadField(serializers.FileField):
    """An uploaded file whose name is at most ``MAX_FILE_NAME`` characters (a longer one is a
    400 on the field, not a failure to store it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_FILE_NAME)
        super().__init__(**kwargs)


# --- free text ---


class LongTextField(serializers.CharField):
    """A model's ``TextField`` in the API: at most ``settings.TEXT_MAX_LENGTH`` characters (a 5 MB
    description would be stored again in the history at every change)."""

    def __init__(self, **kwargs):
        if kwargs.get("max_length") is None:
            kwargs["max_length"] = settings.TEXT_MAX_LENGTH
        super().__init__(**kwargs)
