"""Writing and reading the change history (``ChangeRecord``).

Every write of a shared record calls ``record_change`` inside its own transaction, so a
change and its history commit or roll back together.
"""

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.db.models.fields.files import FieldFile

from projects.core.choices import ChangeAction
from projects.core.middleware import current_request_id
from projects.core.models import ChangeRecord

# Fields whose value changes on every save and says nothing on its own.
_NOISE = {"updated_at", "version", "created_at"}
# Never copied into the history in clear.
_SECRETS = {"password"}


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, GEOSGeometry):
        return value.geojson
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)


def snapshot(instance: models.Model) -> dict:
    """A JSON-safe picture of a record: its concrete fields and its many-to-many ids."""
    data = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        data[field.attname] = "***" if field.attname in _SECRETS and value else _json_value(value)
    if instance.pk is not None:
        extra = getattr(instance, "history_extra", None)
        if callable(extra):
            data.update(_json_value(extra()))
        for field in instance._meta.many_to_many:
            data[field.name] = sorted(str(pk) for pk in getattr(instance, field.name).values_list("pk", flat=True))
    return data


def _scope_id(instance) -> str:
    scope = getattr(instance, "history_scope", None)
    parent = scope() if callable(scope) else None
    return str(parent.pk) if parent is not None else ""


def record_change(
    *,
    instance: models.Model,
    action: str,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> ChangeRecord | None:
    """Store one change. An update that changed nothing but timestamps is not stored."""
    changed = sorted(
        key
        for key in set(before or {}) | set(after or {})
        if key not in _NOISE and (before or {}).get(key) != (after or {}).get(key)
    )
    if action == ChangeAction.UPDATE and not changed and not message:
        return None
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return ChangeRecord.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        scope_id=_scope_id(instance),
        before=before,
        after=after,
        changed_fields=changed,
        message=message,
    )


def history_of(instance: models.Model):
    return ChangeRecord.objects.for_object(instance).select_related("actor")
