"""A resource's representation as rows people read: translated column headers, names for
references (with the ids beside them for partner systems), choices by their label.

Exports (CSV, XLSX) and the OGC HTML pages use it, so a table shows the same columns everywhere.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.fields import Ref

# Shown elsewhere or only meaningful to programs (each money field's unit is in its header).
SKIPPED = {"units", "allowed_transitions"}
_NAME_KEYS = ("name", "username", "title", "code", "slug")


def display_name(value: dict) -> str:
    """A brief record's name in the reader's language."""
    english = (get_language() or "").startswith("en")
    for stem in ("name", "title"):
        local = value.get(f"{stem}_en") if english else value.get(f"{stem}_zh")
        if local:
            return str(local)
        other = value.get(f"{stem}_zh") or value.get(f"{stem}_en")
        if other:
            return str(other)
    return next((str(value[key]) for key in _NAME_KEYS if value.get(key)), str(value.get("id", "")))


def _is_brief(field) -> bool:
    field = getattr(field, "child_relation", None) or getattr(field, "child", None) or field
    return isinstance(field, Ref) and field.brief_class is not None


def _label(serializer, name: str, field) -> str:
    """The serializer field's label when its author gave one, else the model field's verbose name
    (following a dotted source; a reverse relation by the related model's name)."""
    if getattr(field, "_kwargs", {}).get("label"):
        return capfirst(str(field.label))
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source if field.source and field.source != "*" else name
    try:
        for part in source.split("."):
            model_field = model._meta.get_field(part)
            model = model_field.related_model
        if hasattr(model_field, "verbose_name"):
            return capfirst(str(model_field.verbose_name))
        meta = model_field.related_model._meta
        return capfirst(
            str(meta.verbose_name_plural if model_field.one_to_many or model_field.many_to_many else meta.verbose_name)
        )
    except (FieldDoesNotExist, AttributeError):
        return capfirst(str(field.label or name))


@dataclass
class Column:
    key: str
    label: str
    kind: str  # "value", "number", "choice", "names", "ids", "boolean"
    choices: dict | None = None

    def cell(self, record: dict) -> Any:
        value = record.get(self.key)
        if value is None or value == "":
            return None
        if self.kind == "names":
            values = value if isinstance(value, list) else [value]
            return "; ".join(display_name(v) for v in values if isinstance(v, dict))
        if self.kind == "ids":
            values = value if isinstance(value, list) else [value]
            return "; ".join(str(v.get("id")) for v in values if isinstance(v, dict))
        if self.kind == "choice":
            return str(self.choices.get(value, value))
        if self.kind == "boolean":
            return self.choices[bool(value)]
        if self.kind == "number":
            # A number stays a number in a spreadsheet (and "-5" is not taken for a formula).
            try:
                return Decimal(str(value))
            except ArithmeticError:
                return value
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return value


def columns_for(serializer: serializers.Serializer) -> list[Column]:
    """The columns of a serializer's records (geometry left to GeoJSON)."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only or name in SKIPPED or isinstance(field, GeometryField):
            continue
        label = _label(serializer, name, field)
        if _is_brief(field):
            columns.append(Column(name, label, "names"))
            columns.append(Column(name, _("%(field)s ID") % {"field": label}, "ids"))
        elif isinstance(field, serializers.ChoiceField):
            columns.append(Column(name, label, "choice", {key: str(text) for key, text in field.choices.items()}))
        elif isinstance(field, serializers.BooleanField):
            columns.append(Column(name, label, "boolean", {True: _("Yes"), False: _("No")}))
        elif isinstance(field, (serializers.DecimalField, serializers.IntegerField, serializers.FloatField)):
            columns.append(Column(name, label, "number"))
        elif isinstance(
            field,
            (
                serializers.BaseSerializer,
                serializers.ListField,
                serializers.DictField,
                serializers.SerializerMethodField,
            ),
        ):
            # Rows kept under the record (funding, targets, latest progress) do not fit one cell:
            # the JSON and GeoJSON representations carry them.
            continue
        else:
            columns.append(Column(name, label, "value"))
    return columns
