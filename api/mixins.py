"""Viewset parts shared by every resource: tracked writes and the history of a record."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from projects.core.history import history_of
from projects.core.services import delete_tracked, save_tracked


class ChangeRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    request_id = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    before = serializers.JSONField()
    after = serializers.JSONField()
    message = serializers.CharField()


class TrackedWriteMixin:
    """Creates, updates and deletes go through the domain's tracked-write service."""

    def perform_create(self, serializer):
        save_tracked(actor=self.request.user, save=lambda: serializer.save(**self.extra_save_kwargs()))

    def perform_update(self, serializer):
        save_tracked(actor=self.request.user, instance=serializer.instance, save=serializer.save)

    def perform_destroy(self, instance):
        delete_tracked(actor=self.request.user, instance=instance)

    def extra_save_kwargs(self) -> dict:
        return {}


class HistoryMixin:
    @extend_schema(responses=ChangeRecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        """Every change of this record, newest first."""
        records = history_of(self.get_object())
        page = self.paginate_queryset(records)
        serializer = ChangeRecordSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)
