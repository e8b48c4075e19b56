"""Reads of reporting. Each answer equals the same figures computed from the orders at the
moment of the read: clean days come from the read model, every other day (dirty, never built,
or touched by an order event not dispatched yet) straight from the orders."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.models import OutboxEvent
from dingdan.orders import selectors as orders

from . import domain
from .domain import SkuFigures
from .exceptions import InvalidPeriod
from .models import DayState, SkuDay, SkuDayTotal

__all__ = ["MAX_DAYS", "SkuFigures", "days_in_flight", "days_read_live", "top_skus"]

CENT = Decimal("0.01")
MAX_DAYS = 732  # two years (one of them a leap year): what a report compares
# Days whose periods every database and the UTC conversion can represent (9999-12-31 has no
# next midnight; 0001-01-01 in Shanghai starts before year 1 in UTC).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9999, 12, 30)
DAY_RANGE = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def days_in_flight() -> set[dt.date]:
    """Business days of the orders whose events are not dispatched yet: their change has
    committed, the mark on their day has not (the dispatcher writes it)."""
    pending = OutboxEvent.objects.filter(dispatched_at__isnull=True).values_list(
        "aggregate_type", "aggregate_id", "data"
    )
    order_ids = {
        order_id
        for aggregate_type, aggregate_id, data in pending
        for order_id in domain.order_ids_of_event(aggregate_type, aggregate_id, data or {})
    }
    if not order_ids:
        return set()
    zone = timezone.get_default_timezone()
    created = orders.order_created_times(order_ids=sorted(order_ids))
    return {timezone.localdate(moment, zone) for moment in created.values()}


def days_read_live(*, since: dt.date, until: dt.date) -> list[dt.date]:
    """The days of since..until the read model cannot answer exactly now. The in-flight events
    are read BEFORE the day states: an event dispatched in between has marked its day dirty
    already, so no change can slip between the two reads."""
    in_flight = days_in_flight()
    clean = set(
        DayState.objects.filter(day__range=(since, until), is_dirty=False).values_list("day", flat=True)
    )
    return [day for day in domain.days_between(since, until) if day not in clean or day in in_flight]


def sales_by_day(periods: list[tuple[dt.datetime, dt.datetime]]) -> QuerySet[Any]:
    """The orders' sales within `periods` grouped by business day, channel and SKU, as the
    read model keeps them: values day, order__channel_id, sku_code, units, revenue, orders
    (the rebuild inserts exactly this; verify compares with it)."""
    zone = timezone.get_default_timezone()
    return (
        orders.sales_lines(periods=periods)
        .annotate(day=TruncDate("order__created_at", tzinfo=zone))
        .values("day", "order__channel_id", "sku_code")
        .annotate(units=Sum("quantity"), revenue=Sum("subtotal"), orders=Count("order_id", distinct=True))
        .order_by()
    )


def _figures(rows: Iterable[tuple[str, int, Decimal, int]]) -> list[SkuFigures]:
    return [
        SkuFigures(sku, int(units), Decimal(revenue).quantize(CENT), int(n))
        for sku, units, revenue, n in rows
    ]


def _modeled(since: dt.date, until: dt.date, live: list[dt.date], channel_id: int | None) -> list[SkuFigures]:
    rows: QuerySet[Any] = (
        SkuDayTotal.objects.all() if channel_id is None else SkuDay.objects.filter(channel_id=channel_id)
    )
    rows = rows.filter(day__range=(since, until)).exclude(day__in=live)
    grouped = rows.values("sku_code").annotate(u=Sum("units"), r=Sum("revenue"), n=Sum("orders")).order_by()
    return _figures(grouped.values_list("sku_code", "u", "r", "n"))


def _live(live: list[dt.date], channel_id: int | None) -> list[SkuFigures]:
    zone = timezone.get_default_timezone()
    periods = [domain.period_of(first, last, zone) for first, last in domain.day_runs(live)]
    lines = orders.sales_lines(periods=periods)
    if channel_id is not None:
        lines = lines.filter(order__channel_id=channel_id)
    grouped = (
        lines.values("sku_code")
        .annotate(u=Sum("quantity"), r=Sum("subtotal"), n=Count("order_id", distinct=True))
        .order_by()
    )
    return _figures(grouped.values_list("sku_code", "u", "r", "n"))


def top_skus(
    *, since: dt.date, until: dt.date, limit: int = 10, channel_id: int | None = None
) -> list[SkuFigures]:
    """The SKUs that sold the most units on the business days since..until (both included),
    most units first, ties by SKU code (code point order); units, revenue (sum of the lines'
    subtotals) and how many orders had the SKU. Cancelled, rejected and draft orders are left
    out (orders.domain.NOT_COUNTED). `channel_id`: one channel's orders only. A period
    that ends before it starts or spans more than MAX_DAYS days is refused (InvalidPeriod)."""
    if until < since or (until - since).days >= MAX_DAYS:
        raise InvalidPeriod(InvalidPeriod.default_message % {"days": MAX_DAYS})
    if since < FIRST_DAY or until > LAST_DAY:
        raise InvalidPeriod(_("Reports cover the days from %(first)s to %(last)s.") % DAY_RANGE)
    if limit < 1:
        return []
    live = days_read_live(since=since, until=until)
    modeled = [] if len(live) == (until - since).days + 1 else _modeled(since, until, live, channel_id)
    from_source = _live(live, channel_id) if live else []
    return domain.top_by_units(domain.figures_added(modeled, from_source).values(), limit=limit)
