from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.changes import ChangesFeed
from api.core import views as core_views
from api.core.tokens import ApiTokenViewSet, sign_in
from api.restoration.closeout import ReportingComplianceView, RestorationAreaReportView

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
    path("restoration-area-report/", RestorationAreaReportView.as_view(), name="api-restoration-area-report"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: a path above it was tried against each of the router's 400 patterns first, and every
    # miss noted for a 404 page (0.45 ms of each changes-feed request); no prefix is shared.
    path("", include(router.urls)),
]
