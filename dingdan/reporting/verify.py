"""`dingdan verify`: the read model of reporting equals its source on every clean day;
reported, never repaired (`dingdan reporting_rebuild` repairs).

The check runs in the snapshot verify gives it (one REPEATABLE READ transaction on
PostgreSQL), so an order committing meanwhile cannot look like drift. Dirty days and days of
undispatched events are not claimed to be exact and are left out.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from dingdan.core.verify import Finding, register

from . import domain, services
from .models import DayState, SkuDay, SkuDayTotal
from .selectors import days_in_flight, sales_by_day

SKU_DAYS = "reporting_sku_days_equal_orders"
TOTALS = "reporting_sku_day_totals_equal_channels"
CENT = Decimal("0.01")

Key = tuple[object, int, str]
Figures = tuple[int, Decimal, int]


def _shown(figures: Figures | None) -> str:
    return "none" if figures is None else "units {} revenue {} orders {}".format(*figures)


def _source(days: list[dt.date]) -> dict[Key, Figures]:
    zone = timezone.get_default_timezone()
    periods = [domain.period_of(first, last, zone) for first, last in domain.day_runs(days)]
    grouped = sales_by_day(periods).values_list(
        "day", "order__channel_id", "sku_code", "units", "revenue", "orders"
    )
    return {
        (day, ch, sku): (int(u), Decimal(r).quantize(CENT), int(n))
        for day, ch, sku, u, r, n in grouped.iterator()
    }


def _modeled(days: list[dt.date]) -> dict[Key, Figures]:
    wanted = set(days)
    rows = SkuDay.objects.filter(day__range=(days[0], days[-1])).values_list(
        "day", "channel_id", "sku_code", "units", "revenue", "orders"
    )
    return {(day, ch, sku): (units, revenue, n) for day, ch, sku, units, revenue, n in rows if day in wanted}


def _drift(days: list[dt.date]) -> list[Finding]:
    source, modeled = _source(days), _modeled(days)
    return [
        Finding(
            SKU_DAYS,
            f"{day} channel {channel} {sku}",
            f"read model {_shown(held)} ≠ orders {_shown(expected)}",
        )
        for day, channel, sku in sorted(set(source) | set(modeled), key=str)
        if (expected := source.get((day, channel, sku))) != (held := modeled.get((day, channel, sku)))
    ]


@register(SKU_DAYS)
def sku_days_equal_orders() -> list[Finding]:
    """Compared a month at a time (memory stays small at millions of lines)."""
    in_flight = days_in_flight()
    clean = [
        day
        for day in DayState.objects.filter(is_dirty=False).order_by("day").values_list("day", flat=True)
        if day not in in_flight
    ]
    findings: list[Finding] = []
    for first, last in domain.day_runs(clean, longest=services.CHUNK_DAYS):
        findings += _drift([day for day in clean if first <= day <= last])
    return findings


@register(TOTALS)
def sku_day_totals_equal_channels() -> list[Finding]:
    """Every day's all-channel totals equal its per-channel rows summed (both are rebuilt in
    one transaction, so this holds on dirty days too)."""
    summed = (
        SkuDay.objects.values("day", "sku_code")
        .annotate(u=Sum("units"), r=Sum("revenue"), n=Sum("orders"))
        .order_by()
        .values_list("day", "sku_code", "u", "r", "n")
    )
    expected = {
        (day, sku): (int(u), Decimal(r).quantize(CENT), int(n)) for day, sku, u, r, n in summed.iterator()
    }
    rows = SkuDayTotal.objects.values_list("day", "sku_code", "units", "revenue", "orders")
    held = {(day, sku): (units, revenue, n) for day, sku, units, revenue, n in rows.iterator()}
    differing = [
        key for key in sorted(set(expected) | set(held), key=str) if expected.get(key) != held.get(key)
    ]
    return [
        Finding(
            TOTALS,
            f"{day} {sku}",
            f"totals {_shown(held.get((day, sku)))} ≠ channels {_shown(expected.get((day, sku)))}",
        )
        for day, sku in differing
    ]
