"""Pure decisions of reporting: days, runs, periods, the orders an event touches, adding up."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from dingdan.reporting.domain import (
    SkuFigures,
    day_runs,
    days_between,
    figures_added,
    order_ids_of_event,
    period_of,
    top_by_units,
)

D = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_days_between_includes_both_ends_and_is_empty_when_reversed():
    assert days_between(day(0), day(2)) == [day(0), day(1), day(2)]
    assert days_between(day(3), day(3)) == [day(3)]
    assert days_between(day(3), day(2)) == []


def test_day_runs_join_consecutive_days_and_cap_their_length():
    assert day_runs([day(5), day(0), day(1), day(2), day(5), day(7)]) == [
        (day(0), day(2)),
        (day(5), day(5)),
        (day(7), day(7)),
    ]
    assert day_runs(days_between(day(0), day(6)), longest=3) == [
        (day(0), day(2)),
        (day(3), day(5)),
        (day(6), day(6)),
    ]
    assert day_runs([]) == []


def test_a_business_day_is_midnight_to_midnight_in_the_company_zone():
    start, end = period_of(day(0), day(1), ZoneInfo("Asia/Shanghai"))
    assert start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 2, 16, 0, tzinfo=dt.UTC)


def test_an_event_touches_its_order_or_the_order_its_payload_names():
    assert order_ids_of_event("order", "42", {"number": "SO1"}) == [42]
    assert order_ids_of_event("exception_case", "7", {"order_id": 42}) == [42]
    assert order_ids_of_event("shipment", "9", {"order_id": "43"}) == [43]
    assert order_ids_of_event("customer", "5", {"name": "张伟"}) == []
    assert order_ids_of_event("webhook", "x", {"order_id": True}) == []
    assert order_ids_of_event("order", "not-a-number", {}) == []


def test_figures_add_up_per_sku_and_the_top_is_most_units_then_code():
    model = [SkuFigures("B", 3, Decimal("30.00"), 2), SkuFigures("A", 1, Decimal("9.90"), 1)]
    live = [SkuFigures("A", 2, Decimal("19.80"), 2), SkuFigures("C", 5, Decimal("5.00"), 1)]
    added = figures_added(model, live)
    assert added == {
        "A": SkuFigures("A", 3, Decimal("29.70"), 3),
        "B": SkuFigures("B", 3, Decimal("30.00"), 2),
        "C": SkuFigures("C", 5, Decimal("5.00"), 1),
    }
    assert [row.sku_code for row in top_by_units(added.values(), limit=3)] == ["C", "A", "B"]
    assert [row.sku_code for row in top_by_units(added.values(), limit=1)] == ["C"]
