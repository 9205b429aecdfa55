"""Refusals made before a view runs, for input no view should ever see, and the one error
shape for the answers Django gives on API addresses without a view (an unknown address).

A NUL character cannot be stored by PostgreSQL (a text or JSON value with one raises a
``DataError``, a 500), so a request carrying one in its path or query string is refused here,
for every endpoint at once; JSON bodies are checked by the parser (``api.parsers``).
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from api.exceptions import error_response, status_message

NUL = "\x00"
NUL_CODE = "nul_character"


def nul_message() -> str:
    return _("The text contains a NUL character (\\u0000), which no field can hold.")


def _params_with_nul(request) -> dict:
    return {
        key.replace(NUL, "") or "non_field_errors": [nul_message()]
        for key, values in request.GET.lists()
        if NUL in key or any(NUL in value for value in values)
    }


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        errors = _params_with_nul(request)
        if errors or NUL in request.path_info:
            if api:
                return error_response(400, NUL_CODE, nul_message(), errors)
            return HttpResponseBadRequest(nul_message())
        if api and _too_large(request):
            return error_response(413, "too_large", too_large_message())
        response = self.get_response(request)
        if api and 400 <= response.status_code < 500 and not _is_json(response):
            # Django's own answers (unknown address, CSRF refusal …) are HTML pages.
            return error_response(response.status_code, None, status_message(response.status_code))
        return response


def body_limit(request) -> int:
    """The largest body an API request may send: an upload (multipart) may carry a file of up to
    ``ATTACHMENT_MAX_BYTES`` and its form fields; any other body ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return settings.ATTACHMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message() -> str:
    return _("The request body is too large.")


def _too_large(request) -> bool:
    """Refused by its declared length, before a byte of it is read (DRF's JSON parser reads the
    stream whole, past Django's own limit)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > body_limit(request)


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
