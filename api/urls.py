from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from api.core import views as core_views

router = DefaultRouter()
router.register("provinces", core_views.ProvinceViewSet)
router.register("divisions", core_views.DivisionViewSet)
router.register("corridors", core_views.CorridorViewSet)
router.register("key-areas", core_views.KeyAreaViewSet)
router.register("organizations", core_views.OrganizationViewSet)

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("auth/", include("rest_framework.urls", namespace="rest_framework")),
    path("me/", core_views.me, name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
