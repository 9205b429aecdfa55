"""Signing in to the API: hashed, scoped, expiring tokens (``Authorization: Token trk_…`` or
``Bearer trk_…``), the token's scope checked on every request, and rate limits per token."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions, throttling

from projects.core.models.tokens import ApiToken, hash_key

# A token's last use is written at most this often (seconds): not one write per request.
LAST_USE_RESOLUTION = 60


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token, with no spaces in it."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token.")) from None
        token = ApiToken.objects.select_related("user__organization").filter(key_hash=hash_key(key)).first()
        if token is None or not token.is_live or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USE_RESOLUTION:
            address = request.META.get("REMOTE_ADDR")
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


def resource_of(view) -> str | None:
    """The resource a view serves, as its URL names it (``projects`` …), when it is one."""
    from api.changes import RESOURCES

    queryset = getattr(view, "queryset", None)
    entry = RESOURCES.by_model.get(getattr(queryset, "model", None))
    return entry[0] if entry else None


class TokenScopePermission(permissions.BasePermission):
    """A read-only token only reads; a token limited to some record types only reaches those."""

    message = _("This token is not allowed to do this (see its scope and record types).")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        return token.allows(request.method, resource_of(view))


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (per user for sessions); the rate from ``API_RATE_LIMIT``."""

    scope = "api"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # anonymous requests are refused before (401), or throttled by address elsewhere
        ident = f"token:{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user:{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignInRateThrottle(throttling.AnonRateThrottle):
    """Attempts to sign in, per address; the rate from ``SIGN_IN_RATE_LIMIT``."""

    scope = "sign_in"
