import logging
import sys
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_client_request_id: ContextVar[str] = ContextVar("client_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def current_client_request_id() -> str:
    return _client_request_id.get()


class RequestIdMiddleware:
    """Gives each request an id of the server's own for the history and the logs. A caller's
    ``X-Request-ID`` is kept apart (``client_request_id``): it cannot stand in for the server's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        client_id = "".join(ch for ch in request.headers.get("X-Request-ID", "")[:64] if ch.isprintable())
        token, client_token = _request_id.set(request_id), _client_request_id.set(client_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
            _client_request_id.reset(client_token)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Chinese first: pages are in Chinese unless the user picked English (the language
    cookie set by Django's ``set_language`` view). The API (and /ogc/) also honours ``Accept-Language``,
    so partner systems get messages in the language they ask for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not translation.check_for_language(language or ""):
            language = None
        if language is None and request.path_info.startswith(("/api/", "/ogc/")):
            language = translation.get_language_from_request(request)
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, every request answers 503 with ``Retry-After`` (JSON
    with ``detail`` on the API) instead of a server error: clients retry, nothing is half-written
    (each write is one transaction). Outermost but for security headers, so it also covers the
    middlewares that read the database (sessions, idempotency keys)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_database_unavailable", False):
            return self.unavailable(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return self.unavailable(request)
        return None

    @staticmethod
    def unavailable(request):
        logger.error("Database unavailable: answered 503 to %s %s", request.method, request.path)
        with translation.override(translation.get_language_from_request(request)):
            message = _("The database is unavailable for a moment. Try again shortly.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
        return response


def _note_database_error(sender, request=None, **kwargs):
    """An error a middleware or view raised became a 500 before the outer middleware saw it: note
    whether the database was the cause."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request._database_unavailable = True


got_request_exception.connect(_note_database_error, dispatch_uid="tracker-database-unavailable")


class ContentSecurityPolicyMiddleware:
    """Sends ``CONTENT_SECURITY_POLICY`` on every answer: scripts only from the tracker's own files
    (no inline script, no CDN), so injected markup cannot run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
