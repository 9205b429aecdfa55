"""Filters every list shares: ``updated_since`` for partners syncing by time; ``ExistsFilter``
for filters across a many-to-many relation."""

import django_filters
from django.db.models import Exists, OuterRef
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


class ExistsFilter(django_filters.CharFilter):
    """A filter across a many-to-many relation (``corridors__slug``) as ``EXISTS``.

    django-filter's ``distinct=True`` makes the whole list ``SELECT DISTINCT``: every matching row,
    with its derived columns, is computed and compared before the page is cut (520 ms for the
    corridor filter at 50,000 projects against 84 ms this way, docs/benchmarks.md)."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        lookup = {f"{self.field_name}__{self.lookup_expr}": value}
        return qs.filter(Exists(qs.model._base_manager.filter(pk=OuterRef("pk"), **lookup)))
