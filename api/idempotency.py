"""``Idempotency-Key`` on every POST of the API: the first answer is kept and replayed.

A client that does not know whether its POST arrived (a timeout, a dropped connection) sends it
again with the same key: it gets the first answer (same status and body, and the header
``Idempotent-Replayed: true``) and nothing happens twice. The same key with another request is
a 422; while the first is still being answered, a 409. Keys belong to the credentials that sent
them and are kept for ``IDEMPOTENCY_TTL`` (24 hours).
"""

import datetime
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.exceptions import error_response
from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Content-Language")
# Answers a retry should not get replayed: the client may fix its credentials or wait.
NOT_KEPT = {401, 429}


def _ttl() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "IDEMPOTENCY_TTL", 86400))


def _principal(request) -> str | None:
    credentials = request.META.get("HTTP_AUTHORIZATION", "")
    if credentials:
        return hashlib.sha256(credentials.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return hashlib.sha256(f"session:{user.pk}".encode()).hexdigest()
    return None


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.META.get("CONTENT_TYPE", "").split(";")[0].encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _error(status: int, message: str, code: str) -> JsonResponse:
    return error_response(status, code, message)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)  # refused as anonymous anyway
        with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
            if not key or len(key) > 200 or not key.isprintable():
                return _error(
                    400, _("The Idempotency-Key must be 1 to 200 printable characters."), "invalid_idempotency_key"
                )
            fingerprint = _fingerprint(request)
            record, first = self._claim(principal, key, fingerprint)
            if not first:
                if record.fingerprint != fingerprint:
                    return _error(
                        422, _("This Idempotency-Key was used for another request."), "idempotency_key_reused"
                    )
                if not record.done:
                    return _error(
                        409, _("A request with this Idempotency-Key is still being answered."), "idempotency_key_in_use"
                    )
                return self._replay(record)
        response = self.get_response(request)
        self._keep(record, response)
        return response

    def _claim(self, principal: str, key: str, fingerprint: str):
        cutoff = timezone.now() - _ttl()
        IdempotentRequest.objects.filter(principal=principal, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(principal=principal, key=key, fingerprint=fingerprint), True
        except IntegrityError:
            return IdempotentRequest.objects.get(principal=principal, key=key), False

    def _keep(self, record: IdempotentRequest, response) -> None:
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            record.delete()  # the client may try again with the same key
            return
        record.done = True
        record.status_code = response.status_code
        record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.body = response.content
        record.save(update_fields=["done", "status_code", "headers", "body"])

    def _replay(self, record: IdempotentRequest) -> HttpResponse:
        response = HttpResponse(bytes(record.body), status=record.status_code)
        for name, value in record.headers.items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response


def prune(now=None) -> int:
    """Forget keys older than the time they are kept (beat)."""
    now = now or timezone.now()
    deleted, _counts = IdempotentRequest.objects.filter(created_at__lt=now - _ttl()).delete()
    return deleted
