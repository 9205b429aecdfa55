"""The one API convention: a declarative viewset whose reads ask the permission rule and whose
writes go from the resource's serializer (input checks only) to the domain's service.

    class ProjectViewSet(TrackedViewSet):
        queryset = Project.objects.for_api()
        serializer_class = serializers.ProjectSerializer
        save_service = staticmethod(services.project_save)
        transition_service = staticmethod(services.project_transition)

Services take ``actor``, ``instance`` (None to create), ``data`` (the validated input: only the
fields the request sent) and ``expected_version`` (from ``If-Match`` or the body's ``version``).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from api import representations
from api.conditional import etag, expected_version
from api.exports import ExportMixin
from api.mixins import HistoryMixin
from api.pagination import KeysFirst
from projects.core.services import plain_delete, plain_save
from projects.permissions import visible


def transition_body(name: str, statuses, **fields) -> type[serializers.Serializer]:
    """The body of a resource's ``transition``: ``to`` (one of its statuses), ``comment`` (why;
    required by some moves, e.g. returning a report) and the resource's own ``fields``."""
    attrs = {
        "to": serializers.ChoiceField(choices=statuses.choices),
        "comment": serializers.CharField(required=False, allow_blank=True, default="", max_length=5000),
        **fields,
    }
    return type(name, (serializers.Serializer,), attrs)


class TrackedReadMixin:
    """Lists and details show only what the rule lets the user see; a detail carries its ETag."""

    def get_queryset(self):
        return visible(self.request.user, super().get_queryset())

    def shared(self, queryset):
        """What a list and the changes feed show unless asked for more (e.g. no unsubmitted drafts).
        A detail shows every record the user may see."""
        return queryset

    # Serve GET representations from the cache keyed by version (api/representations.py): every
    # versioned record whose representation depends on nothing but the record (set False where
    # it shows the request's host, as a review pack's links do).
    cache_representations = True

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.shared(self.get_queryset()))
        if representations.applies(self) and KeysFirst.applies(queryset) and not self._cursor_requested():
            return self.get_paginated_response(self.paginate_queryset(representations.CachedRows(self, queryset)))
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)

    def _cursor_requested(self) -> bool:
        paginator = self.paginator
        return paginator is None or getattr(paginator, "cursor_query_param", "cursor") in self.request.query_params

    def retrieve(self, request, *args, **kwargs):
        kept = representations.applies(self)
        instance = self._located() if kept else self.get_object()
        tag = etag(instance) if hasattr(instance, "version") else None
        if tag and tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        if kept:
            data = representations.kept_copy(self, instance.pk, instance.version)
            if data is None:  # never built: the whole record, its prefetches with it
                instance = self.get_object()
                data, tag = representations.built(self, instance), etag(instance)
        else:
            data = self.get_serializer(instance).data
        response = Response(data)
        if tag:
            response["ETag"] = tag
        return response

    def _located(self):
        """The record asked for as its key and version only: found as ``get_object`` finds it (the
        rule's queryset, the resource's own, the filters) and asked the object rule, which reads
        any other field it needs. When its representation is kept, nothing more is read."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        row = get_object_or_404(
            queryset.values_list("pk", "version"), **{self.lookup_field: self.kwargs[lookup_url_kwarg]}
        )
        model = queryset.model
        obj = model.from_db(queryset.db, [model._meta.pk.attname, "version"], row)
        self.check_object_permissions(self.request, obj)
        return obj

    def reloaded(self, obj):
        try:
            return self.get_queryset().get(pk=obj.pk)
        except self.get_queryset().model.DoesNotExist:
            raise Http404 from None

    def respond(self, obj, status_code=status.HTTP_200_OK):
        obj = self.reloaded(obj)
        headers = {"ETag": etag(obj)} if hasattr(obj, "version") else {}
        return Response(self.get_serializer(obj).data, status=status_code, headers=headers)


class TrackedViewSet(TrackedReadMixin, HistoryMixin, ExportMixin, viewsets.ModelViewSet):
    """Create, change and delete through the services (``http_method_names`` narrows a ledger to
    reads and creates)."""

    save_service = None
    delete_service = None

    def get_save_service(self):
        return type(self).save_service or plain_save(self.get_queryset().model)

    def service_data(self, validated: dict) -> dict:
        """The validated input as the service takes it (hook for reshaping nested rows)."""
        return dict(validated)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.get_save_service()(
            actor=request.user, instance=None, data=self.service_data(serializer.validated_data)
        )
        return self.respond(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        obj = self.get_save_service()(
            actor=request.user,
            instance=instance,
            data=self.service_data(serializer.validated_data),
            expected_version=expected_version(request),
        )
        return self.respond(obj)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        (type(self).delete_service or plain_delete)(
            actor=request.user, instance=instance, expected_version=expected_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransitionMixin:
    """``POST …/{id}/transition/``: the one way to change the status of a resource with a lifecycle."""

    transition_service = None
    transition_serializer = None  # transition_body(…) of the resource's statuses

    def transition_arguments(self, body: dict) -> dict:
        """Extra keyword arguments a resource's transition takes (a meeting, per-item comments …)."""
        return {}

    @extend_schema(
        responses={
            200: None,  # the resource's own serializer (api.schema.TrackerAutoSchema)
            409: OpenApiResponse(description="The lifecycle does not allow this move; the allowed ones are named"),
        }
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Change the status. A refused move answers 409 naming the allowed ones."""
        body = self.transition_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        obj = type(self).transition_service(
            actor=request.user,
            instance=self.get_object(),
            to=data.pop("to"),
            comment=data.pop("comment", ""),
            expected_version=expected_version(request),
            **self.transition_arguments(data),
        )
        return self.respond(obj)


class TrackedReadOnlyViewSet(TrackedReadMixin, HistoryMixin, ExportMixin, viewsets.ReadOnlyModelViewSet):
    """Records only the domain writes (logs, computed records)."""
