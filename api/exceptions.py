"""Turn domain errors into HTTP answers: 400 for bad input, 409 for refused rules, every message
in the reader's language."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext, pgettext
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from projects.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # get_object_or_404's message ("No Project matches the given query.") is English only.
        exc = NotFound(pgettext("HTTP 404", "Not found."))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if NON_FIELD_ERRORS in detail:
            detail["non_field_errors"] = detail.pop(NON_FIELD_ERRORS)
        exc = ValidationError(detail=detail)
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), **exc.details}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError):
        return Response(
            {
                "detail": gettext("The record is still referenced and cannot be deleted."),
                "referenced_by": sorted({str(obj) for obj in exc.protected_objects})[:20],
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
