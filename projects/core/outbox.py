"""Background work sent only once its transaction commits, with the record itself as the outbox.

A record that waits for a task (a pending review pack, a pending settlement) carries
``queued_at``: empty until the task's message reached the broker. The message is sent after the
commit; when the broker is down the request still succeeds, ``queued_at`` stays empty and a beat
task (``drain``) sends it later. Tasks are safe to run twice, so a message sent again after a lost
one never does the work twice.
"""

import datetime
import logging

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def send(task, record: type[models.Model] | models.Model, pk) -> bool:
    """Send ``task(pk)`` now and mark the record queued; False (logged) when the broker is unreachable."""
    model = record if isinstance(record, type) else type(record)
    try:
        task.apply_async(args=[str(pk)], retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("Broker unreachable; %s %s waits for the outbox drain: %s", model.__name__, pk, exc)
        return False
    model.objects.filter(pk=pk).update(queued_at=timezone.now())
    return True


def send_on_commit(task, record: models.Model) -> None:
    """Send ``task(record.pk)`` when the current transaction commits (never for a rolled-back one)."""
    model, pk = type(record), record.pk
    transaction.on_commit(lambda: send(task, model, pk))


def drain(task, queryset: models.QuerySet, *, now: datetime.datetime | None = None) -> int:
    """Send ``task`` for each record of ``queryset`` (those waiting for it) never sent, or sent more
    than ``OUTBOX_RESEND_AFTER`` seconds ago (a message lost with the broker). Returns how many."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_RESEND_AFTER)
    waiting = queryset.filter(models.Q(queued_at__isnull=True) | models.Q(queued_at__lt=stale))
    sent = 0
    for pk in waiting.values_list("pk", flat=True):
        if not send(task, queryset.model, pk):
            break  # the broker is still down: the next run tries again
        sent += 1
    return sent
