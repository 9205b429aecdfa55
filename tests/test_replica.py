"""Reads of GET requests from a read replica, everything else from the primary (tracker/db.py),
checked with a second alias on the same test database (as ``TEST: {"MIRROR": "default"}`` does)."""

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections, router, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from projects.core.choices import Role
from projects.core.models import ApiToken
from projects.restoration.models import Project
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory
from tracker.db import replica_reads

# A second alias on the test database, as settings make one from DATABASE_REPLICA_URL: Django's
# test setup makes it a mirror of the primary's test database.
connections.settings.setdefault("replica", {**connections.settings["default"], "TEST": {"MIRROR": "default"}})
BOTH = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica():
    call_command("load_reference", verbosity=0)  # the previous transactional test emptied the tables
    with override_settings(DATABASE_ROUTERS=["tracker.db.ReplicaRouter"]):
        yield connections["replica"]


@BOTH
def test_reads_of_safe_requests_go_to_the_replica_and_the_rest_to_the_primary(replica):
    assert router.db_for_read(Project) == "default"  # a task, a command, a POST
    with replica_reads():
        assert router.db_for_read(Project) == "replica"
        assert router.db_for_write(Project) == "default"
        assert router.db_for_read(Session) == "default"  # sessions: fresh after sign-in
        assert router.db_for_read(ApiToken) == "default"  # a token works as soon as it is issued
        with transaction.atomic():
            assert router.db_for_read(Project) == "default"  # a service reads what it will write
    assert not router.allow_migrate("replica", "restoration")


@BOTH
def test_an_api_read_is_answered_from_the_replica_and_a_write_from_the_primary(replica, client):
    project = ProjectFactory()
    staff = UserFactory(role=Role.JOINT_OFFICE, organization__province=None)
    client.force_login(staff)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        response = client.get("/api/v1/projects/")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["results"]] == [project.code]
    assert any("restoration_project" in q["sql"] for q in on_replica.captured_queries)
    assert not any("restoration_project" in q["sql"] for q in on_primary.captured_queries)

    with CaptureQueriesContext(replica) as on_replica:
        response = client.post("/api/v1/projects/", {"code": "bad"}, content_type="application/json")
    assert response.status_code == 400
    assert on_replica.captured_queries == []


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@BOTH
def test_figures_for_a_reader_who_just_wrote_are_read_from_the_primary(replica, client_for, settings):
    """A replica may not have the reader's write yet: whoever wrote within the figures' age reads
    them from the primary; everyone else from the replica."""
    settings.FIGURES_MAX_AGE_SECONDS = 60
    project = ProjectFactory()
    writer = client_for(UserFactory(role=Role.JOINT_OFFICE, organization__province=None))
    reader = client_for(UserFactory(role=Role.JOINT_OFFICE, organization__province=None))
    assert writer.patch(f"/api/v1/projects/{project.pk}/", {"name_en": "Renamed"}, format="json").status_code == 200

    def totals_read_on(client):
        with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
            assert client.get("/api/v1/indicators/totals/?by=province").status_code == 200
        return [
            side
            for side, captured in (("replica", on_replica), ("primary", on_primary))
            if any("core_changerecord" in query["sql"] for query in captured.captured_queries)
        ]

    assert totals_read_on(writer) == ["primary"]
    assert totals_read_on(reader) == ["replica"]
