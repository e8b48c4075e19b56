"""top_skus equals the report computed straight from the order lines, whatever state the read
model is in: after random placements, cancellations, rejections and amendments, with the
outbox partly delivered or not at all, with and without the refresh task having run."""

import datetime as dt
import random
from collections import Counter

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import ApplicationError
from dingdan.orders.models import Order
from dingdan.orders.services import (
    change_request_commit,
    change_request_stage,
    order_cancel,
    order_reject,
    order_submit,
)
from dingdan.reporting import selectors, services
from dingdan.reporting.exceptions import InvalidPeriod
from dingdan.reporting.models import DayState, SkuDay, SkuDayTotal
from dingdan.reporting.verify import sku_days_equal_orders

from .world import deliver_outbox, direct_top, place, restock, today

pytestmark = pytest.mark.django_db

SKUS = ("TEE-BLK-M", "MUG-01", "RARE-01")
DAYS = 4  # orders fall on today and the three days before


def _windows(shop):
    first, last = today() - dt.timedelta(days=DAYS - 1), today()
    yield {"since": first, "until": last}
    yield {"since": first, "until": last, "limit": 2}
    yield {"since": last - dt.timedelta(days=1), "until": last - dt.timedelta(days=1)}
    yield {"since": first, "until": last, "channel_id": shop.review_channel.pk}


def _assert_exact(shop):
    for window in _windows(shop):
        assert selectors.top_skus(**window) == direct_top(**window), window


def _step(rng, shop, orders):
    """One random change (or a delivery, refresh or rebuild); returns what was done."""
    draw = rng.random()
    try:
        if draw < 0.35 or not orders:
            lines = [(code, rng.randint(1, 3)) for code in rng.sample(SKUS, rng.randint(1, 2))]
            channel = rng.choice((shop.channel, shop.review_channel))
            submit = rng.random() > 0.1
            orders.append(place(shop, lines, days_ago=rng.randrange(DAYS), channel=channel, submit=submit).pk)
            return "placed" if submit else "draft"
        if draw < 0.4:
            order_cancel(actor=SYSTEM, order_id=rng.choice(orders), reason="test")
            return "cancelled"
        if draw < 0.43:
            order_reject(actor=SYSTEM, order_id=rng.choice(orders), reason="test")
            return "rejected"
        if draw < 0.46:
            order_submit(actor=SYSTEM, order_id=rng.choice(orders))
            return "submitted"
        if draw < 0.6:
            operation = {"op": "set_quantity", "line_number": 1, "quantity": rng.randint(1, 4)}
            change = change_request_stage(actor=SYSTEM, order_id=rng.choice(orders), operations=[operation])
            change_request_commit(actor=SYSTEM, change_request_id=change.pk)
            return "amended"
        if draw < 0.8:
            deliver_outbox(every=rng.choice((1, 1, 2)), offset=rng.randint(0, 1))
            return "outbox partly delivered"
        if draw < 0.95:
            services.dirty_days_refresh()
            return "refreshed"
        services.days_rebuild(since=today() - dt.timedelta(days=rng.randrange(DAYS)), until=today())
        return "rebuilt"
    except ApplicationError:
        return "refused"  # not allowed in its status, short of stock: nothing changed


@pytest.mark.parametrize("seed", [2, 3, 5])
def test_top_skus_equal_the_direct_query_through_random_changes(shop, seed, record_property):
    rng = random.Random(seed)
    restock(shop)
    orders: list[int] = []
    if seed == 3:
        services.days_rebuild(since=today() - dt.timedelta(days=DAYS - 1), until=today())
    done, live_reads = Counter(), 0
    for _ in range(30):
        done[_step(rng, shop, orders)] += 1
        live_reads += len(
            selectors.days_read_live(since=today() - dt.timedelta(days=DAYS - 1), until=today())
        )
        _assert_exact(shop)
    figures = (
        f"reporting (seed {seed}): 30 steps {dict(done)}; 120 reads equal the direct query; "
        f"{live_reads} of 120 days read live, the others from the read model"
    )
    print(figures)
    record_property("figures", figures)
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses & {"confirmed", "pending_review", "on_hold"}  # the mix is not trivial
    assert statuses & {"cancelled", "rejected"}

    deliver_outbox()
    _assert_exact(shop)
    services.dirty_days_refresh()
    _assert_exact(shop)
    assert not DayState.objects.filter(is_dirty=True).exists()
    assert selectors.days_read_live(since=today() - dt.timedelta(days=DAYS - 1), until=today()) == []
    assert sku_days_equal_orders() == []


def test_a_clean_day_is_read_from_the_read_model_alone(shop, django_assert_num_queries):
    place(shop, [("TEE-BLK-M", 2), ("MUG-01", 1)], days_ago=1)
    deliver_outbox()
    services.dirty_days_refresh()
    yesterday = today() - dt.timedelta(days=1)
    SkuDayTotal.objects.filter(day=yesterday, sku_code="MUG-01").update(units=7)  # only the model says 7
    SkuDay.objects.filter(day=yesterday, sku_code="MUG-01").update(units=6)  # per channel: 6
    with django_assert_num_queries(3):  # undispatched events, day states, read model
        every_channel = selectors.top_skus(since=yesterday, until=yesterday)
    web = selectors.top_skus(since=yesterday, until=yesterday, channel_id=shop.channel.pk)
    assert [(row.sku_code, row.units, str(row.revenue), row.orders) for row in every_channel] == [
        ("MUG-01", 7, "35.50", 1),
        ("TEE-BLK-M", 2, "198.00", 1),
    ]
    assert [(row.sku_code, row.units) for row in web] == [("MUG-01", 6), ("TEE-BLK-M", 2)]


def test_an_undispatched_event_sends_its_day_to_the_source(shop, django_assert_num_queries):
    order = place(shop, [("TEE-BLK-M", 2)], days_ago=1)
    deliver_outbox()
    services.dirty_days_refresh()
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="test")  # its event is not dispatched
    yesterday = today() - dt.timedelta(days=1)
    assert DayState.objects.get(day=yesterday).is_dirty is False
    with django_assert_num_queries(4):  # undispatched events, their orders, day states, source
        assert selectors.top_skus(since=yesterday, until=today()) == []
    assert selectors.days_read_live(since=yesterday, until=yesterday) == [yesterday]
    deliver_outbox()
    assert DayState.objects.get(day=yesterday).is_dirty is True
    assert selectors.top_skus(since=yesterday, until=today()) == []


def test_days_never_built_are_read_from_the_source(shop):
    place(shop, [("MUG-01", 3)], days_ago=2)
    day = today() - dt.timedelta(days=2)
    assert not DayState.objects.exists()
    top = selectors.top_skus(since=day, until=day)
    assert [(row.sku_code, row.units, str(row.revenue), row.orders) for row in top] == [
        ("MUG-01", 3, "106.50", 1)
    ]


def test_a_reversed_period_is_refused_and_no_limit_has_no_top():
    day = dt.date(2026, 1, 10)
    with pytest.raises(InvalidPeriod):
        selectors.top_skus(since=day, until=day - dt.timedelta(days=1))
    assert selectors.top_skus(since=day, until=day, limit=0) == []
