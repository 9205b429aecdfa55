"""Personas per role and province, and API clients signed in as them."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from projects.core.choices import Role
from projects.core.models import Organization
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data is part of every test database, as it is of every installation."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


# Modules whose transactional tests emptied the tables (pytest-django flushes after every
# function-level fixture, so only a module-level one can put the reference data back).
_EMPTIED_BY: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back(request, django_db_blocker):
    """A transactional test empties every table when it ends: once its module is done, the
    session's reference data is put back for the tests after it."""
    yield
    if request.module.__name__ in _EMPTIED_BY:
        _EMPTIED_BY.discard(request.module.__name__)
        with django_db_blocker.unblock():
            call_command("load_reference", verbosity=0)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _changes_numbered_at_once(request):
    """Change records get their commit position when their transaction commits; a test that
    never commits (the usual, rolled-back kind) asks PostgreSQL to number them at once."""
    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db") is not None
    if _transactional(request):
        _EMPTIED_BY.add(request.module.__name__)
        return
    if not uses_db:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS core_changerecord_number IMMEDIATE")


@pytest.fixture(autouse=True)
def _fast_passwords_and_media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and sign-in lockouts count in the cache, representations are kept in one: each
    test starts with none."""
    from django.core.cache import caches

    for alias in ("default", "representations"):
        caches[alias].clear()


def _org(slug):
    return Organization.objects.get(slug=slug)


@pytest.fixture
def sc_staff(db):
    return UserFactory(username="sc_staff", role=Role.PROVINCIAL_STAFF, organization=_org("sc-natural-resources"))


@pytest.fixture
def cq_staff(db):
    return UserFactory(
        username="cq_staff", role=Role.PROVINCIAL_STAFF, organization=_org("cq-planning-natural-resources")
    )


@pytest.fixture
def gz_staff(db):
    return UserFactory(username="gz_staff", role=Role.PROVINCIAL_STAFF, organization=_org("gz-natural-resources"))


@pytest.fixture
def joint_office(db):
    return UserFactory(username="joint_office", role=Role.JOINT_OFFICE, organization=_org("joint-office"))


@pytest.fixture
def expert(db):
    return UserFactory(username="expert", role=Role.EXPERT, organization=_org("joint-office"))


@pytest.fixture
def partner(db):
    return UserFactory(
        username="partner_system", role=Role.PARTNER_SYSTEM, organization=_org("joint-office"), is_staff=False
    )


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, organization=_org("joint-office"), is_superuser=True)


@pytest.fixture
def personas(sc_staff, cq_staff, gz_staff, joint_office, expert, partner, administrator):
    return {
        "sc_staff": sc_staff,
        "cq_staff": cq_staff,
        "gz_staff": gz_staff,
        "joint_office": joint_office,
        "expert": expert,
        "partner": partner,
        "administrator": administrator,
    }


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client signed in as that user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def api(client_for, sc_staff):
    """An API client signed in as Sichuan staff, the most common reader."""
    return client_for(sc_staff)
