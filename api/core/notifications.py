"""``/api/v1/notifications/``: the signed-in person's own notifications, read and unread."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.viewsets import TrackedReadOnlyViewSet
from projects.core.models import Notification
from projects.core.notifications import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "link", "created_at", "read_at", "is_read"]

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="unread only")

    class Meta:
        model = Notification
        fields = ["unread", "event"]


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationViewSet(TrackedReadOnlyViewSet):
    """Your notifications (reminders, escalations), newest first; ``?unread=true`` for the unread.
    ``POST …/{id}/read/`` marks one read, ``POST …/read-all/`` all of them."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    in_changes_feed = False  # personal, not a shared record: never in the feed or webhooks
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notifications_mark_read(actor=request.user, queryset=Notification.objects.filter(pk=notification.pk))
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = notifications_mark_read(actor=request.user, queryset=self.get_queryset())
        return Response({"marked_read": count})
