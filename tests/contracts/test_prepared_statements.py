"""PostgreSQL runs the order path's statements prepared: parameters are bound on the server
and a statement a connection has run five times is parsed and planned once (half of
PostgreSQL's CPU per order, docs/performance.md). Requests that only read are planned for
their parameters (a list by status on a generic plan was several times slower).
PG_PREPARED_STATEMENTS=off turns it off for a pooler that cannot carry prepared statements."""

import environ
import pytest
from django.db import connection, transaction

from config.settings import base
from dingdan.core.models import OutboxEvent
from dingdan.core.plans import CUSTOM, DEFAULT, plan_mode, plan_mode_for

URL = "postgres://u@127.0.0.1:5432/d"


def test_a_postgresql_database_binds_on_the_server_and_prepares_repeated_statements(monkeypatch):
    monkeypatch.delenv("PG_PREPARED_STATEMENTS", raising=False)
    options = base.postgresql_prepared(environ.Env.db_url_config(URL))["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_the_switch_turns_prepared_statements_off_and_sqlite_is_left_alone(monkeypatch):
    monkeypatch.setenv("PG_PREPARED_STATEMENTS", "off")
    database = base.postgresql_prepared(environ.Env.db_url_config(URL))
    assert "server_side_binding" not in database.get("OPTIONS", {})
    assert "prepare_threshold" not in database.get("OPTIONS", {})
    monkeypatch.delenv("PG_PREPARED_STATEMENTS")
    path = base.VAR_DIR / "x.sqlite3"
    assert base.postgresql_prepared(base.sqlite_database(path)) == base.sqlite_database(path)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_test_connection_prepares_a_statement_it_repeats():
    marker = "prepared-statement-probe"
    for n in range(7):
        list(OutboxEvent.objects.filter(type=marker, aggregate_id=str(n)).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("core_outboxevent" in statement and "$1" in statement for statement in prepared), prepared


def plan_cache_mode():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_reads_are_planned_for_their_parameters_and_writes_may_use_generic_plans():
    assert [plan_mode_for(m) for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")] == [
        CUSTOM,
        CUSTOM,
        DEFAULT,
        DEFAULT,
        DEFAULT,
        DEFAULT,
    ]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_mode_is_set_on_the_blocks_first_statement_for_the_session_or_the_transaction():
    assert plan_cache_mode() == DEFAULT
    with plan_mode(CUSTOM):
        assert plan_cache_mode() == CUSTOM
    assert plan_cache_mode() == CUSTOM  # a session setting: kept until a write needs another
    with plan_mode(DEFAULT):
        assert plan_cache_mode() == DEFAULT
    with transaction.atomic(), plan_mode(CUSTOM):  # first statement in a transaction: LOCAL
        assert plan_cache_mode() == CUSTOM
    assert plan_cache_mode() == DEFAULT
    with plan_mode(CUSTOM):  # the session is still on the default: set again
        assert plan_cache_mode() == CUSTOM


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_block_whose_first_query_streams_through_a_server_side_cursor_gets_the_mode_too():
    OutboxEvent.objects.bulk_create(
        [OutboxEvent(type="stream", aggregate_type="order", aggregate_id=str(n), data={}) for n in range(3)]
    )
    with plan_mode(CUSTOM):
        streamed = list(
            OutboxEvent.objects.filter(type="stream").values_list("aggregate_id", flat=True).iterator()
        )
        assert plan_cache_mode() == CUSTOM
    assert sorted(streamed) == ["0", "1", "2"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_middleware_picks_the_mode_by_the_requests_method(client, monkeypatch):
    seen = []

    def spy(mode):
        seen.append(mode)
        return plan_mode(mode)

    monkeypatch.setattr("dingdan.core.middleware.plan_mode", spy)
    client.get("/healthz")
    client.post("/api/v1/orders", data={}, content_type="application/json")
    assert seen == [CUSTOM, DEFAULT]
