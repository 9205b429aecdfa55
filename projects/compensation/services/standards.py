"""Joint restoration standards: drafted, published (with an effective date), superseded."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.compensation.choices import StandardStatus
from projects.compensation.lifecycle import STANDARD_LIFECYCLE
from projects.compensation.models import Standard
from projects.core.services import (
    apply_fields,
    save_changed,
    set_relations,
    tracked_delete,
    tracked_save,
    tracked_transition,
)

REPLACED = "compensation.standard.replaced"
_NOT_WRITABLE = ("status",)


def standard_save(*, actor, instance: Standard | None = None, data: dict, expected_version=None) -> Standard:
    """Create a standard (drafting) or change its fields and relations; the status changes by transition."""
    fields = {key: value for key, value in data.items() if key not in _NOT_WRITABLE}

    def write(current):
        standard = current if current is not None else Standard()
        changes = apply_fields(standard, fields)
        standard.full_clean()
        if current is None:
            standard.save()
        set_relations(standard, changes)
        save_changed(standard, changes, created=current is None)
        return standard

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def _check_publishable(standard: Standard, to: str) -> None:
    if to == StandardStatus.PUBLISHED and not standard.effective_date:
        raise ValidationError({"effective_date": _("A published standard needs its effective date.")})


def standard_transition(*, actor, instance: Standard, to: str, comment: str = "", expected_version=None) -> Standard:
    """Publish (it needs its effective date: 400) or supersede a standard. Publishing one that
    replaces others supersedes those that are published, each with its own history."""
    with transaction.atomic():
        standard = tracked_transition(
            actor=actor,
            instance=instance,
            lifecycle=STANDARD_LIFECYCLE,
            to=to,
            comment=comment,
            expected_version=expected_version,
            check=lambda obj: _check_publishable(obj, to),
        )
        if to == StandardStatus.PUBLISHED:
            for old in standard.replaces.filter(status=StandardStatus.PUBLISHED).order_by("pk"):
                tracked_transition(
                    actor=actor,
                    instance=old,
                    lifecycle=STANDARD_LIFECYCLE,
                    to=StandardStatus.SUPERSEDED,
                    comment=standard.code,
                    event=REPLACED,
                )
        return standard


def standard_delete(*, actor, instance: Standard, expected_version=None) -> None:
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
