"""The lists' filter backend: a request with no parameter skips building the filter form, which
is right only while no filter narrows a list on an empty value. Checked for every list."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from api.filters import TrackerFilterBackend
from api.urls import router

pytestmark = pytest.mark.django_db

FILTERED = [
    (prefix, viewset)
    for prefix, viewset, _basename in router.registry
    if TrackerFilterBackend in viewset.filter_backends
    and (getattr(viewset, "filterset_class", None) or getattr(viewset, "filterset_fields", None))
]


def test_every_filtered_list_is_checked():
    assert len(FILTERED) > 20
    assert "projects" in dict(FILTERED)


@pytest.mark.parametrize(("prefix", "viewset"), FILTERED, ids=[prefix for prefix, _ in FILTERED])
def test_no_parameter_filters_nothing(prefix, viewset, joint_office):
    request = Request(RequestFactory().get(f"/api/v1/{prefix}/"))
    request.user = joint_office
    view = viewset(request=request, format_kwarg=None, kwargs={}, action="list")
    queryset = view.get_queryset()
    backend = TrackerFilterBackend()
    filterset = backend.get_filterset(request, queryset, view)
    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)
    assert backend.filter_queryset(request, queryset, view) is queryset
