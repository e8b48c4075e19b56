"""A rebuild and the dispatch of an order event on the same day race on PostgreSQL (real
connections): the dispatch waits for the rebuild's lock on the day and leaves the day dirty,
so the rebuild's rows, which predate the change, are never read as exact."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from dingdan.core.actors import SYSTEM
from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_dispatch
from dingdan.orders.services import order_cancel
from dingdan.orders.tests.conftest import make_shop
from dingdan.reporting import selectors, services
from dingdan.reporting.models import DayState, SkuDay
from dingdan.reporting.verify import sku_days_equal_orders

from .world import deliver_outbox, direct_top, place, today

pytestmark = pytest.mark.postgres_only


def _in_thread(target: Any, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "dirty_before", [False, True], ids=["rebuild of a clean day", "refresh of a dirty day"]
)
def test_a_dispatch_during_a_rebuild_waits_and_leaves_the_day_dirty(
    transactional_db, monkeypatch, dirty_before
):
    shop = make_shop()
    order = place(shop, [("TEE-BLK-M", 2)], days_ago=1)
    day = today() - dt.timedelta(days=1)
    deliver_outbox()
    services.days_rebuild(since=day, until=day)
    if dirty_before:  # another order of the day: the worker's refresh is due
        place(shop, [("MUG-01", 1)], days_ago=1)
        deliver_outbox()
        assert DayState.objects.get(day=day).is_dirty is True
    inserted, go, errors = threading.Event(), threading.Event(), []
    real_insert = services._insert_figures

    def insert_then_wait(first: dt.date, last: dt.date) -> int:
        written = real_insert(first, last)  # the rebuild's snapshot: the order still counts
        inserted.set()
        assert go.wait(20)
        return written

    monkeypatch.setattr(services, "_insert_figures", insert_then_wait)
    work = (
        services.dirty_days_refresh if dirty_before else lambda: services.days_rebuild(since=day, until=day)
    )
    rebuild = _in_thread(work, errors)
    assert inserted.wait(20)
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="race")  # commits with its event
    event = OutboxEvent.objects.get(type="order.cancelled")
    dispatch = _in_thread(lambda: outbox_dispatch(event_pk=event.pk), errors)
    dispatch.join(1.0)
    assert dispatch.is_alive()  # waiting for the rebuild's lock on the day
    assert selectors.top_skus(since=day, until=day) == direct_top(day, day)  # in flight: live
    go.set()
    rebuild.join(20)
    dispatch.join(20)

    assert errors == []
    assert ("TEE-BLK-M", 2) in SkuDay.objects.filter(day=day).values_list("sku_code", "units")  # stale
    assert DayState.objects.get(day=day).is_dirty is True  # so not trusted
    assert selectors.top_skus(since=day, until=day) == direct_top(day, day)
    assert services.dirty_days_refresh() == 1
    assert ("TEE-BLK-M", 2) not in SkuDay.objects.filter(day=day).values_list("sku_code", "units")
    assert selectors.top_skus(since=day, until=day) == direct_top(day, day)
    assert sku_days_equal_orders() == []
