from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.files import StoredFileView
from projects.workspace.views.tasks import my_work
from tracker.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("ogc/", include("api.ogc")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("projects.workspace.urls")),
    # The historic name of the home page: My work.
    path("", my_work, name="home"),
]
# Uploads and review packs: only to signed-in users who may see their record, never publicly
# (also under DEBUG); see api/files.py.
urlpatterns.insert(0, path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", StoredFileView.as_view(), name="media"))
