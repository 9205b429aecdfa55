"""Test-run environment, loaded as a pytest plugin (``-p tests.testenv``) before Django reads its settings."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
os.environ.setdefault("STATIC_MANIFEST", "false")
os.makedirs(os.environ["VAR_DIR"], exist_ok=True)


import pytest  # noqa: E402 - the environment above must be set before anything imports Django


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, django_db_blocker):
    """A transactional test (real commits: threads, live servers) empties every table when it
    ends; put the reference data back for the tests that follow.

    Defined here, in a plugin loaded before pytest-django, so it is set up before pytest-django's
    own autouse fixtures (the live server's asks for the transactional database) and torn down
    after their flush.
    """
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from django.core.management import call_command

        with django_db_blocker.unblock():
            call_command("load_reference", verbosity=0)
