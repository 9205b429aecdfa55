from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.files import StoredFileView
from tracker.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
]
# Uploads and review packs: only to signed-in users who may see their record, never publicly
# (also under DEBUG); see api/files.py.
urlpatterns.insert(0, path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", StoredFileView.as_view(), name="media"))
