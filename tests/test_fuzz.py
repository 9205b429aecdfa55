"""Fuzzing every operation of the OpenAPI schema (schemathesis over the app in process).

Each operation is called with generated input as Sichuan staff, the joint office and a partner
system (a write token each). Checks: no server error, the status is one the schema declares, the
body matches the schema, and every 4xx is in the one error shape (api/exceptions.py).

``FUZZ_EXAMPLES`` sets the examples per operation and role (1 in ``make test``; ``make fuzz`` runs
more). Figures: docs/reliability.md ("Hostile input").
"""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects.core.tokens import token_issue

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = schemathesis.openapi.from_dict(_schema())
# Generated examples only (plus the schema's own): the coverage phase's hundreds of boundary
# cases per operation would take the suite past its time budget.
schema.config.phases.coverage.enabled = False


def error_shape(ctx, response, case):
    """Every 4xx answers {detail, code, errors} (docs/api.md, "Errors")."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict), f"{response.status_code}: not an object: {body!r}"
        assert isinstance(body.get("detail"), str) and body["detail"], f"{response.status_code}: no detail: {body}"
        assert isinstance(body.get("code"), str) and body["code"], f"{response.status_code}: no code: {body}"
        assert isinstance(body.get("errors"), dict), f"{response.status_code}: no errors: {body}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


@pytest.fixture
def app():
    """Django's WSGI app, keeping the test's connection (and its transaction) across requests as
    Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(params=["sc_staff", "joint_office", "partner"])
def token(request):
    user = request.getfixturevalue(request.param)
    _token, key = token_issue(actor=user, user=user, name="fuzz", scope="write")
    return key


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_a_server_error_or_leaves_its_schema(case, app, token):
    case.call_and_validate(app=app, headers={"Authorization": f"Token {token}"}, checks=CHECKS)
