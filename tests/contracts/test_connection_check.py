"""The PostgreSQL backend's check of a persistent connection before a request reuses it
(CONN_HEALTH_CHECKS): no round trip while the server has sent nothing, and a connection the
server has ended is found unusable, so the request gets a new one."""

import select
import time

import psycopg
import pytest
from django.db import connection, connections

from config.settings.base import postgresql_engine


def _onlooker() -> psycopg.Connection:
    """A second connection, to see ours from the server's side."""
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=s["NAME"], autocommit=True)


def test_the_engine_is_swapped_for_postgresql_only():
    assert postgresql_engine({"ENGINE": "django.db.backends.postgresql"})["ENGINE"] == (
        "dingdan.core.backends.postgresql"
    )
    sqlite = "django.db.backends.sqlite3"
    assert postgresql_engine({"ENGINE": sqlite})["ENGINE"] == sqlite


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_is_found_usable_without_asking_the_server():
    assert type(connections["default"]).__module__ == "dingdan.core.backends.postgresql.base"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")

    usable = connection.is_usable()

    with _onlooker() as onlooker:
        [last] = onlooker.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [connection.connection.info.backend_pid]
        ).fetchone()
    assert usable
    assert last == "SELECT 'the last statement'"  # Django's own check would have sent SELECT 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_found_unusable():
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with _onlooker() as onlooker:
        onlooker.execute("SELECT pg_terminate_backend(%s)", [pgconn.backend_pid])
    deadline = time.monotonic() + 10  # until the server's goodbye has reached the socket
    while not select.select([pgconn.socket], [], [], 0)[0] and time.monotonic() < deadline:
        time.sleep(0.01)

    try:
        assert not connection.is_usable()
    finally:
        connection.close()  # the next statement (the test's teardown) connects anew
