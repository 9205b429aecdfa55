import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives each request an id (or keeps the caller's ``X-Request-ID``) for the history."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
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
