"""Django's PostgreSQL backend, with a health check that needs no round trip.

With ``CONN_HEALTH_CHECKS`` on, Django sends ``SELECT 1`` on a kept connection
at the start of every request that uses the database, so that a connection
which died with the old server (a restart, a failover) is replaced before a
page fails on it (tests/test_faults_outage.py). That is one more round trip
to PostgreSQL on every page: on the signed-in board, a third of its database
waits (issue 18).

A connection the server has closed or is closing is one with something to
read: PostgreSQL sends "terminating connection" and closes the socket, a
pooler closes it. An idle connection of ours otherwise receives nothing (no
LISTEN here). So the check first asks the socket, which costs no round trip:
nothing to read and libpq's status good means the connection is usable;
anything else gets Django's own ``SELECT 1`` check. A peer that vanished
without closing (a cable pulled) is missed by both alike: the SELECT 1 would
hang just as the page's own query does.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Usable if the socket says so, else if ``SELECT 1`` says so. Django asks
        this before a request reuses a kept connection (CONN_HEALTH_CHECKS) and
        after a request whose queries failed."""
        return self._idle_and_quiet() or super().is_usable()

    def _idle_and_quiet(self) -> bool:
        """Whether the connection is open, outside a transaction, with nothing
        from the server waiting to be read."""
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        try:
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        except (psycopg.Error, OSError, ValueError):  # no socket: let SELECT 1 decide
            return False
        return not poller.poll(0)
