"""Marking days dirty from order events, refreshing and rebuilding them, the rebuild command,
the refresh task and the `dingdan verify` check."""

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from dingdan.core.actors import SYSTEM
from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_dispatch, outbox_emit
from dingdan.core.verify import verify_all
from dingdan.orders.events import ExceptionResolved
from dingdan.orders.models import OrderLine
from dingdan.orders.services import order_cancel
from dingdan.reporting import services, tasks
from dingdan.reporting.models import DayState, SkuDay, SkuDayTotal
from dingdan.reporting.verify import SKU_DAYS, TOTALS, sku_day_totals_equal_channels, sku_days_equal_orders

from .world import deliver_outbox, place, today

pytestmark = pytest.mark.django_db

REFRESH = "dingdan.reporting.tasks.reporting_days_refresh"


def rows(day):
    return sorted(
        SkuDay.objects.filter(day=day).values_list("channel__code", "sku_code", "units", "revenue", "orders")
    )


def test_rebuilding_days_writes_their_figures_per_channel_and_sku_and_marks_them_clean(shop):
    place(shop, [("TEE-BLK-M", 2), ("MUG-01", 1)], days_ago=1)
    place(shop, [("TEE-BLK-M", 1)], days_ago=1, channel=shop.review_channel)
    place(shop, [("TEE-BLK-M", 1)], days_ago=1, submit=False)  # a draft: not counted
    cancelled = place(shop, [("MUG-01", 1)], days_ago=1)
    order_cancel(actor=SYSTEM, order_id=cancelled.pk, reason="test")
    yesterday = today() - dt.timedelta(days=1)

    assert services.days_rebuild(since=yesterday - dt.timedelta(days=1), until=today()) == 3

    assert rows(yesterday) == [
        ("b2b", "TEE-BLK-M", 1, Decimal("99.00"), 1),
        ("web", "MUG-01", 1, Decimal("35.50"), 1),
        ("web", "TEE-BLK-M", 2, Decimal("198.00"), 1),
    ]
    states = dict(DayState.objects.values_list("day", "is_dirty"))
    assert states == {yesterday - dt.timedelta(days=1): False, yesterday: False, today(): False}
    assert sorted(SkuDayTotal.objects.values_list("day", "sku_code", "units", "revenue", "orders")) == [
        (yesterday, "MUG-01", 1, Decimal("35.50"), 1),
        (yesterday, "TEE-BLK-M", 3, Decimal("297.00"), 2),
    ]
    assert services.days_rebuild(since=yesterday, until=yesterday) == 3  # replaced, not added
    assert (SkuDay.objects.count(), SkuDayTotal.objects.count()) == (3, 2)


def test_an_order_event_marks_its_day_dirty_and_schedules_one_refresh(shop):
    order = place(shop, [("TEE-BLK-M", 2)], days_ago=2)
    day = today() - dt.timedelta(days=2)
    services.days_rebuild(since=day, until=day)
    DBTaskResult.objects.filter(task_path=REFRESH).delete()

    deliver_outbox()  # order.placed and order.confirmed: one refresh scheduled, not two
    assert DayState.objects.get(day=day).is_dirty is True
    scheduled = DBTaskResult.objects.get(task_path=REFRESH)
    assert 29 <= (scheduled.run_after - scheduled.enqueued_at).total_seconds() <= 31  # coalesces

    tasks.reporting_days_refresh.call()
    assert DayState.objects.get(day=day).is_dirty is False
    assert rows(day) == [("web", "TEE-BLK-M", 2, Decimal("198.00"), 1)]

    order_cancel(actor=SYSTEM, order_id=order.pk, reason="test")
    deliver_outbox()
    tasks.reporting_days_refresh.call()
    assert rows(day) == []
    assert DBTaskResult.objects.filter(task_path=REFRESH).count() == 2


def test_an_exception_case_event_marks_the_day_of_the_order_it_names(shop):
    order = place(shop, [("TEE-BLK-M", 1)], days_ago=3)
    deliver_outbox()
    services.dirty_days_refresh()
    event = ExceptionResolved(
        aggregate_id="1",
        order_id=order.pk,
        order_number=order.number,
        line_number=1,
        kind="shortage",
        status="resolved",
        owner_role="reviewer",
    )
    assert outbox_dispatch(event_pk=outbox_emit(event).pk) is True
    assert list(DayState.objects.filter(is_dirty=True).values_list("day", flat=True)) == [
        today() - dt.timedelta(days=3)
    ]


def test_events_about_no_order_mark_nothing(shop):
    row = OutboxEvent.objects.create(
        type="customer.updated", aggregate_type="customer", aggregate_id="5", data={}
    )
    assert outbox_dispatch(event_pk=row.pk) is True
    assert not DayState.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=REFRESH).exists()


def test_rebuild_command_rebuilds_from_the_first_order_or_the_days_asked(shop):
    place(shop, [("MUG-01", 2)], days_ago=3)
    out = StringIO()
    call_command("reporting_rebuild", stdout=out)
    assert out.getvalue() == "reporting: 1 rows rebuilt\n"
    assert DayState.objects.count() == 4
    out = StringIO()
    day = (today() - dt.timedelta(days=1)).isoformat()
    call_command("reporting_rebuild", "--since", day, "--until", day, stdout=out)
    assert out.getvalue() == "reporting: 0 rows rebuilt\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "not a date (YYYY-MM-DD): 2026-02-30"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "--until is before --since"),
        (["--until", "2026-03-01"], "--until needs --since"),
    ],
)
def test_rebuild_command_refuses_bad_days_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("reporting_rebuild", *args)
    assert not DayState.objects.exists()


def test_verify_reports_drift_on_clean_days_only(shop):
    order = place(shop, [("TEE-BLK-M", 2)], days_ago=1)
    deliver_outbox()
    services.days_rebuild(since=today() - dt.timedelta(days=1), until=today())
    assert verify_all()[SKU_DAYS] == []

    SkuDay.objects.update(units=5)  # the read model drifted
    findings = sku_days_equal_orders()
    yesterday = today() - dt.timedelta(days=1)
    assert [(f.subject, f.problem) for f in findings] == [
        (
            f"{yesterday} channel {shop.channel.pk} TEE-BLK-M",
            "read model units 5 revenue 198.00 orders 1 ≠ orders units 2 revenue 198.00 orders 1",
        )
    ]
    OrderLine.objects.filter(order=order).update(quantity=3)  # a write that bypassed the events
    SkuDay.objects.update(units=2)
    assert [f.problem for f in sku_days_equal_orders()] == [
        "read model units 2 revenue 198.00 orders 1 ≠ orders units 3 revenue 198.00 orders 1"
    ]
    DayState.objects.update(is_dirty=True)  # a dirty day claims nothing
    assert sku_days_equal_orders() == []


def test_verify_reports_totals_that_differ_from_the_channels_summed(shop):
    place(shop, [("TEE-BLK-M", 2)], days_ago=1)
    place(shop, [("TEE-BLK-M", 1)], days_ago=1, channel=shop.review_channel)
    services.days_rebuild(since=today() - dt.timedelta(days=1), until=today() - dt.timedelta(days=1))
    assert verify_all()[TOTALS] == []

    SkuDayTotal.objects.update(orders=9)
    yesterday = today() - dt.timedelta(days=1)
    assert [(f.subject, f.problem) for f in sku_day_totals_equal_channels()] == [
        (
            f"{yesterday} TEE-BLK-M",
            "totals units 3 revenue 297.00 orders 9 ≠ channels units 3 revenue 297.00 orders 2",
        )
    ]
