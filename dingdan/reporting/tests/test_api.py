"""GET /api/v1/reports/top-skus: the selector's answer as JSON, reports:read, a channel-bound
token sees its channel only, bad periods are localised 422s."""

import datetime as dt

import pytest

from dingdan.reporting import services

from .world import deliver_outbox, place, today

pytestmark = pytest.mark.django_db

URL = "/reports/top-skus"


@pytest.fixture
def sales(shop):
    place(shop, [("TEE-BLK-M", 2), ("MUG-01", 1)], days_ago=1)
    place(shop, [("MUG-01", 3)], days_ago=1, channel=shop.review_channel)
    deliver_outbox()
    services.days_rebuild(since=today() - dt.timedelta(days=1), until=today())
    place(shop, [("TEE-BLK-M", 1)])  # today: read live (never dispatched)
    return shop


def test_manager_reads_the_top_skus_of_a_period(api_as, sales, django_assert_num_queries):
    api = api_as("manager")
    since, until = (today() - dt.timedelta(days=1)).isoformat(), today().isoformat()
    # the token with the master-data version its user's roles are kept at, its use (2);
    # undispatched events, their orders, day states, read model, today's lines (5)
    with django_assert_num_queries(7):
        response = api.get(URL, since=since, until=until, limit=2)
    assert response.status_code == 200
    assert response.json() == {
        "since": since,
        "until": until,
        "items": [
            {"sku_code": "MUG-01", "units": 4, "revenue": "142.00", "orders": 2},
            {"sku_code": "TEE-BLK-M", "units": 3, "revenue": "297.00", "orders": 2},
        ],
    }


def test_a_channel_of_the_query_or_of_the_token_narrows_the_report(api_as, sales):
    day = (today() - dt.timedelta(days=1)).isoformat()
    by_query = api_as("manager").get(URL, since=day, until=day, channel_id=sales.review_channel.pk)
    bound = api_as("manager", channel=sales.channel).get(
        URL, since=day, until=day, channel_id=sales.review_channel.pk
    )
    assert by_query.json()["items"] == [{"sku_code": "MUG-01", "units": 3, "revenue": "106.50", "orders": 1}]
    assert bound.json()["items"] == [
        {"sku_code": "TEE-BLK-M", "units": 2, "revenue": "198.00", "orders": 1},
        {"sku_code": "MUG-01", "units": 1, "revenue": "35.50", "orders": 1},
    ]


def test_without_a_token_or_the_scope_the_report_is_refused(anonymous_api, api_as):
    day = today().isoformat()
    anonymous = anonymous_api.get(URL, since=day, until=day)
    clerk = api_as("order_clerk").get(URL, since=day, until=day)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "authentication_required")
    assert (clerk.status_code, clerk.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"since": "2026-11-31", "until": "2026-12-01"}, "validation_error"),
        ({"since": "yesterday", "until": "2026-12-01"}, "validation_error"),
        ({"until": "2026-12-01"}, "validation_error"),
        ({"since": "2026-12-01", "until": "2026-12-01", "limit": 0}, "validation_error"),
        ({"since": "2026-12-01", "until": "2026-12-01", "limit": 101}, "validation_error"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "invalid_period"),
        ({"since": "2020-01-01", "until": "2026-12-01"}, "invalid_period"),
        ({"since": "9999-12-31", "until": "9999-12-31"}, "invalid_period"),
        ({"since": "0001-01-01", "until": "0001-01-01"}, "invalid_period"),
    ],
)
def test_bad_periods_are_refused_with_422(api_as, params, code):
    response = api_as("manager").get(URL, **params)
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_the_refusal_speaks_the_callers_language(api_as):
    response = api_as("manager", language="en").get(URL, since="2026-12-02", until="2026-12-01")
    assert response.json()["detail"] == (
        "The period must end on or after its first day and span at most 732 days."
    )


def test_days_beyond_what_a_period_can_hold_are_refused(api_as):
    response = api_as("manager").get(URL, since="9999-12-31", until="9999-12-31")
    assert response.json()["detail"] == "Reports cover the days from 1900-01-01 to 9999-12-30."
