"""Turn domain errors into HTTP answers, every message in the reader's language:
400 for bad input, 403 for refusals of the rule, 404 for what is hidden or absent,
409 for refused states, 412 for writes against an outdated version."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext, pgettext
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from projects.core.errors import DomainError, PreconditionFailed


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Django's text names the model ("No Project matches the given query."), in English.
        exc = exceptions.NotFound(pgettext("HTTP 404", "No such record, or it is not visible to you."))
    elif isinstance(exc, PermissionDenied) and not exc.args:
        exc = exceptions.PermissionDenied(gettext("You are not allowed to do this."))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if NON_FIELD_ERRORS in detail:
            detail["non_field_errors"] = detail.pop(NON_FIELD_ERRORS)
        exc = ValidationError(detail=detail)
    if isinstance(exc, PreconditionFailed):
        return Response({"detail": str(exc.message), **exc.details}, status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), **exc.details}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        return Response(
            {
                "detail": gettext("The record is still referenced by others and cannot be deleted."),
                "referenced_by": sorted({str(obj) for obj in objects})[:20],
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
