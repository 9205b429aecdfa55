"""Turn domain errors into HTTP answers, every message in the reader's language:
400 for bad input, 403 for refusals of the rule, 404 for what is hidden or absent,
409 for refused states, 412 for writes against an outdated version.

Every error of the API has one shape (docs/api.md "Errors", ``Error`` in the OpenAPI schema)::

    {"detail": "<one message>", "code": "<stable code>", "errors": {"<field>": ["<message>", …]}}

``errors`` holds the messages per field of a 400 (``non_field_errors`` for the whole body; a
nested row's messages under its field, as an object or a list of objects) and is empty
otherwise. Some answers add facts of their own beside these three (``allowed`` of a refused
move, ``current_version`` of a 412, ``referenced_by`` of a refused delete).
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext, pgettext
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from projects.core.errors import DomainError, PreconditionFailed, name_of

# The code of an answer by its status, when nothing more precise names it.
STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    429: "throttled",
}


def status_message(status_code: int) -> str:
    """The message of an answer Django gave before any view ran (an unknown address …)."""
    messages = {
        400: gettext("The request is not valid."),
        403: gettext("You are not allowed to do this."),
        404: pgettext("HTTP 404", "No such record, or it is not visible to you."),
        405: gettext("This address does not accept this method."),
        413: gettext("The request body is too large."),
    }
    return messages.get(status_code) or gettext("The request cannot be answered (HTTP %(status)s).") % {
        "status": status_code
    }


def error_body(status_code: int, detail, code: str | None = None, errors=None, **extra) -> dict:
    return {
        "detail": str(detail),
        "code": code or STATUS_CODES.get(status_code, "error"),
        "errors": errors or {},
        **extra,
    }


def error_response(status_code: int, code: str | None, detail, errors=None, **extra) -> JsonResponse:
    """An error answered outside a DRF view (middleware, guards), in the one shape."""
    body = error_body(status_code, detail, code, errors, **extra)
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def _first_message(errors) -> str | None:
    if isinstance(errors, dict):
        values = errors.values()
    elif isinstance(errors, list):
        values = errors
    else:
        return str(errors)
    for value in values:
        message = _first_message(value)
        if message:
            return message
    return None


def _field_errors(exc: ValidationError) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def _code(exc: exceptions.APIException, status_code: int) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list) and len(codes) == 1 and isinstance(codes[0], str):
        return codes[0]
    return STATUS_CODES.get(status_code, "error")


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Django's text names the model ("No Project matches the given query."), in English.
        exc = exceptions.NotFound(pgettext("HTTP 404", "No such record, or it is not visible to you."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or [gettext("You are not allowed to do this.")]))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if NON_FIELD_ERRORS in detail:
            detail["non_field_errors"] = detail.pop(NON_FIELD_ERRORS)
        exc = ValidationError(detail=detail)
    if isinstance(exc, PreconditionFailed):
        return Response(error_body(412, exc.message, **exc.details), status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, DomainError):
        return Response(error_body(409, exc.message, exc.code, **exc.details), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        return Response(
            error_body(
                409,
                gettext("The record is still referenced by others and cannot be deleted."),
                "referenced",
                referenced_by=sorted({name_of(obj) for obj in objects})[:20],
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # The services validate uniqueness first; this is a race with a parallel write.
        message = gettext(
            "Another record with the same values was saved at the same moment; nothing was saved. "
            "Read the records again and try once more."
        )
        return Response(error_body(409, message, "conflict"), status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) or (isinstance(exc, exceptions.ParseError) and isinstance(exc.detail, dict)):
        errors = _field_errors(exc)
        code = "invalid" if isinstance(exc, ValidationError) else _code_of_fields(exc)
        # A refusal of the whole body is its own summary; field messages are summed up.
        whole = list(errors) == ["non_field_errors"]
        detail = _first_message(errors) if whole else gettext("The input is not valid: see the message of each field.")
        response.data = error_body(response.status_code, detail, code, errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data.get("detail", "")
        response.data = error_body(response.status_code, detail, _code(exc, response.status_code))
    return response


def _code_of_fields(exc) -> str:
    return getattr(exc, "default_code", None) or "invalid"
