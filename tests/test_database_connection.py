"""A reused PostgreSQL connection is checked at the start of each request without a round trip
while it is quiet, and replaced when the server has ended it (tracker/postgis/base.py)."""

import select

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's own check"),
    pytest.mark.django_db(transaction=True),  # a connection at rest, outside the test's transaction
]


def _wait_readable(wrapper, seconds=5.0) -> None:
    poller = select.poll()
    poller.register(wrapper.connection.pgconn.socket, select.POLLIN)
    assert poller.poll(seconds * 1000), "the server's notice never reached the socket"


def _start_of_request(wrapper) -> None:
    wrapper.health_check_done = False  # as close_if_unusable_or_obsolete sets it for each request
    wrapper.close_if_health_check_failed()


def test_a_quiet_connection_is_checked_without_asking_the_server(monkeypatch):
    wrapper = connections["default"]
    wrapper.ensure_connection()
    raw = wrapper.connection
    asked = []
    monkeypatch.setattr(type(wrapper), "is_usable", lambda self: asked.append(1) or True)
    _start_of_request(wrapper)
    assert asked == [] and wrapper.connection is raw and wrapper.health_check_done


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    wrapper = connections["default"]
    wrapper.ensure_connection()
    ended_pid = wrapper.connection.info.backend_pid
    with psycopg.connect(**wrapper.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [ended_pid])
    _wait_readable(wrapper)
    _start_of_request(wrapper)
    assert wrapper.connection is None  # closed by the check, not by the request's first query
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended_pid


def test_a_connection_in_a_transaction_or_with_news_is_asked(monkeypatch):
    wrapper = connections["default"]
    wrapper.ensure_connection()
    asked = []
    monkeypatch.setattr(type(wrapper), "is_usable", lambda self: asked.append(1) or True)
    with wrapper.connection.transaction():  # not idle: the check asks the server
        _start_of_request(wrapper)
    assert asked == [1]
    wrapper.connection.execute("LISTEN tracker_test_news")
    with psycopg.connect(**wrapper.get_connection_params(), autocommit=True) as other:
        other.execute("NOTIFY tracker_test_news")  # a message waits on the socket, unread
    _wait_readable(wrapper)
    _start_of_request(wrapper)
    assert asked == [1, 1]
    wrapper.connection.execute("UNLISTEN *")
