"""Project-wide fixtures: API clients with tokens per role, factories live beside each app.

Tests that only make sense on one database carry `postgres_only` or `sqlite_only`; the run for
the other database deselects them (they are not skipped: each runs in the pass it belongs to).
"""

import os

import pytest

pytest_plugins = ["dingdan.testing.fixtures", "dingdan.testing.differential"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (row locks, many connections)")
    config.addinivalue_line("markers", "sqlite_only: about the embedded SQLite mode")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = os.environ.get("DINGDAN_TEST_DB") == "postgres"
    other = "sqlite_only" if on_postgres else "postgres_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    deselected = [item for item in items if item.get_closest_marker(other) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
