"""Webhook subscriptions over the API: a partner's own, with their deliveries and attempts."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from api.viewsets import TrackedViewSet
from api.webhooks import webhook_delete, webhook_rotate_secret, webhook_save


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: shown when the subscription is created or its secret rotated"
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "events",
            "record_types",
            "is_active",
            "disabled_reason",
            "secret",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["disabled_reason"]

    def get_secret(self, subscription) -> str | None:
        return subscription.secret if self.context.get("show_secret") else None

    def validate_events(self, value):
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 100 for v in value):
            raise serializers.ValidationError('A list of event codes, e.g. ["restoration.progressreport.*"].')
        return value

    def validate_record_types(self, value):
        from api.changes import RESOURCES

        if not isinstance(value, list) or any(v not in RESOURCES.by_name for v in value):
            raise serializers.ValidationError('A list of resources, e.g. ["projects", "progress-reports"].')
        return value


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["time", "status_code", "error", "response", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "payload", "status", "attempts", "next_attempt_at", "delivered_at", "attempt_log"]


class WebhookSubscriptionViewSet(TrackedViewSet):
    """Your webhook subscriptions. The secret is shown when created and when rotated."""

    queryset = WebhookSubscription.objects.select_related("owner")
    serializer_class = WebhookSubscriptionSerializer
    save_service = staticmethod(webhook_save)
    delete_service = staticmethod(webhook_delete)
    in_changes_feed = False  # a partner's own settings, not shared data

    def respond(self, obj, status_code=status.HTTP_200_OK):
        if status_code == status.HTTP_201_CREATED:
            data = WebhookSubscriptionSerializer(obj, context={"show_secret": True}).data
            return Response(data, status=status_code)
        return super().respond(obj, status_code)

    @extend_schema(request=None, responses=WebhookSubscriptionSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret (the old one stops working at once)."""
        subscription = webhook_rotate_secret(actor=request.user, instance=self.get_object())
        return Response(WebhookSubscriptionSerializer(subscription, context={"show_secret": True}).data)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The deliveries of this subscription, newest first, each with its attempts."""
        queryset = self.get_object().deliveries.prefetch_related("attempt_log").order_by("-created_at")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
