"""State the HTTP face keeps for itself: idempotency keys and webhooks."""

import fnmatch
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models import TrackedModel


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key``: its fingerprint and, once done, its answer.

    Kept 24 hours (``IDEMPOTENCY_TTL``); a repeat with the same key and body gets the same answer,
    the same key with another body a 422.
    """

    id = models.BigAutoField(primary_key=True)
    principal = models.CharField(_("client"), max_length=64, help_text=_("Hash of the credentials that sent it."))
    key = models.CharField(_("idempotency key"), max_length=200)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    done = models.BooleanField(_("answered"), default=False)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    body = models.BinaryField(_("body"), blank=True, default=b"")

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return self.key


class WebhookSubscription(TrackedModel):
    """A partner's URL that receives an event for every change it subscribes to.

    Deliveries are signed with ``secret`` (HMAC-SHA256 over the timestamp and the body) and
    retried with growing delays until answered with a 2xx; a 410 ends the subscription.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Event codes to send, * as a wildcard (restoration.progressreport.*); empty: all."),
    )
    record_types = models.JSONField(
        _("record types"), default=list, blank=True, help_text=_("Resources (projects …); empty: all.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    starts_after = models.BigIntegerField(
        _("from commit position"),
        default=0,
        editable=False,
        help_text=_("Changes committed after this position are sent (the position when it was created)."),
    )
    disabled_reason = models.CharField(_("why it stopped"), max_length=300, blank=True)

    class Meta:
        ordering = ["owner__username", "name"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event: str, resource: str) -> bool:
        if self.record_types and resource not in self.record_types:
            return False
        return not self.events or any(fnmatch.fnmatchcase(event, pattern) for pattern in self.events)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One change sent to one subscription: the outbox row, with every attempt kept."""

    id = models.UUIDField(_("delivery ID"), primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    change = models.ForeignKey(
        "core.ChangeRecord", on_delete=models.CASCADE, related_name="+", verbose_name=_("change")
    )
    event = models.CharField(_("event"), max_length=100)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["subscription", "change"], name="one_delivery_per_change")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.name}"


class WebhookAttempt(models.Model):
    """One try to deliver: when, what the receiver answered (or the error), how long it took."""

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response = models.TextField(_("response (first 2,000 characters)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class WebhookCursor(models.Model):
    """How far the dispatcher has read the change history (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook dispatch position")
        verbose_name_plural = _("webhook dispatch position")

    def __str__(self) -> str:
        return str(self.position)
