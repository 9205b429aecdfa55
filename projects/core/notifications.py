"""A person's notifications: the only write is the reader marking them read (they are personal,
not shared records, so they keep no change history)."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone


def notifications_mark_read(*, actor, queryset) -> int:
    """Mark the actor's unread notifications among ``queryset`` read; returns how many."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    return queryset.filter(user=actor, read_at=None).update(read_at=timezone.now())
