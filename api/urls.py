from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.changes import ChangesFeed
from api.core import views as core_views
from api.core.tokens import ApiTokenViewSet, sign_in
from api.restoration.closeout import ReportingComplianceView

# Each domain's API package registers its resources in its ``routes.register(router)``.
DOMAINS = ["api.core", "api.restoration", "api.conference", "api.compensation"]

router = DefaultRouter()
for package in DOMAINS:
    try:
        routes = import_module(f"{package}.routes")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.routes" and exc.name != package:
            raise
        continue
    routes.register(router)

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", sign_in, name="api-token"),
    path("auth/tokens/", ApiTokenViewSet.as_view({"get": "list", "post": "create"}), name="api-tokens"),
    path(
        "auth/tokens/<uuid:pk>/",
        ApiTokenViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-token-detail",
    ),
    path("auth/", include("rest_framework.urls", namespace="rest_framework")),
    path("me/", core_views.me, name="api-me"),
    path("changes/", ChangesFeed.as_view(), name="api-changes"),
    path("reporting-compliance/", ReportingComplianceView.as_view(), name="api-reporting-compliance"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
