"""Project-wide fixtures: API clients with tokens per role, factories live beside each app."""

import pytest

pytest_plugins = ["dingdan.testing.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (row locks, many connections)")
