"""A resource's representation as rows people read: translated column headers, names for
references (with the ids beside them for partner systems), choices by their label.

Exports (CSV, XLSX) and the OGC HTML pages use it, so a table shows the same columns everywhere.
"""

import json
from dataclasses import dataclass
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
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source if field.source and "." not in field.source and field.source != "*" else name
    if model is not None:
        try:
            return capfirst(str(model._meta.get_field(source).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            pass
    return capfirst(str(field.label or name))


@dataclass
class Column:
    key: str
    label: str
    kind: str  # "value", "choice", "names", "ids", "boolean", "nested"
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
            return _("Yes") if value else _("No")
        if self.kind == "nested" or isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return value


def columns_for(serializer: serializers.Serializer, units: dict | None = None) -> list[Column]:
    """The columns of a serializer's records (geometry left to GeoJSON)."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only or name in SKIPPED or isinstance(field, GeometryField):
            continue
        label = _label(serializer, name, field)
        if units and name in units:
            label = f"{label} ({units[name]})"
        if _is_brief(field):
            columns.append(Column(name, label, "names"))
            columns.append(Column(name, _("%(field)s ID") % {"field": label}, "ids"))
        elif isinstance(field, serializers.ChoiceField):
            columns.append(Column(name, label, "choice", {key: str(text) for key, text in field.choices.items()}))
        elif isinstance(field, serializers.BooleanField):
            columns.append(Column(name, label, "boolean"))
        elif isinstance(field, (serializers.BaseSerializer, serializers.ListField, serializers.DictField)):
            columns.append(Column(name, label, "nested"))
        else:
            columns.append(Column(name, label, "value"))
    return columns
