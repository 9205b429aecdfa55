"""Sign-in lockout: too many wrong passwords for one account from one address lock that pair out.

``SIGN_IN_MAX_FAILURES`` failures within ``SIGN_IN_FAILURE_WINDOW`` seconds lock the account for
that address for ``SIGN_IN_LOCKOUT`` seconds; while locked even the right password is refused. The
counts live in the cache (``CACHE_URL``: shared by every web process when it is Redis). Every
sign-in path asks the same ``AuthenticationBackend``-level check (``LockoutBackend``), so the
token endpoint, the admin and the browsable API's login agree; the faces add their own message
(429 with ``Retry-After`` on the API, a form error on the admin login).
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from projects.core import events, history
from projects.core.history import SIGN_IN_FAILED, SIGN_IN_REFUSED, SIGNED_IN

events.register(
    {
        SIGNED_IN: _("Signed in"),
        SIGN_IN_FAILED: _("Failed sign-in: wrong user name or password"),
        SIGN_IN_REFUSED: _("Sign-in refused: too many failed sign-ins"),
    }
)


def client_address(request) -> str:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request is not None else ""


def _key(kind: str, username: str, address: str) -> str:
    # Hashed: a user name may hold characters a cache key may not.
    digest = hashlib.sha256(f"{(username or '').strip().lower()}\x00{address}".encode()).hexdigest()[:32]
    return f"signin:{kind}:{digest}"


def locked_for(username: str, address: str) -> int:
    """Seconds this account stays locked for this address (0: not locked)."""
    until = cache.get(_key("locked", username, address))
    return max(0, int(until - time.time()) + 1) if until else 0


def failed(username: str, address: str) -> None:
    """Count a wrong password; the last one allowed locks the pair."""
    key = _key("failures", username, address)
    cache.add(key, 0, timeout=settings.SIGN_IN_FAILURE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.SIGN_IN_FAILURE_WINDOW)
        count = 1
    if count >= settings.SIGN_IN_MAX_FAILURES:
        lock_seconds = settings.SIGN_IN_LOCKOUT
        cache.set(_key("locked", username, address), time.time() + lock_seconds, timeout=lock_seconds)
        cache.delete(key)


def succeeded(username: str, address: str) -> None:
    cache.delete(_key("failures", username, address))


class LockoutBackend(ModelBackend):
    """Django's ``ModelBackend`` that refuses a locked pair before the password is checked, and
    stops Django from asking any other backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and locked_for(username, client_address(request)):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)


# --- The faces' messages and the audit trail --------------------------------------------------


def locked_message(seconds: int) -> str:
    from django.utils.translation import ngettext

    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed sign-ins for this account. Try again in %(minutes)d minute.",
        "Too many failed sign-ins for this account. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def on_login_failed(sender, credentials, request=None, **kwargs):
    """``user_login_failed``: count the failure and record it in the history."""
    username = credentials.get("username") or ""
    address = client_address(request)
    already_locked = bool(locked_for(username, address))
    if not already_locked:
        failed(username, address)
    history.record_sign_in(username=username, address=address, succeeded=False, locked=already_locked)


def on_logged_in(sender, request, user, **kwargs):
    """``user_logged_in``: forget the failures and record the sign-in. A session opened by code
    (a test client's ``force_login``, a shell) came over no connection and is no one signing in."""
    if request is not None and "REMOTE_ADDR" in getattr(request, "META", {}):
        signed_in(request, user)


def signed_in(request, user) -> None:
    """A sign-in that succeeded (a session, or a token issued): forget the failures, record it."""
    address = client_address(request)
    succeeded(user.get_username(), address)
    history.record_sign_in(username=user.get_username(), address=address, succeeded=True, user=user)


def refused(request, username: str) -> None:
    """A sign-in refused by a face because the pair is locked, before any password check."""
    history.record_sign_in(username=username, address=client_address(request), succeeded=False, locked=True)
