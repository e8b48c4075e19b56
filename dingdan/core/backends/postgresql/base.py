"""Django's PostgreSQL backend with a health check that needs no round trip while the server
has sent nothing (settings: ENGINE `dingdan.core.backends.postgresql`)."""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Whether a persistent connection can serve the next request (CONN_HEALTH_CHECKS).
        Django asks the server with `SELECT 1`: a round trip on every request. A server that
        ends a connection (a restart, a terminated backend, an idle timeout) sends its
        termination message or closes the socket, so an idle connection with nothing to read
        is still open; only when something arrived, or the connection is not idle, is the
        server asked as Django asks it. A server that vanished without a word (the network
        cut) answers neither way until TCP gives up."""
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status == pq.ConnStatus.OK and pgconn.transaction_status == pq.TransactionStatus.IDLE:
            try:
                poller = select.poll()  # poll, not select: any file descriptor number
                poller.register(pgconn.socket, select.POLLIN)
                arrived = bool(poller.poll(0))
            except (OSError, ValueError, psycopg.Error):
                arrived = True
            if not arrived:
                return True
        return bool(super().is_usable())
