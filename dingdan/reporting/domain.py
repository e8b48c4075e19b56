"""Pure decisions of the reports: business days and their periods, which orders an event
touches, how figures from the read model and from the source add up. No ORM, clock or settings."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class SkuFigures:
    sku_code: str
    units: int
    revenue: Decimal
    orders: int


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from `first` to `last`, both included (none when last < first)."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def day_runs(days: Iterable[dt.date], *, longest: int | None = None) -> list[tuple[dt.date, dt.date]]:
    """Runs of consecutive days as (first, last), in order; `longest` caps a run's length."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs:
            first, last = runs[-1]
            fits = longest is None or (day - first).days < longest
            if day == last + ONE_DAY and fits:
                runs[-1] = (first, day)
                continue
        runs.append((day, day))
    return runs


def period_of(first: dt.date, last: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The business days first..last as the aware period [start, end) in the company's zone."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(last + ONE_DAY, dt.time.min, tzinfo=zone)


def order_ids_of_event(aggregate_type: str, aggregate_id: str, data: Mapping[str, Any]) -> list[int]:
    """The orders an event is about: the aggregate of an order event, or the `order_id` its
    payload names (exception cases, shipments, payments). Other events touch no order."""
    if aggregate_type == "order" and aggregate_id.isdigit():
        return [int(aggregate_id)]
    order_id = data.get("order_id") if isinstance(data, Mapping) else None
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        return [order_id]
    if isinstance(order_id, str) and order_id.isdigit():
        return [int(order_id)]
    return []


def figures_added(*parts: Iterable[SkuFigures]) -> dict[str, SkuFigures]:
    """Figures per SKU summed over `parts` (disjoint sets of days)."""
    totals: dict[str, SkuFigures] = {}
    for part in parts:
        for row in part:
            seen = totals.get(row.sku_code)
            totals[row.sku_code] = (
                row
                if seen is None
                else SkuFigures(
                    row.sku_code, seen.units + row.units, seen.revenue + row.revenue, seen.orders + row.orders
                )
            )
    return totals


def top_by_units(figures: Iterable[SkuFigures], *, limit: int) -> list[SkuFigures]:
    """Most units first, then by SKU code (the order the reports promise); at most `limit`."""
    return sorted(figures, key=lambda row: (-row.units, row.sku_code))[:limit]
