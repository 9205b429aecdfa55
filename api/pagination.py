"""Pages of lists: numbered pages for people, cursor pages for partner systems.

``?cursor=`` (empty to start) switches a list to cursor pages ordered by ``updated_at`` then
``id``, stable while records change: a partner walks a list to its end without skipping or
repeating a record, and resumes from the cursor it kept.
"""

from django.db import models
from rest_framework import pagination


class KeysFirst:
    """A list's rows for the paginator, the page's keys chosen first.

    The paginator counts and slices what it is given. Sliced as it is, a list with derived columns
    (a project's latest progress: three subqueries) computes them for every row it skips, so page
    500 costs 25,000 rows' worth; here the page's keys are chosen by a query without them (a
    subquery in the same statement, so no query is added) and only those rows are computed.
    The count likewise asks for keys only.
    """

    def __init__(self, queryset: models.QuerySet):
        self.queryset = queryset
        self.keys = queryset.values("pk")
        self.ordered = queryset.ordered

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return list(self.queryset.filter(pk__in=self.keys[index]))

    @staticmethod
    def applies(queryset) -> bool:
        # A DISTINCT list would select its ordering columns beside the key: left as it is.
        return isinstance(queryset, models.QuerySet) and queryset.ordered and not queryset.query.distinct


class CursorPagination(pagination.CursorPagination):
    ordering = ("updated_at", "id")
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view):
        # Always by time of change (a list's own ordering or ?ordering= would let changed records hide).
        return self.ordering


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def _cursor_mode(self, request, queryset) -> bool:
        model = getattr(queryset, "model", None)
        has_times = model is not None and any(f.name == "updated_at" for f in model._meta.fields)
        return has_times and self.cursor_query_param in request.query_params

    def paginate_queryset(self, queryset, request, view=None):
        if self._cursor_mode(request, queryset):
            self._cursor = CursorPagination()
            return self._cursor.paginate_queryset(queryset, request, view)
        self._cursor = None
        if KeysFirst.applies(queryset):
            queryset = KeysFirst(queryset)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._cursor is not None:
            return self._cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Cursor pages for syncing (empty to start; then the `next` link's cursor). "
                "Ordered by updated_at, then id; the response then has no `count`.",
                "schema": {"type": "string"},
            }
        )
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Absent in cursor pages"
        return response
