"""What the conference's services share: rows kept inside a record, the tracker's own writes, and
deletes that a reference refuses."""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.services import apply_fields, tracked_delete, tracked_update


def _key(values, names: Iterable[str]) -> tuple:
    """A row's identity: the values of ``names`` (records by their id)."""
    key = []
    for name in names:
        if isinstance(values, dict):
            value = values.get(name)
            key.append(value.pk if isinstance(value, models.Model) else value)
        else:
            key.append(getattr(values, values._meta.get_field(name).attname))
    return tuple(key)


def replace_rows(
    *,
    actor,
    manager,
    rows: list[dict],
    keys: tuple[str, ...],
    make: Callable[[dict], models.Model],
    field: str,
) -> bool:
    """Make the records of ``manager`` (a record's agenda, funding, targets …) exactly ``rows``.

    Rows are matched to the stored records by the fields in ``keys``; only what differs is
    written, and each written row is recorded in the history (kept under its parent). Every
    row is checked before anything is written, and an error names its row under ``field``,
    so the rows are written all or nothing. Returns whether anything changed.
    """
    stored = {_key(record, keys): record for record in manager.all()}
    seen, planned, errors = set(), [], []
    for position, row in enumerate(rows, start=1):
        key = _key(row, keys)
        if key in seen:
            errors.append(_("Row %(row)d repeats an earlier row.") % {"row": position})
            continue
        seen.add(key)
        record = stored.get(key)
        before = None
        if record is None:
            record = make(row)
        else:
            before = snapshot(record)
            if not apply_fields(record, row):
                continue
        try:
            record.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(f"#{position} {name}: {message}" for message in messages)
            continue
        planned.append((record, before))
    if errors:
        raise ValidationError({field: errors})
    for record, before in planned:
        record.save()
        record_change(
            instance=record,
            action=ChangeAction.UPDATE if before is not None else ChangeAction.CREATE,
            actor=actor,
            before=before,
            after=snapshot(record),
        )
    removed = [record for key, record in stored.items() if key not in seen]
    for record in removed:
        record_change(instance=record, action=ChangeAction.DELETE, actor=actor, before=snapshot(record))
        record.delete()
    return bool(planned or removed)


def update_one(instance: models.Model, values: dict, *, actor=None, event: str, message: str = ""):
    """A write the tracker makes itself (a task, a side effect of another record's change):
    locked, version bumped and recorded with its event, without a person's permission."""
    changed = tracked_update(
        actor=actor,
        queryset=type(instance)._default_manager.filter(pk=instance.pk),
        values=values,
        event=event,
        message=message,
    )
    return changed[0] if changed else None


def delete_unreferenced(*, actor, instance, expected_version=None, check=None) -> None:
    """``tracked_delete``; a record others still point at is refused with the reason (409 in the
    API, a message in the admin) instead of failing in the database."""
    try:
        tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)
    except (ProtectedError, RestrictedError) as exc:
        objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        raise DomainError(
            _("The record is still referenced by others and cannot be deleted."),
            referenced_by=sorted({str(obj) for obj in objects})[:20],
        ) from exc


def files(fields: dict, names: Iterable[str]) -> dict:
    """A cleared file input gives False; the model stores an empty name."""
    return {key: ("" if key in names and value is False else value) for key, value in fields.items()}
