"""Fulfilment reads other contexts build on: the orders shipped under a tracking number (the
back office's search box)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.fulfillment import selectors


def test_the_orders_shipped_under_a_tracking_number_are_one_read_of_exact_matches(
    shop, django_assert_num_queries
):
    first, second, unshipped = shop.order((shop.tee, 1)), shop.order((shop.tee, 1)), shop.order((shop.tee, 1))
    shop.ship(first, tracking="SF1234567890123")
    shop.ship(second, tracking="SF1234567890999")

    with django_assert_num_queries(1):
        found = selectors.order_ids_with_tracking_number(tracking_number="SF1234567890123")
    assert found == [first.pk]
    assert selectors.order_ids_with_tracking_number(tracking_number="SF1234567890999") == [second.pk]
    assert selectors.order_ids_with_tracking_number(tracking_number="SF123456789") == []  # no prefix
    assert selectors.order_ids_with_tracking_number(tracking_number="SF1234567890123", limit=0) == []
    assert unshipped.pk not in found


def test_the_tracking_number_read_uses_the_index_alone(shop):
    shop.ship(shop.order((shop.tee, 1)), tracking="SF1234567890123")
    with CaptureQueriesContext(connection) as captured:
        selectors.order_ids_with_tracking_number(tracking_number="SF1234567890123")
    [query] = captured.captured_queries

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a handful of rows: a table scan would be cheaper
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {query['sql']}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)

    assert "shipment_tracking_number" in plan
    assert ("Index Only Scan" in plan) if connection.vendor == "postgresql" else ("COVERING INDEX" in plan)
