"""Writing and reading the change history (``ChangeRecord``).

Every write of a shared record calls ``record_change`` inside its own transaction, so a
change and its history commit or roll back together. Each record carries a dotted event
code (``restoration.progressreport.accepted``) that names what happened for filtering,
display and webhooks; free text (a comment, a reason) goes in ``message``.

An update keeps a long text's earlier version (``HISTORY_DIFF_MIN_LENGTH`` characters or more)
as a difference from its later one (``before_diffs``, see ``projects.core.text_diff``) when
that is smaller; ``ChangeRecord.full_before`` puts it back. Deletions keep ``before`` whole.
"""

import datetime
import decimal
import json
import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSException, GEOSGeometry, WKTWriter
from django.db import models
from django.db.models import Case, When
from django.db.models.fields.files import FieldFile
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from projects.core.choices import ChangeAction
from projects.core.middleware import current_client_request_id, current_request_id
from projects.core.models import ChangeRecord
from projects.core.models.base import choice_label
from projects.core.text_diff import difference

# Fields whose value changes on every save and says nothing on its own.
_NOISE = {"updated_at", "version", "created_at"}
# Never copied into the history in clear.
_SECRETS = {"password", "key", "secret", "key_hash"}
# Coordinates to about a centimetre: a geometry read back from the database or through a map
# widget differs in the last digits, which is not a change.
_WKT = WKTWriter(precision=7)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, GEOSGeometry):
        return f"SRID={value.srid};{_WKT.write(value).decode()}" if value.srid else _WKT.write(value).decode()
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


_PAST_TENSE = {ChangeAction.CREATE: "created", ChangeAction.UPDATE: "updated", ChangeAction.DELETE: "deleted"}


def event_code(instance: models.Model, action: str, after: dict | None = None) -> str:
    """``app.model.created`` …; a status change names its new status (``app.model.accepted``)."""
    label = instance._meta.label_lower
    if action == ChangeAction.TRANSITION and after and after.get("status"):
        return f"{label}.{after['status']}"
    return f"{label}.{_PAST_TENSE.get(action, action)}"


# Two shapes closer than this (degrees, about 10 cm) are the same shape: a map widget's round trip
# through web mercator moves the last digits, sometimes across a rounding boundary of the text.
_SAME_SHAPE = 1e-6
_WKT_TEXT = re.compile(r"^(SRID=\d+;)?(MULTI)?(POINT|LINESTRING|POLYGON)\b|^(SRID=\d+;)?GEOMETRYCOLLECTION\b")


def _geometry(value):
    if isinstance(value, str) and _WKT_TEXT.match(value):
        try:
            return GEOSGeometry(value)
        except (ValueError, GEOSException):
            return None
    return None


def same_shape(old: GEOSGeometry | None, new: GEOSGeometry | None) -> bool:
    """The same geometry by value: same type, every vertex within ~10 cm."""
    if old is None or new is None:
        return old is new
    if old.srid and new.srid and old.srid != new.srid:
        new = new.transform(old.srid, clone=True)
    return old.geom_type == new.geom_type and old.equals_exact(new, _SAME_SHAPE)


def _differs(before, after) -> bool:
    """Values differ; geometries (as text) are compared by value."""
    if before == after:
        return False
    old, new = _geometry(before), _geometry(after)
    if old is not None and new is not None:
        return not same_shape(old, new)
    return True


def _before_as_differences(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """``before`` without its long texts that changed, and those texts as differences from
    their later versions in ``after`` (each only when the difference is the smaller)."""
    if not before or not after:
        return before, None
    shorter, diffs = dict(before), {}
    for key, earlier in before.items():
        later = after.get(key)
        if not (isinstance(earlier, str) and isinstance(later, str)) or earlier == later:
            continue
        if len(earlier) < settings.HISTORY_DIFF_MIN_LENGTH:
            continue
        ops = difference(later, earlier)
        # Compared as Django's JSONField writes them.
        if len(json.dumps(ops)) < len(json.dumps(earlier)):
            diffs[key] = ops
            del shorter[key]
    return (shorter, diffs) if diffs else (before, None)


def record_change(
    *,
    instance: models.Model,
    action: str,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    event: str = "",
) -> ChangeRecord | None:
    """Store one change. An update that changed nothing but timestamps is not stored."""
    record = change_record(
        instance=instance, action=action, actor=actor, before=before, after=after, message=message, event=event
    )
    if record is not None:
        record.save(force_insert=True)
    return record


def change_record(
    *,
    instance: models.Model,
    action: str,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    event: str = "",
) -> ChangeRecord | None:
    """The unsaved record of one change (``record_change``'s; a batch inserts many at once), or
    None for an update that changed nothing but timestamps."""
    changed = sorted(
        key
        for key in set(before or {}) | set(after or {})
        if key not in _NOISE and _differs((before or {}).get(key), (after or {}).get(key))
    )
    if action == ChangeAction.UPDATE and not changed and not message and not event:
        return None
    actor = actor if getattr(actor, "is_authenticated", False) else None
    before_diffs = None
    if action in (ChangeAction.UPDATE, ChangeAction.TRANSITION):
        before, before_diffs = _before_as_differences(before, after)
    return ChangeRecord(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        request_id=current_request_id(),
        client_request_id=current_client_request_id(),
        action=action,
        event=event or event_code(instance, action, after),
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        scope_id=_scope_id(instance),
        before=before,
        before_diffs=before_diffs,
        after=after,
        changed_fields=changed,
        message=message,
    )


def referrer_records(records, content_type, actor, cause, *, event: str) -> list:
    """Unsaved change records saying ``records`` changed because ``cause`` (shown in them) did."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return [
        ChangeRecord(
            actor=actor,
            actor_name=actor.get_username() if actor else "",
            request_id=current_request_id(),
            action=ChangeAction.UPDATE,
            event=f"{event}.contents_changed",
            content_type=content_type,
            object_id=str(record.pk),
            object_repr=str(record)[:300],
            scope_id=_scope_id(record),
            after={"version": record.version + 1},
            message=f"{cause._meta.verbose_name}: {cause}",
        )
        for record in records
    ]


def history_of(instance: models.Model, user):
    """The changes of ``instance`` and of the records kept under it that ``user`` may see."""
    from projects.permissions import visible_history

    records = ChangeRecord.objects.for_object(instance).select_related("actor", "content_type")
    # A child's own record already tells its parent's history what changed.
    return visible_history(user, records.exclude(event__endswith=".contents_changed"))


def changes_after(*, position: int, content_types, user, limit: int) -> list[dict]:
    """Committed changes after ``position`` in commit order, of the given record types, that
    ``user`` may see (the changes feed), as rows: ``seq``, ``action``, ``event``, ``time``,
    ``content_type_id``, ``object_id`` and the record's ``version`` after the change (before it,
    for a delete). Uncommitted ones carry no position yet. Only these columns are read: a
    change's states can be large, and the feed shows the record's current representation."""
    from projects.permissions import visible_history

    records = ChangeRecord.objects.filter(seq__gt=position, content_type__in=content_types).order_by("seq")
    # The version as one integer expression: deletions keep ``before`` whole, so its version is
    # there. Named outright rather than spelled "after__version": that lookup fails over from field
    # to transform through a caught FieldError whose traceback holds the whole request's frames in
    # a cycle, and with them the answer (3.4 MB a page) until a full collection. Cast in SQL, each
    # row's JSON is not decoded in Python (two decodes a row, a sixth of a kept page).
    version = Case(
        When(action=ChangeAction.DELETE, then=Cast(KeyTextTransform("version", "before"), models.IntegerField())),
        default=Cast(KeyTextTransform("version", "after"), models.IntegerField()),
    )
    rows = visible_history(user, records).values(
        "seq", "action", "event", "time", "content_type_id", "object_id", version=version
    )[:limit]
    return list(rows)


SIGNED_IN = "core.user.signed_in"
SIGN_IN_FAILED = "core.user.sign_in_failed"
SIGN_IN_REFUSED = "core.user.sign_in_locked"


def record_sign_in(*, username: str, address: str, succeeded: bool, user=None, locked: bool = False) -> ChangeRecord:
    """A sign-in, a wrong password or a refusal while locked, in the history of the account (when
    the name is one): who, from which address, with the request's ids."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    if user is None:
        user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    event = SIGNED_IN if succeeded else (SIGN_IN_REFUSED if locked else SIGN_IN_FAILED)
    return ChangeRecord.objects.create(
        actor=user if succeeded else None,
        actor_name=(username or "")[:150],
        request_id=current_request_id(),
        client_request_id=current_client_request_id(),
        action=ChangeAction.UPDATE,
        event=event,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(user.pk) if user is not None else "",
        object_repr=str(user if user is not None else username)[:300],
        message=address,
    )


# --- reading a change as people do ----------------------------------------------------------------


def _field_for(model, key):
    if model is None:
        return None
    for field in model._meta.get_fields():
        if getattr(field, "attname", None) == key or field.name == key:
            return field
    return None


def _readable(field, value, names: dict) -> str:
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "—"
    if value == "***":
        return value
    shape = _geometry(value)
    if shape is not None:
        return gettext("a shape on the map (%(kind)s)") % {"kind": shape.geom_type}
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field is not None and getattr(field, "flatchoices", None):
        return str(choice_label(field, value))
    related = getattr(field, "related_model", None) if field is not None and field.is_relation else None
    if related is not None:
        keys = value if isinstance(value, list) else [value]
        missing = [key for key in keys if (related, str(key)) not in names]
        if missing:
            for obj in related._base_manager.filter(pk__in=missing):
                names[(related, str(obj.pk))] = str(obj)
        return "、".join(names.get((related, str(key)), str(key)) for key in keys)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(record, names: dict | None = None) -> list[dict]:
    """The fields a change record changed, as people read them: each field's label, and names
    instead of ids, labels instead of codes, a word instead of coordinates.

    ``names`` caches related records' names across the records of one page."""
    from django.utils.text import capfirst

    names = {} if names is None else names
    model = record.content_type.model_class()
    before = record.full_before
    rows = []
    for key in record.changed_fields or []:
        field = _field_for(model, key)
        label = capfirst(str(field.verbose_name)) if field is not None and hasattr(field, "verbose_name") else key
        rows.append(
            {
                "label": label,
                "before": _readable(field, (before or {}).get(key), names),
                "after": _readable(field, (record.after or {}).get(key), names),
            }
        )
    return rows
