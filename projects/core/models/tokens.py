"""API tokens for people and partner systems: hashed at rest, scoped, expiring, revocable."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import TrackedModel

PREFIX = "trk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(the key shown once, its short public prefix)."""
    prefix = secrets.token_hex(4)
    return f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(TrackedModel):
    """One named client's key. Only its SHA-256 is stored; the key is shown once, when issued.

    ``record_types`` narrows the token to some resources (``projects``, ``progress-reports`` …);
    empty means all. Issuing a token under a name already in use revokes the older one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("client name"), max_length=100, help_text=_("What uses the token, e.g. 省平台同步"))
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    record_types = models.JSONField(
        _("record types"), default=list, blank=True, help_text=_("Resources the token may use; empty: all.")
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user__username", "name", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_token_per_client_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} · {self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def allows(self, method: str, resource: str | None) -> bool:
        if method not in ("GET", "HEAD", "OPTIONS") and self.scope != TokenScope.WRITE:
            return False
        return not self.record_types or resource is None or resource in self.record_types
