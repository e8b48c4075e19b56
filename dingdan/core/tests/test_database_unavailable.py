"""A database that cannot be reached is 503 with Retry-After wherever the request meets it:
in a view (DatabaseBusyMiddleware, the API's handler) and before any view, in a middleware
such as the bearer-token lookup (the 500 handler). Anything else there stays a 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def _client() -> Client:
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer some-token")


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection failed: Connection refused"),
        InterfaceError("connection already closed"),
    ],
)
def test_the_database_failing_in_a_middleware_is_503_with_retry_after(error: Exception) -> None:
    with mock.patch("dingdan.accounts.middleware.principal_for_token", side_effect=error):
        response = _client().get("/api/v1/orders")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "service_busy"


def test_another_error_in_a_middleware_is_still_a_500() -> None:
    with mock.patch("dingdan.accounts.middleware.principal_for_token", side_effect=RuntimeError("secret")):
        response = _client().get("/api/v1/orders")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert b"secret" not in response.content


def test_a_lost_connection_in_a_view_is_503_with_retry_after() -> None:
    with mock.patch("dingdan.core.views.connection") as connection:
        connection.cursor.side_effect = InterfaceError("connection already closed")
        response = Client(raise_request_exception=False).get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
