"""Viewset parts shared by every resource: the history of a record."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from projects.core.history import history_of


class ChangeRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    event = serializers.CharField(help_text="What happened, as a dotted code (restoration.progressreport.accepted).")
    summary = serializers.CharField(help_text="The event in the reader's language.")
    record_type = serializers.CharField(source="content_type.model")
    record_id = serializers.CharField(source="object_id")
    record = serializers.CharField(source="object_repr")
    request_id = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    before = serializers.JSONField(source="full_before", allow_null=True)
    after = serializers.JSONField(allow_null=True)
    message = serializers.CharField()


class HistoryMixin:
    @extend_schema(responses=ChangeRecordSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, *args, **kwargs):
        """Every change of this record and of the records kept under it that you may see, newest first."""
        records = history_of(self.get_object(), request.user)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(ChangeRecordSerializer(page, many=True).data)
