"""Issuing and revoking API tokens: with history, never with the key in it."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.models.tokens import ApiToken, hash_key, new_key
from projects.core.services import lock
from projects.permissions import require


def token_issue(
    *,
    actor,
    user,
    name: str,
    scope: str,
    record_types: list | None = None,
    expires_in: datetime.timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user`` under ``name`` (revoking a live one of the same name); returns the
    token and its key, which is never shown again."""
    require(actor, "add", ApiToken(user=user))
    key, prefix = new_key()
    now = timezone.now()
    with transaction.atomic():
        for old in ApiToken.objects.select_for_update().filter(user=user, name=name, revoked_at__isnull=True):
            _revoke(old, actor, now, reason=_("replaced by a new token of the same name"))
        token = ApiToken(
            user=user,
            name=name,
            prefix=prefix,
            key_hash=hash_key(key),
            scope=scope,
            record_types=record_types or [],
            expires_at=now + expires_in if expires_in else None,
        )
        token.full_clean()
        token.save()
        record_change(instance=token, action=ChangeAction.CREATE, actor=actor, after=snapshot(token))
    return token, key


def _revoke(token: ApiToken, actor, now, reason: str = "") -> None:
    before = snapshot(token)
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    record_change(
        instance=token,
        action=ChangeAction.UPDATE,
        actor=actor,
        before=before,
        after=snapshot(token),
        event="core.apitoken.revoked",
        message=reason,
    )


def token_revoke(*, actor, instance: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = lock(instance)
        require(actor, "delete", token)
        if token.revoked_at is not None:
            raise DomainError(_("The token is revoked already."))
        _revoke(token, actor, timezone.now())
        return token
