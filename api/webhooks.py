"""Webhooks: every change a subscription wants, sent to its URL, signed, retried, logged.

The outbox is the change history itself: each change record is written in the transaction of
the change, so a change that commits is never lost, whatever the broker does. The dispatcher
(beat, every few seconds) reads the history in commit order after the position it reached and
writes one delivery per matching subscription; the sender posts each delivery and retries
failures with growing delays (``next_attempt_at``), also after a broker outage, since the due
deliveries are found in the database. A receiver may get an event more than once (at least
once); ``X-Tracker-Event-Id`` is the same on every copy, so it can drop repeats.

Each request carries::

    X-Tracker-Event-Id: 1234            (the change's commit position: unique, increasing)
    X-Tracker-Event: restoration.progressreport.accepted
    X-Tracker-Delivery-Id: <uuid>
    X-Tracker-Timestamp: 1767225600
    X-Tracker-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret>
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import random
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import DeliveryStatus, WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookSubscription
from projects.core.choices import ChangeAction
from projects.core.models import ChangeRecord
from projects.core.services import save_fields, tracked_delete, tracked_save
from projects.permissions import visible_history

MAX_ATTEMPTS = 12  # about three days with the delays below
FIRST_DELAY = 30  # seconds; doubled on every failure, up to MAX_DELAY
MAX_DELAY = 6 * 3600
TIMEOUT = 10


# --- subscriptions ---------------------------------------------------------------------------


def check_url(url: str) -> None:
    """A webhook may not point inside the tracker's own network (loopback, private, link-local),
    unless ``WEBHOOK_ALLOW_PRIVATE`` says so (development and tests)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"url": _("Give an http:// or https:// address.")})
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        raise ValidationError({"url": _("The host name cannot be resolved.")}) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise ValidationError({"url": _("Webhooks may not point to a private or local address.")})


def webhook_save(*, actor, instance=None, data: dict, expected_version=None) -> WebhookSubscription:
    """Create (with a new signing secret) or change a subscription; its owner is the user."""
    data = {key: value for key, value in data.items() if key in {"name", "url", "events", "record_types", "is_active"}}
    if "url" in data:
        check_url(data["url"])
    if data.get("is_active"):
        data["disabled_reason"] = ""
    write = save_fields(WebhookSubscription, data)

    def save(current):
        if current is None:
            latest = ChangeRecord.objects.aggregate(latest=Max("seq"))["latest"] or 0
            subscription = WebhookSubscription(owner=actor, secret=secrets.token_urlsafe(32), starts_after=latest)
            for key, value in data.items():
                setattr(subscription, key, value)
            subscription.full_clean()
            subscription.save()
            return subscription
        return write(current)

    return tracked_save(actor=actor, instance=instance, write=save, expected_version=expected_version)


def webhook_delete(*, actor, instance, expected_version=None) -> None:
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


def webhook_rotate_secret(*, actor, instance) -> WebhookSubscription:
    def save(current):
        current.secret = secrets.token_urlsafe(32)
        current.save()
        return current

    return tracked_save(actor=actor, instance=instance, write=save, event="api.webhooksubscription.secret_rotated")


# --- dispatching: the history in commit order → deliveries ------------------------------------


def _payload(record: ChangeRecord, resource: str) -> dict:
    deleted = record.action == ChangeAction.DELETE
    state = (record.full_before if deleted else record.after) or {}
    return {
        "event_id": record.seq,
        "event": record.event,
        "type": resource,
        "id": record.object_id,
        "action": record.action,
        "version": state.get("version"),
        "deleted": deleted,
        "time": record.time.isoformat(),
        "url": None if deleted else reverse(f"{_basename(resource)}-detail", args=[record.object_id]),
    }


def _basename(resource: str) -> str:
    from api.urls import router

    return next(basename for prefix, _viewset, basename in router.registry if prefix == resource)


def dispatch(*, limit: int = 1000) -> int:
    """Turn the changes committed since the last run into deliveries; return how many were made."""
    from api.changes import RESOURCES

    with transaction.atomic():
        cursor, _created = WebhookCursor.objects.select_for_update().get_or_create(id=1)
        records = list(
            ChangeRecord.objects.filter(seq__gt=cursor.position).select_related("content_type").order_by("seq")[:limit]
        )
        if not records:
            return 0
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True).select_related("owner"))
        now = timezone.now()
        made = []
        for subscription in subscriptions:
            # Only what the owner may see: the same rule as every read.
            seen = set(
                visible_history(
                    subscription.owner, ChangeRecord.objects.filter(pk__in=[r.pk for r in records])
                ).values_list("pk", flat=True)
            )
            for record in records:
                entry = RESOURCES.by_model.get(record.content_type.model_class())
                if record.seq <= subscription.starts_after or entry is None or record.pk not in seen:
                    continue
                if not subscription.wants(record.event, entry[0]):
                    continue
                made.append(
                    WebhookDelivery(
                        subscription=subscription,
                        change=record,
                        event=record.event,
                        payload=_payload(record, entry[0]),
                        next_attempt_at=now,
                    )
                )
        WebhookDelivery.objects.bulk_create(made, ignore_conflicts=True)
        cursor.position = records[-1].seq
        cursor.save(update_fields=["position"])
    if made:
        transaction.on_commit(_send_soon, robust=True)
    return len(made)


def _send_soon():
    from api.tasks import send_due_webhooks

    send_due_webhooks.delay()


# --- sending ---------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (docs/partners.md): the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def _delay(attempts: int) -> datetime.timedelta:
    seconds = min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1))
    return datetime.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def send(delivery: WebhookDelivery) -> WebhookDelivery:
    """Post one delivery once, log the attempt and plan the next one if it failed."""
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the subscription's URL, checked when saved
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "sc-cq-restoration-tracker-webhooks/1",
            "X-Tracker-Event-Id": str(delivery.payload.get("event_id")),
            "X-Tracker-Event": delivery.event,
            "X-Tracker-Delivery-Id": str(delivery.pk),
            "X-Tracker-Timestamp": timestamp,
            "X-Tracker-Signature": signature(subscription.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    status, error, answer = None, "", ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status, answer = response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read(2000).decode(errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=status,
        error=error,
        response=answer,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    delivery.attempts += 1
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    elif status == 410:
        delivery.status = DeliveryStatus.FAILED
        subscription.is_active = False
        subscription.disabled_reason = _("The receiver answered 410 Gone.")
        subscription.save(update_fields=["is_active", "disabled_reason"])
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + _delay(delivery.attempts)
    delivery.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])
    return delivery


def send_due(*, limit: int = 200) -> int:
    """Send the deliveries that are due, oldest change first; each is claimed under a row lock so
    two workers never send the same one at once. Returns how many were attempted."""
    sent = 0
    for _round in range(limit):
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("subscription")
                .filter(
                    status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(), subscription__is_active=True
                )
                .order_by("change__seq")
                .first()
            )
            if delivery is None:
                return sent
            send(delivery)
            sent += 1
    return sent
