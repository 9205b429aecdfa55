"""Reads from a PostgreSQL read replica, when one is configured (``DATABASE_REPLICA_URL``).

``ReplicaReadsMiddleware`` marks GET and HEAD requests (the API's reads and the pages); while a
request is so marked, ``ReplicaRouter`` sends its reads to the ``replica`` alias. Everything else
goes to the primary (``default``): writes, reads of other requests (POST, tasks, commands), any
read inside a transaction (a service reads what it is about to change, under lock), and the
records whose freshness matters more than load (sessions, tokens, idempotency keys, task results).
See docs/deploy.md.
"""

import contextlib
import contextvars

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Read from the primary always: written by reads too, or needed at once after a write elsewhere.
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_celery_results", "api"})
PRIMARY_ONLY_MODELS = frozenset({"core.apitoken", "core.user"})

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def _reads_from_replica(allowed: bool):
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads():
    """Reads in this block may go to the replica (outside transactions)."""
    return _reads_from_replica(True)


def primary_reads():
    """Reads in this block go to the primary (a reader who just wrote reads what they wrote)."""
    return _reads_from_replica(False)


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    """Primary for writes and transactions; the replica for the reads of safe requests."""

    def db_for_read(self, model, **hints):
        meta = model._meta
        if not _replica_reads.get() or meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a transaction reads what it will write, from where it writes
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's schema by replication
