"""Lists over HTTP: the limit is capped at 200, a foreign cursor is a 400 problem (S4)."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.channels.models import Channel

pytestmark = pytest.mark.django_db


def _channels(count: int) -> None:
    Channel.objects.bulk_create(
        Channel(code=f"c{n:03d}", name=f"Channel {n}", kind="web", number_prefix="SO") for n in range(count)
    )


def test_a_limit_of_a_billion_returns_two_hundred_items_and_a_cursor(admin_api):
    _channels(205)

    first = admin_api.get("/channels", limit=10**9)
    rest = admin_api.get("/channels", limit=10**9, cursor=first.json()["next"])

    assert first.status_code == 200
    assert len(first.json()["items"]) == 200
    assert len(rest.json()["items"]) == 5
    assert rest.json()["next"] is None


def test_a_page_costs_the_same_queries_whatever_its_size(admin_api):
    _channels(200)
    admin_api.get("/channels", limit=1)  # the token's first use of the minute records itself

    with CaptureQueriesContext(connection) as small:
        admin_api.get("/channels", limit=1)
    with CaptureQueriesContext(connection) as large:
        admin_api.get("/channels", limit=200)

    # The token (with the master-data version its user's roles are kept at), the page.
    assert len(large.captured_queries) == len(small.captured_queries) == 2


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "0" * 500,
        base64.urlsafe_b64encode(b"[1e400]").decode(),
        base64.urlsafe_b64encode(b'["x"]').decode(),
    ],
    ids=["garbage", "zeros", "infinity", "text-for-an-id"],
)
def test_a_cursor_the_server_did_not_issue_is_400_invalid_cursor(admin_api, cursor):
    _channels(1)

    response = admin_api.get("/channels", cursor=cursor)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "-1", "ten", "1.5"])
def test_a_limit_that_is_not_a_positive_integer_is_422(admin_api, limit):
    response = admin_api.get("/channels", limit=limit)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["limit"]
