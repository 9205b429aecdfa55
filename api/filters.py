"""Filters every list shares: ``updated_since`` for partners syncing by time."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=2025-01-01T00:00:00Z``: records changed at or after that moment.

    A record's ``updated_at`` changes whenever its representation does (also when something
    it shows changes: a project's latest progress, an organization's name)."""

    parameter = "updated_since"

    def filter_queryset(self, request, queryset, view):
        value = request.query_params.get(self.parameter)
        if value in (None, ""):
            return queryset
        if not any(field.name == "updated_at" for field in queryset.model._meta.fields):
            raise ValidationError({self.parameter: [_("This list has no update times.")]})
        try:
            moment = serializers.DateTimeField().to_internal_value(value)
        except serializers.ValidationError as exc:
            raise ValidationError({self.parameter: exc.detail}) from exc
        return queryset.filter(updated_at__gte=moment)

    def get_schema_operation_parameters(self, view):
        queryset = getattr(view, "queryset", None)
        if queryset is None or not any(f.name == "updated_at" for f in queryset.model._meta.fields):
            return []
        return [
            {
                "name": self.parameter,
                "required": False,
                "in": "query",
                "description": "Only records changed at or after this moment (ISO 8601, e.g. 2025-01-01T00:00:00Z)",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]
