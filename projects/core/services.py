"""The one write path: save, status change and delete of a tracked record.

Every domain service is built on these three, and every face (admin, API, imports, tasks)
calls the domain services. Each one, in one transaction:

1. locks the stored row and re-reads it (``lock``): a copy the caller loaded earlier is never
   written back, so parallel edits of different fields all survive;
2. checks the caller's expected version (``If-Match`` or ``version`` in the body) and refuses
   a stale one with ``PreconditionFailed`` before anything changes;
3. asks the permission rule before the write, and again after it (nobody moves a record out
   of their own reach);
4. applies only what the request changed, bumps ``version`` (a compare-and-set, see
   ``TrackedModel``), recomputes derived facts and records the change in the history.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.choices import ChangeAction
from projects.core.errors import DomainError, PreconditionFailed, name_of
from projects.core.history import record_change, snapshot
from projects.core.workflow import Lifecycle
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, require


class _System:
    """The actor of writes the system makes on its own (a scheduled task opening or computing a
    settlement). The permission rules govern people, so they are not asked; the history records
    the change without a person."""

    is_authenticated = False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


def _require(actor, action: str, obj) -> None:
    if actor is not SYSTEM:
        require(actor, action, obj)


def _event(event, obj) -> str:
    """An event code, or a function of the written record giving it (a move whose name depends
    on what the record holds once locked)."""
    return event(obj) if callable(event) else event


def refresh_derived(obj: models.Model) -> None:
    refresh = getattr(obj, "refresh_derived", None)
    if refresh is not None:
        refresh()


def lock(instance: models.Model, *, related: Iterable[str] = ()) -> models.Model:
    """The stored row of ``instance``, re-read and locked until the transaction ends.

    ``related`` are joined in the same query (only the record's own row is locked).
    """
    queryset = type(instance)._default_manager
    if related:
        queryset = queryset.select_related(*related).select_for_update(of=("self",))
    else:
        queryset = queryset.select_for_update()
    return queryset.get(pk=instance.pk)


def check_version(obj: models.Model, expected) -> None:
    """Refuse a write against another version than the stored one (``expected`` None: no check)."""
    if expected is None:
        return
    if str(expected) != str(obj.version):
        raise PreconditionFailed(current=obj.version, expected=expected)


class Changes:
    """What a write changed: plain fields set on the record, relations and rows written."""

    def __init__(self):
        self.names: set[str] = set()
        self.relations: dict = {}

    def __bool__(self) -> bool:
        return bool(self.names)

    def add(self, name: str, changed: bool = True) -> None:
        if changed:
            self.names.add(name)


def apply_fields(obj: models.Model, data: dict) -> Changes:
    """Set the plain fields of ``data`` that differ on ``obj``; keep the many-to-many ones for
    ``set_relations`` (after the record is saved).

    Only what the request sent is applied, so a change to one field never carries back an
    old value of another.
    """
    changes = Changes()
    for name, value in data.items():
        field = obj._meta.get_field(name)
        if field.many_to_many:
            changes.relations[name] = value
            continue
        current = getattr(obj, field.attname)
        wanted = value.pk if field.is_relation and value is not None else value
        if current != wanted:
            setattr(obj, field.name, value)
            changes.add(name)
    return changes


def set_relations(obj: models.Model, changes: Changes) -> None:
    for name, values in changes.relations.items():
        manager = getattr(obj, name)
        if set(manager.values_list("pk", flat=True)) != {value.pk for value in values}:
            manager.set(values)
            changes.add(name)


def save_changed(obj: models.Model, changes: Changes, *, created: bool) -> None:
    """Save a stored record that changed (its version grows only then); a new one is saved already."""
    if not created and changes:
        obj.save()


def is_stored(instance: models.Model | None) -> bool:
    return instance is not None and instance.pk is not None and not instance._state.adding


def touch_parents(obj: models.Model, *, actor, before: dict | None) -> None:
    """Bump the version of the records whose representation shows ``obj`` and record why."""
    parents = getattr(obj, "representation_parents", None)
    for parent in parents(before) if parents else []:
        if parent is None or parent.pk is None:
            continue
        stored = lock(parent)
        stored.save(update_fields=[])
        record_change(
            instance=stored,
            action=ChangeAction.UPDATE,
            actor=actor,
            event=f"{stored._meta.label_lower}.contents_changed",
            message=f"{obj._meta.verbose_name}: {obj}",
        )


def touch_referrers(obj: models.Model, *, actor, changed: set) -> int:
    """A change of a field other records show in brief (``brief_fields``) changes their
    representation too: touch each of them (and the records that show those) in bulk."""
    if not changed & set(getattr(type(obj), "brief_fields", ())):
        return 0
    from django.contrib.contenttypes.models import ContentType

    from projects.core.history import referrer_records
    from projects.core.models import ChangeRecord, TrackedModel

    now = timezone.now()
    touched = 0
    relations = [
        field
        for field in obj._meta.get_fields(include_hidden=True)  # related_name="+" relations too
        if field.auto_created and not field.concrete and (field.one_to_many or field.many_to_many)
    ]
    for relation in relations:
        model = relation.related_model
        if not issubclass(model, TrackedModel):
            continue
        referrers = list(model._default_manager.filter(**{relation.field.name: obj}).distinct())
        parents = {
            (type(parent), parent.pk): parent
            for referrer in referrers
            for parent in referrer.representation_parents(None)
            if parent is not None and not (type(parent) is type(obj) and parent.pk == obj.pk)
        }
        for group in (referrers, list(parents.values())):
            by_model: dict = {}
            for record in group:
                by_model.setdefault(type(record), []).append(record)
            for record_model, records in by_model.items():
                record_model._default_manager.filter(pk__in=[r.pk for r in records]).update(
                    version=models.F("version") + 1, updated_at=now
                )
                content_type = ContentType.objects.get_for_model(record_model)
                ChangeRecord.objects.bulk_create(
                    referrer_records(records, content_type, actor, obj, event=f"{record_model._meta.label_lower}")
                )
                touched += len(records)
    return touched


def tracked_save(
    *,
    actor,
    instance: models.Model | None,
    write: Callable[[models.Model | None], models.Model],
    expected_version=None,
    message: str = "",
    event: str | Callable[[models.Model], str] = "",
    related: Iterable[str] = (),
) -> models.Model:
    """Create (``instance`` None) or update a record through ``write`` and keep its history.

    ``write`` receives the locked, freshly read record (None when creating), applies the
    request to it and saves it; it may raise ``ValidationError`` or ``DomainError``, and then
    nothing is saved.
    """
    with transaction.atomic():
        before = None
        current = None
        if is_stored(instance):
            current = lock(instance, related=related)
            _require(actor, CHANGE, current)
            check_version(current, expected_version)
            before = snapshot(current)
        obj = write(current)
        refresh_derived(obj)
        _require(actor, CHANGE if before is not None else ADD, obj)
        record = record_change(
            instance=obj,
            action=ChangeAction.UPDATE if before is not None else ChangeAction.CREATE,
            actor=actor,
            before=before,
            after=snapshot(obj),
            message=message,
            event=_event(event, obj),
        )
        if record is not None:
            touch_parents(obj, actor=actor, before=before)
            if before is not None:
                touch_referrers(obj, actor=actor, changed=set(record.changed_fields))
        return obj


def save_fields(model: type[models.Model], data: dict) -> Callable[[models.Model | None], models.Model]:
    """The plain ``write`` for ``tracked_save``: apply ``data``, validate, save, set relations."""

    def write(current):
        obj = current if current is not None else model()
        created = current is None
        changes = apply_fields(obj, data)
        obj.full_clean()
        if created:
            obj.save()
        set_relations(obj, changes)
        save_changed(obj, changes, created=created)
        return obj

    return write


def tracked_transition(
    *,
    actor,
    instance: models.Model,
    lifecycle: Lifecycle,
    to: str,
    permission: str = TRANSITION,
    comment: str = "",
    expected_version=None,
    check: Callable[[models.Model], None] | None = None,
    apply: Callable[[models.Model, str], None] | None = None,
    related: Iterable[str] = (),
    event: str | Callable[[models.Model], str] = "",
) -> models.Model:
    """Move a record's ``status`` to ``to`` if its lifecycle allows it; keep who, when and why.

    ``check(obj)`` holds the domain's conditions (raise to refuse); ``apply(obj, from_status)``
    sets what else changes with the status (reviewer, timestamps, logs) before the save.
    """
    with transaction.atomic():
        obj = lock(instance, related=related)
        _require(actor, permission, obj)
        check_version(obj, expected_version)
        lifecycle.check(obj.status, to)
        if check is not None:
            check(obj)
        before = snapshot(obj)
        from_status = obj.status
        obj.status = to
        if hasattr(obj, "status_changed_at"):
            obj.status_changed_at = timezone.now()
        if apply is not None:
            apply(obj, from_status)
        obj.save()
        record_change(
            instance=obj,
            action=ChangeAction.TRANSITION,
            actor=actor,
            before=before,
            after=snapshot(obj),
            message=comment,
            event=_event(event, obj),
        )
        touch_parents(obj, actor=actor, before=before)
        return obj


def tracked_delete(
    *,
    actor,
    instance: models.Model,
    expected_version=None,
    check: Callable[[models.Model], None] | None = None,
    message: str = "",
) -> None:
    with transaction.atomic():
        obj = lock(instance)
        _require(actor, DELETE, obj)
        check_version(obj, expected_version)
        if check is not None:
            check(obj)
        before = snapshot(obj)
        record_change(instance=obj, action=ChangeAction.DELETE, actor=actor, before=before, message=message)
        touch_parents(obj, actor=actor, before=before)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
            names = sorted({name_of(o) for o in objects})
            raise DomainError(
                _("“%(record)s” cannot be deleted while other records refer to it: %(others)s.")
                % {"record": name_of(obj), "others": "、".join(names[:10]) + ("…" if len(names) > 10 else "")},
                referenced_by=names[:20],
            ) from exc


def tracked_update(*, actor, queryset: models.QuerySet, values: dict, message: str = "", event: str = "") -> list:
    """The bulk form: lock every row of ``queryset``, apply ``values`` to each through ``save``
    (so each bumps its version) and record each change. Returns the changed records."""
    changed = []
    with transaction.atomic():
        for obj in queryset.select_for_update():
            before = snapshot(obj)
            apply_fields(obj, values)
            obj.save()
            record_change(
                instance=obj,
                action=ChangeAction.UPDATE,
                actor=actor,
                before=before,
                after=snapshot(obj),
                message=message,
                event=event,
            )
            changed.append(obj)
    return changed


def today() -> datetime.date:
    return timezone.localdate()


def plain_save(model: type[models.Model]):
    """The service of a record with no rules beyond its model's validation (catalogues, reference data)."""

    def save(*, actor, instance=None, data: dict, expected_version=None):
        return tracked_save(
            actor=actor, instance=instance, write=save_fields(model, data), expected_version=expected_version
        )

    save.__name__ = f"{model._meta.model_name}_save"
    save.__doc__ = f"Create or change a {model._meta.verbose_name} (model validation only)."
    return save


def plain_delete(*, actor, instance, expected_version=None) -> None:
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
