"""An answer is freed as soon as the server lets go of it (api/memory.py), with the collector off:
DRF's view and rendering tie every answer into a reference cycle that kept its body and data
until the next full collection."""

import gc
import io
import sys
import weakref

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.template import engines

from projects.core.tokens import token_issue
from tests.conference.factories import AnnualPlanFactory, PlanItemFactory, ProjectFactory, report


def _served(path: str, token: str):
    """``path`` through Django's WSGI handler as a server calls it (the test client adds cycles of its own)."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    # As the test client does: the test's connection (its transaction) stays open around the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return response, statuses[0], body


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/?page_size=50",
        "/api/v1/projects/?corridor=jialing&status=in_progress",
        "/api/v1/projects/{project}/",
        "/api/v1/progress-reports/",
        "/api/v1/changes/?limit=500",
        "/api/v1/indicators/totals/?by=province",
        "/api/v1/annual-plans/{plan}/execution/",
        "/ogc/collections/projects/items?limit=50",
    ],
)
def test_a_sent_answer_is_freed_by_its_last_reference(path, joint_office, collector_off):
    item = PlanItemFactory(plan=AnnualPlanFactory(), project=ProjectFactory(corridors=["jialing"]))
    report(item.project, "2022-Q1", "10")
    token = token_issue(actor=joint_office, user=joint_office, name="t", scope="read")[1]
    response, status, body = _served(path.format(project=item.project.pk, plan=item.plan.pk), token)
    assert status.startswith("200") and b'"results":[]' not in body
    answer = weakref.ref(response)
    del response
    assert answer() is None


def test_a_rendered_pages_context_is_freed_with_it(rf, collector_off):
    """A page's context with a request is a reference cycle (tracker/templates.py): emptied once
    the page is written, what it showed goes with the last reference."""

    class Shown:
        def __str__(self):
            return "岷江"

    shown = Shown()
    kept = weakref.ref(shown)
    template = engines["django"].from_string("{% for item in items %}{{ item }}{% endfor %}")
    assert template.render({"items": [shown]}, request=rf.get("/")) == "岷江"
    del shown
    assert kept() is None


def test_records_built_into_representations_are_freed_with_their_last_reference(rf, joint_office, collector_off):
    """Built afresh (a feed page, an export's chunk), the records and their prefetched rows go with
    the chunk: neither the serializer nor the prefetch caches keep them in a cycle."""
    from rest_framework.request import Request

    from api import representations
    from api.restoration.views import ProjectViewSet

    for _ in range(3):
        PlanItemFactory(plan=AnnualPlanFactory(), project=ProjectFactory(corridors=["jialing", "min"]))
    request = Request(rf.get("/api/v1/projects/"))
    request.user = joint_office
    view = ProjectViewSet(request=request, format_kwarg=None, action="list", args=(), kwargs={})
    queryset = view.get_queryset()
    objects = list(queryset.prefetch_related(None))
    kept = [weakref.ref(obj) for obj in objects]
    built = representations.representations(view, objects, queryset._prefetch_related_lookups)
    assert len(built) == 3 and all(b'"jialing"' in item.json for item in built)
    del objects
    # The last one stays until the next build: Django writes it into the hints of the viewset's own
    # Prefetch querysets (``_add_hints`` updates them in place), a reference, not a cycle.
    assert [ref() for ref in kept[:-1]] == [None, None]
