"""The changes feed: every create, update, status change and delete of every shared record, in
commit order, for partner systems to mirror the tracker.

``GET /api/v1/changes/?since=CURSOR&types=projects,progress-reports&limit=500``

Each entry names the record (its resource type and id), what happened and the record's version
after it, with the record's current representation (the same as its detail endpoint) or, for a
delete, a tombstone. The cursor is opaque; positions are given at commit time (see
``ChangeSequence``), so a reader never passes a change that commits later. A record changed
several times appears once per change; a client keeps the representation with the highest
version and forgets a record once its tombstone arrives (docs/partners.md).
"""

import base64
import binascii
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import representations
from projects.core.choices import ChangeAction
from projects.core.history import changes_after

MAX_LIMIT = 1000


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, position = text.split(":", 1)
        if prefix != "v1" or not position.isdigit():
            raise ValueError
        return int(position)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationError({"since": [_("Not a cursor of this feed; start without one.")]}) from None


class Resources:
    """The shared record types: every model with a resource in the API router."""

    @cached_property
    def by_model(self) -> dict:
        from api.urls import router

        resources = {}
        for prefix, viewset, _basename in router.registry:
            queryset = getattr(viewset, "queryset", None)
            if queryset is not None and getattr(viewset, "in_changes_feed", True):
                resources.setdefault(queryset.model, (prefix, viewset))
        return resources

    @cached_property
    def by_name(self) -> dict:
        return {prefix: (model, viewset) for model, (prefix, viewset) in self.by_model.items()}


RESOURCES = Resources()


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Resume after this entry with ?since=")
    type = serializers.CharField(help_text="The resource, as in its URL: projects, progress-reports …")
    id = serializers.CharField()
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    event = serializers.CharField()
    time = serializers.DateTimeField()
    version = serializers.IntegerField(allow_null=True, help_text="The record's version after the change")
    deleted = serializers.BooleanField(help_text="A tombstone: the record no longer exists")
    data = serializers.JSONField(
        allow_null=True,
        help_text="The record's current representation (as its detail endpoint); null for a tombstone, or when "
        "the record was deleted by a later change",
    )


class ChangesPageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass as ?since= for the next page (also when it is empty)")
    has_more = serializers.BooleanField()


def _next_page(request, cursor: str) -> str:
    """This request's address with ``since`` moved on to ``cursor``, its other parameters kept."""
    query = request.GET.copy()
    query["since"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class ChangesFeed(APIView):
    """Every change of every shared record, in commit order (see ``api/changes.py``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="The cursor of the last entry read; empty for the start"),
            OpenApiParameter("types", str, description="Comma-separated resources, e.g. projects,progress-reports"),
            OpenApiParameter("limit", int, description=f"Entries per page, at most {MAX_LIMIT} (default 500)"),
            OpenApiParameter(
                "include_drafts", bool, description="Also unsubmitted drafts (progress reports), as in the lists"
            ),
        ],
        responses=ChangesPageSerializer,
    )
    def get(self, request):
        position = decode_cursor(request.query_params.get("since", ""))
        models = self._models(request.query_params.get("types", ""))
        limit = self._limit(request.query_params.get("limit"))
        content_types = ContentType.objects.get_for_models(*models).values()
        records = changes_after(position=position, content_types=content_types, user=request.user, limit=limit + 1)
        has_more = len(records) > limit
        records = records[:limit]
        for record in records:
            record["model"] = ContentType.objects.get_for_id(record["content_type_id"]).model_class()
        data, hidden = self._representations(request, records)
        # One field for the page, its time zone read once (DRF reads it for every value).
        time_field = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
        results = []
        for record in records:
            model, object_id = record["model"], record["object_id"]
            if (model, object_id) in hidden:
                continue  # exists, but not what the lists show by default (an unsubmitted draft)
            deleted = record["action"] == ChangeAction.DELETE
            results.append(
                {
                    "cursor": encode_cursor(record["seq"]),
                    "type": RESOURCES.by_model[model][0],
                    "id": object_id,
                    "action": record["action"],
                    "event": record["event"],
                    "time": time_field.to_representation(record["time"]),
                    "version": record["version"],
                    "deleted": deleted,
                    "data": None if deleted else data.get((model, object_id)),
                }
            )
        next_cursor = encode_cursor(records[-1]["seq"]) if records else encode_cursor(position)
        # As ChangesPageSerializer writes it (the schema); a serializer per entry would cost more than the rest.
        body = {"results": results, "next_cursor": next_cursor, "has_more": has_more}
        # The next page's address in a header too, as RFC 8288 says: a client can ask for it while
        # it still reads this page's body.
        headers = {"Link": f'<{_next_page(request, next_cursor)}>; rel="next"'} if has_more else {}
        return Response(body, headers=headers)

    def _models(self, types: str):
        if not types:
            return list(RESOURCES.by_model)
        names = [name.strip() for name in types.split(",") if name.strip()]
        unknown = [name for name in names if name not in RESOURCES.by_name]
        if unknown:
            raise ValidationError(
                {"types": [_("Unknown types: %(names)s.") % {"names": ", ".join(sorted(unknown))[:200]}]}
            )
        return [RESOURCES.by_name[name][0] for name in names]

    def _limit(self, value) -> int:
        if value in (None, ""):
            return 500
        if not str(value).isdigit() or not 1 <= int(value) <= MAX_LIMIT:
            raise ValidationError({"limit": [_("A whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}]})
        return int(value)

    def _representations(self, request, records) -> tuple[dict, set]:
        """The current representation of each changed record (a fixed number of queries per type),
        and the records that exist but are not shown by default (``shared``)."""
        wanted = defaultdict(set)
        for record in records:
            if record["action"] != ChangeAction.DELETE:
                wanted[record["model"]].add(record["object_id"])
        found, hidden = {}, set()
        for model, ids in wanted.items():
            _prefix, viewset_class = RESOURCES.by_model[model]
            view = viewset_class(request=request, format_kwarg=None, action="retrieve", kwargs={})
            view.headers = {}
            queryset = view.get_queryset().filter(pk__in=ids)
            shared = getattr(view, "shared", None)
            shown_queryset = shared(queryset) if shared else queryset
            if representations.applies(view):
                # Kept representations are found by version without reading the records.
                versions = dict(shown_queryset.values_list("pk", "version"))
                kept = representations.by_version(view, versions, shown_queryset)
                found.update({(model, str(pk)): item for pk, item in kept.items()})
                shown_ids = [str(pk) for pk in versions]
            else:
                objects = list(shown_queryset)
                for obj, item in zip(objects, view.get_serializer(objects, many=True).data, strict=True):
                    found[(model, str(obj.pk))] = item
                shown_ids = [str(obj.pk) for obj in objects]
            if shown_queryset is not queryset:
                shown = set(shown_ids)
                hidden |= {(model, str(pk)) for pk in queryset.values_list("pk", flat=True) if str(pk) not in shown}
        return found, hidden
