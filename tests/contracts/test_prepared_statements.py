"""PostgreSQL runs the order path's statements prepared: parameters are bound on the server
and a statement a connection has run five times is parsed and planned once (half of
PostgreSQL's CPU per order, docs/performance.md). Only the order path runs on generic
plans; every other statement is planned for its parameters (a list by status would not be).
PG_PREPARED_STATEMENTS=off turns it off for a pooler that cannot carry prepared statements."""

import environ
import pytest
from django.db import connection, transaction

from config.settings import base
from dingdan.core.models import OutboxEvent
from dingdan.core.plans import CONNECTION_OPTION, generic_plans

URL = "postgres://u@127.0.0.1:5432/d"


def test_a_postgresql_database_binds_on_the_server_and_prepares_repeated_statements(monkeypatch):
    monkeypatch.delenv("PG_PREPARED_STATEMENTS", raising=False)
    options = base.postgresql_prepared(environ.Env.db_url_config(URL))["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    assert options["options"] == CONNECTION_OPTION


def test_startup_options_of_the_url_are_kept_beside_the_plan_mode(monkeypatch):
    monkeypatch.delenv("PG_PREPARED_STATEMENTS", raising=False)
    database = environ.Env.db_url_config(URL)
    database["OPTIONS"] = {"options": "-c statement_timeout=5000"}
    assert (
        base.postgresql_prepared(database)["OPTIONS"]["options"]
        == f"-c statement_timeout=5000 {CONNECTION_OPTION}"
    )


def test_the_switch_turns_prepared_statements_off_and_sqlite_is_left_alone(monkeypatch):
    monkeypatch.setenv("PG_PREPARED_STATEMENTS", "off")
    database = base.postgresql_prepared(environ.Env.db_url_config(URL))
    assert "server_side_binding" not in database.get("OPTIONS", {})
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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_statements_are_planned_for_their_parameters_except_inside_generic_plans():
    assert plan_cache_mode() == "force_custom_plan"
    with transaction.atomic():
        assert plan_cache_mode() == "force_custom_plan"
        with generic_plans():
            assert plan_cache_mode() == "auto"
        assert plan_cache_mode() == "auto"  # to the end of the transaction
    assert plan_cache_mode() == "force_custom_plan"


def test_generic_plans_need_a_transaction():
    with pytest.raises(RuntimeError), generic_plans():
        pass
