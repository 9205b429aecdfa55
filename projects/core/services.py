"""Generic tracked writes: permission check, save, history, all in one transaction.

Domain services with rules of their own (transitions, settlements …) use the same parts:
``require`` from ``projects.permissions`` and ``record_change`` from ``projects.core.history``.
"""

from collections.abc import Callable

from django.db import models, transaction

from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.permissions import ADD, CHANGE, DELETE, require


def refresh_derived(obj: models.Model) -> None:
    refresh = getattr(obj, "refresh_derived", None)
    if refresh is not None:
        refresh()


def lock(instance: models.Model) -> models.Model:
    """The stored row of ``instance``, locked until the transaction ends."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def locked_snapshot(instance: models.Model) -> dict:
    """The stored state of ``instance``, row-locked until the transaction ends."""
    return snapshot(lock(instance))


def save_tracked(
    *, actor, save: Callable[[], models.Model], instance: models.Model | None = None, message: str = ""
) -> models.Model:
    """Create (``instance`` None) or update a record through ``save`` and keep its history.

    Permission is checked on the stored record before the write and on the result after it
    (inside the transaction), so nobody can move a record out of their own reach.
    """
    with transaction.atomic():
        before = None
        if instance is not None and instance.pk is not None and not instance._state.adding:
            require(actor, CHANGE, instance)
            before = locked_snapshot(instance)
        obj = save()
        refresh_derived(obj)
        require(actor, ADD if before is None else CHANGE, obj)
        record_change(
            instance=obj,
            action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
            actor=actor,
            before=before,
            after=snapshot(obj),
            message=message,
        )
        return obj


def delete_tracked(*, actor, instance: models.Model, message: str = "") -> None:
    with transaction.atomic():
        require(actor, DELETE, instance)
        record_change(
            instance=instance,
            action=ChangeAction.DELETE,
            actor=actor,
            before=locked_snapshot(instance),
            message=message,
        )
        instance.delete()
