"""State the HTTP face keeps for itself: the first answer to each idempotency key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
