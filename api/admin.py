"""The admin face of the HTTP layer's records: webhook subscriptions and their deliveries."""

from django.contrib import admin

from api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from api.webhooks import webhook_delete, webhook_save
from projects.core.admin_base import LogInline, ReadOnlyAdmin, TrackedAdmin


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(TrackedAdmin):
    list_display = ("name", "owner", "url", "is_active", "disabled_reason", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url", "owner__username")
    list_select_related = ("owner",)
    fields = ("name", "url", "events", "record_types", "is_active", "disabled_reason")
    readonly_fields = ("disabled_reason", *TrackedAdmin.readonly_fields)
    save_service = staticmethod(webhook_save)
    delete_service = staticmethod(webhook_delete)


class AttemptInline(LogInline):
    model = WebhookAttempt
    fields = ("time", "status_code", "error", "response", "duration_ms")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """What was sent where and what the receiver answered (written by the sender only)."""

    list_display = ("created_at", "subscription", "event", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status",)
    list_select_related = ("subscription",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [AttemptInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_administrator else queryset.filter(subscription__owner=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
