from api.core import views
from api.core.notifications import NotificationViewSet
from api.core.webhooks import WebhookSubscriptionViewSet
from api.import_jobs import ImportJobViewSet


def register(router) -> None:
    router.register("provinces", views.ProvinceViewSet)
    router.register("divisions", views.DivisionViewSet)
    router.register("corridors", views.CorridorViewSet)
    router.register("key-areas", views.KeyAreaViewSet)
    router.register("organizations", views.OrganizationViewSet)
    router.register("webhooks", WebhookSubscriptionViewSet)
    router.register("notifications", NotificationViewSet)
    router.register("import-jobs", ImportJobViewSet)
