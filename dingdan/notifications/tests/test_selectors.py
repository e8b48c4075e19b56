"""The event feed of a token bound to a channel: the events that carry the channel, read from
the index outbox_channel_feed (tests/api/test_access_matrix.py reads it through the API, with
the events of real orders)."""

import pytest
from django.db import connection

from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_emit
from dingdan.notifications import selectors
from dingdan.orders.events import OrderConfirmed

pytestmark = pytest.mark.django_db


def confirmed(number: str, channel_id: int | None) -> OrderConfirmed:
    return OrderConfirmed(
        aggregate_id="7",
        channel_id=channel_id,
        number=number,
        status="confirmed",
        channel="web",
        customer_id=1,
        total="10.00",
        currency="CNY",
    )


def test_the_channel_is_the_rows_column_and_the_bound_feed_reads_only_its_own(notify_settings):
    rows = [outbox_emit(confirmed(f"SO{n}", channel_id)) for n, channel_id in enumerate([3, 4, None, 3])]

    assert [row.channel_id for row in rows] == [3, 4, None, 3]
    assert "channel_id" not in rows[0].data
    assert OutboxEvent.objects.get(pk=rows[0].pk).data == rows[2].data | {"number": "SO0"}

    def numbers(channel_id):
        feed = selectors.event_feed(channel_id=channel_id)
        return [row.data["number"] for row in feed.order_by("pk")]

    assert numbers(3) == ["SO0", "SO3"]
    assert numbers(4) == ["SO1"]
    assert numbers(5) == []
    assert numbers(None) == ["SO0", "SO1", "SO2", "SO3"]


def test_the_bound_feeds_page_is_read_from_the_channel_index(notify_settings):
    for n in range(40):  # the bound channel's events are few among the others'
        outbox_emit(confirmed(f"SO{n}", 3 if n % 10 == 0 else 4))
    page = selectors.event_feed(channel_id=3).order_by("pk")[:3]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # forty rows: a table scan would be cheaper
            cursor.execute("ANALYZE core_outboxevent")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)

    assert "outbox_channel_feed" in plan, plan
