"""Signing in to the API: hashed, scoped, expiring tokens (``Authorization: Token trk_…`` or
``Bearer trk_…``), the token's scope checked on every request, and rate limits per token.

A token just read is kept, with its user and their organization, in the shared cache for up to
``TOKEN_CACHE_SECONDS``: reading it from PostgreSQL took about 1.2 ms of a 4 ms detail. Any
change of a token, user or organization (``forget_kept_tokens``) stales every kept one at once."""

import uuid

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
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
        key_hash = hash_key(key)
        token, generation = _kept_token(key_hash)
        if token is None:
            # By its unique hash, unordered: the model's ordering joins the user to sort one row.
            token = next(
                iter(ApiToken.objects.select_related("user__organization").filter(key_hash=key_hash).order_by()), None
            )
            _keep_token(key_hash, token, generation)
        if token is None or not token.is_live or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USE_RESOLUTION:
            address = request.META.get("REMOTE_ADDR")
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
            token.last_used_at, token.last_used_from = now, address
            _keep_token(key_hash, token, generation)  # or every request after it would write it again
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


# Set anew by every change of a token, user or organization; a kept token answers only under the
# generation it was read under.
_GENERATION = "api-tokens:generation"


def _token_cache():
    """The cache that keeps tokens, or None. Only a shared one: a revocation in one process must
    reach every other at once, and a process's own memory would keep the revoked token there."""
    if settings.TOKEN_CACHE_SECONDS <= 0:
        return None
    cache = caches[DEFAULT_CACHE_ALIAS]
    return cache if isinstance(cache, RedisCache) else None


def _kept_token(key_hash: str):
    """(the kept token of ``key_hash`` or None, the generation read with it) in one round trip.
    The generation is read before the database is, so a token read from it is kept under the
    generation current before it was read: a change committed meanwhile stales it."""
    cache = _token_cache()
    if cache is None:
        return None, None
    kept = cache.get_many([f"api-tokens:{key_hash}", _GENERATION])
    generation = kept.get(_GENERATION)
    if generation is None:  # never set, or evicted: start one; nothing kept before it answers
        cache.add(_GENERATION, uuid.uuid4().hex, None)
        return None, None
    entry = kept.get(f"api-tokens:{key_hash}")
    if entry is not None and entry[0] == generation:
        return entry[1], generation
    return None, generation


def _keep_token(key_hash: str, token, generation) -> None:
    cache = _token_cache()
    if cache is not None and generation is not None and token is not None:
        cache.set(f"api-tokens:{key_hash}", (generation, token), settings.TOKEN_CACHE_SECONDS)


def forget_kept_tokens(**kwargs) -> None:
    """Stales every kept token: a token, user or organization changed (a signal's receiver). At
    once, and again when the change commits: a request that read the row before the commit may
    have kept the old one under the first new generation."""
    if _token_cache() is None:
        return
    _new_generation()
    transaction.on_commit(_new_generation, robust=True)


def _new_generation() -> None:
    cache = _token_cache()
    if cache is not None:
        cache.set(_GENERATION, uuid.uuid4().hex, None)


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
    """Requests per token (per user for sessions); the rate from ``API_RATE_LIMIT``.

    Counted in fixed windows of the rate's duration, the previous window weighted by the part of it
    still within the last ``duration`` (a sliding window, approximately): an atomic increment per
    request. DRF's own throttle keeps the time of every request in the window and reads and writes
    that whole list on each one (its cost grows with the rate allowed), and two workers writing it
    at once lose each other's requests."""

    scope = "api"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        count, earlier = self._count(current, previous)
        passed = into / self.duration
        if earlier * (1 - passed) + count <= self.num_requests:
            return True
        self.cache.decr(current)  # a refused request is not counted
        # Allowed again once enough of the previous window has slid out; at the next window when
        # this one alone is full.
        room = self.num_requests - count
        allowed_at = 1 - room / earlier if earlier and room > 0 else 1.0
        self.retry_after = max(1.0, round((allowed_at - passed) * self.duration, 6))  # no float dust
        return False

    def _count(self, current: str, previous: str) -> tuple[int, int]:
        """This window's count after adding this request, and the previous window's."""
        # DRF's throttles hold the proxy of the default cache: the backend behind it decides.
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if isinstance(backend, RedisCache):
            # One round trip: INCR creates the key at 0 if missing, atomically. Django's own add,
            # incr (EXISTS, then INCRBY) and get took four, and a client object each.
            keys = [backend.make_and_validate_key(key) for key in (current, previous)]
            pipeline = backend._cache.get_client(write=True).pipeline(transaction=False)
            pipeline.incr(keys[0]).expire(keys[0], self.duration * 2).get(keys[1])
            count, _expiry, earlier = pipeline.execute()
            return count, int(earlier or 0)  # Django's Redis serializer keeps integers as they are
        self.cache.add(current, 0, self.duration * 2)
        try:
            count = self.cache.incr(current)
        except ValueError:  # expired between the two calls
            self.cache.set(current, 1, self.duration * 2)
            count = 1
        return count, self.cache.get(previous, 0)

    def wait(self):
        return self.retry_after

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # anonymous requests are refused before (401), or throttled by address elsewhere
        ident = f"token:{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user:{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignInRateThrottle(throttling.AnonRateThrottle):
    """Attempts to sign in, per address; the rate from ``SIGN_IN_RATE_LIMIT``."""

    scope = "sign_in"
