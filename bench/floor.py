"""The floor: what an answer of the API costs before it reads anything.

One view at ``/api/v1/floor/`` with the API's own defaults (the token read from the shared cache,
its scope, the rule's "signed in", the rate limit, DRF's dispatch and JSON renderer) behind every
middleware of the tracker, answering a constant. Its URLs are the only ones this handler
resolves, so the routes' resolution is left out too. ``make bench`` serves it under gunicorn like
the tracker (``bench.floor:served()``) and divides its figure by the project detail's limit: the
best ratio any read through these checks could have on the machine, whatever it then reads.

The views under ``/floor/`` take the floor apart, one layer more each (``bench.layers`` times
them in process): a Django view, DRF's dispatch with no checks, with the token and permissions
but no rate limit.
"""

import gc
import os

import django

# DRF's view reads the API's defaults (token authentication, its models) as it is defined.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup(set_prefix=False)

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

PATH = "/api/v1/floor/"


class Floor(APIView):
    def get(self, request):
        return Response({"floor": True})


class Checked(Floor):
    """The token and the permissions, no rate limit."""

    throttle_classes = []


class Dispatched(Floor):
    """DRF's dispatch and renderer, no check."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


def plain(request):
    return HttpResponse(b'{"floor":true}', content_type="application/json")


urlpatterns = [
    path(PATH.lstrip("/"), Floor.as_view()),
    path("floor/checked/", Checked.as_view()),
    path("floor/drf/", Dispatched.as_view()),
    path("floor/django/", plain),
]


class FloorHandler(WSGIHandler):
    """The tracker's handler (its settings and middleware) resolving only this module's URLs."""

    def resolve_request(self, request):
        request.urlconf = __name__
        return super().resolve_request(request)


def served() -> FloorHandler:
    """gunicorn's entry: the handler, with what is loaded moved out of the collector's way as the
    tracker's own processes do (``tracker/wsgi.py``)."""
    handler = FloorHandler()
    gc.freeze()
    return handler
