"""PostGIS, with a reused connection's health check that costs no round trip while it is quiet.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a reused connection at the start of every
request: 0.05-0.09 ms of a 1.3-1.8 ms detail here (docs/benchmarks.md). A server that ends a
connection (a restart, ``pg_terminate_backend``, an idle timeout) sends its notice and closes the
socket, which makes the socket readable; an idle connection in good health has nothing to read.
So the check looks at the socket without waiting, and runs ``SELECT 1`` only when something has
arrived, libpq already knows the connection is bad, or it is not idle. A host gone without a word
is missed by both checks alike: ``SELECT 1`` would wait for TCP to give up, as the request's
first query does.
"""

import select

import psycopg
from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(PostGISDatabaseWrapper):
    def close_if_health_check_failed(self):
        checking = self.connection is not None and self.health_check_enabled and not self.health_check_done
        if checking and quiet(self.connection):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def quiet(connection) -> bool:
    """Whether ``connection`` is open and idle as libpq knows it, with nothing from the server
    waiting on its socket. False whenever in doubt: the caller then asks the server."""
    try:
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()  # not select(): a descriptor past 1024 is fine
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (psycopg.Error, OSError, ValueError):  # a closed connection has no socket: ask the server
        return False
