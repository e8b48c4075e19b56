"""The only writes of reporting: marking business days dirty when an order event arrives, and
rebuilding days of the read model from the orders (one INSERT … SELECT … GROUP BY per run of
days, in the transaction that marks them clean).

Why it stays exact: a change to an order commits together with its outbox event. Until that
event is dispatched the order's day counts as *in flight* (selectors read it live); the
dispatch marks the day dirty in the transaction that marks the event dispatched; a rebuild
locks the day's state row first, so a mark that arrives during the rebuild waits for it and
leaves the day dirty again. Days are locked in ascending order (no deadlock between a rebuild
and a dispatch that touches several days).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet, Sum
from django.utils import timezone

from dingdan.core.models import OutboxEvent
from dingdan.orders import selectors as orders

from . import domain
from .models import DayState, SkuDay, SkuDayTotal
from .selectors import sales_by_day

CHUNK_DAYS = 31  # days rebuilt in one statement and one transaction
Progress = Callable[[str], None]


def business_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def days_mark_dirty(*, days: Iterable[dt.date]) -> list[dt.date]:
    """Mark the days dirty (idempotent: a dirty day stays dirty); returns the days that were
    clean or unknown before, i.e. those that need a refresh scheduled.

    The mark is always a write, even on a day already dirty: a rebuild of the day may hold its
    row and be about to mark it clean from a snapshot older than the change being marked; the
    write waits for that rebuild and leaves the day dirty after it. (A conditional write on
    `is_dirty=False` would skip a row that reads dirty without waiting: the change would be
    lost.) The reporting dispatcher runs after the others, so the row is held only until the
    dispatch commits."""
    now, newly = timezone.now(), []
    for day in sorted(set(days)):
        was_clean = DayState.objects.filter(day=day, is_dirty=False).exists()
        if DayState.objects.filter(day=day).update(is_dirty=True, marked_at=now):
            # Read dirty but cleaned by a rebuild before the write: not scheduled here, the
            # periodic refresh picks it up within a minute.
            if was_clean:
                newly.append(day)
            continue
        try:
            with transaction.atomic():
                DayState.objects.create(day=day, is_dirty=True, marked_at=now)
            newly.append(day)
        except IntegrityError:  # created by a concurrent dispatch or rebuild
            DayState.objects.filter(day=day).update(is_dirty=True, marked_at=now)
    return newly


def event_consume(event: OutboxEvent) -> None:
    """Outbox dispatcher: an event about an order marks that order's business day dirty and
    schedules a refresh of it a little later (REPORTING_REFRESH_DELAY_SECONDS, default 30):
    the many events of a busy day make one refresh, not one each, and the day reads exactly
    (live) meanwhile. Idempotent per event (marking twice changes nothing)."""
    order_ids = domain.order_ids_of_event(event.aggregate_type, event.aggregate_id, event.data)
    if not order_ids:
        return
    created = orders.order_created_times(order_ids=order_ids)
    if days_mark_dirty(days={business_day(moment) for moment in created.values()}):
        from django.conf import settings

        from .tasks import reporting_days_refresh

        delay = settings.DINGDAN.get("REPORTING_REFRESH_DELAY_SECONDS", 30)
        reporting_days_refresh.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue()


def _insert_grouped(
    model: type[Model], grouped: QuerySet[Any], aliases: list[str], columns: list[str]
) -> int:
    """INSERT … SELECT the grouped rows into the model's table, each alias of the SELECT into
    the column at the same place (the ORM compiles the SELECT and chooses its column order;
    the aliases name them). Returns the rows written."""
    quote = connection.ops.quote_name
    sql, params = grouped.query.sql_with_params()
    table = quote(model._meta.db_table)
    targets = ", ".join(quote(name) for name in columns)
    sources = ", ".join(quote(name) for name in aliases)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({targets}) SELECT {sources} FROM ({sql}) grouped", params)  # noqa: S608
        return int(cursor.rowcount)


def _insert_figures(first: dt.date, last: dt.date) -> int:
    """INSERT … SELECT the figures of days first..last from the orders, then their all-channel
    totals from those rows; returns the SkuDay rows written."""
    figures = sales_by_day([domain.period_of(first, last, timezone.get_default_timezone())])
    aliases = ["day", "order__channel_id", "sku_code", "units", "revenue", "orders"]
    written = _insert_grouped(SkuDay, figures, aliases, [name.removeprefix("order__") for name in aliases])
    totals = (
        SkuDay.objects.filter(day__range=(first, last))
        .values("day", "sku_code")
        .annotate(total_units=Sum("units"), total_revenue=Sum("revenue"), total_orders=Sum("orders"))
        .order_by()
    )
    aliases = ["day", "sku_code", "total_units", "total_revenue", "total_orders"]
    _insert_grouped(SkuDayTotal, totals, aliases, [name.removeprefix("total_") for name in aliases])
    return written


@transaction.atomic
def _days_rebuild_run(first: dt.date, last: dt.date) -> int:
    """Replace the rows of days first..last and mark them clean, under the days' state locks."""
    days = domain.days_between(first, last)
    DayState.objects.bulk_create([DayState(day=day) for day in days], ignore_conflicts=True)
    list(DayState.objects.select_for_update().filter(day__range=(first, last)).order_by("day"))
    SkuDayTotal.objects.filter(day__range=(first, last)).delete()
    SkuDay.objects.filter(day__range=(first, last)).delete()
    written = _insert_figures(first, last)
    DayState.objects.filter(day__range=(first, last)).update(is_dirty=False, refreshed_at=timezone.now())
    return written


def days_rebuild(*, since: dt.date, until: dt.date, progress: Progress | None = None) -> int:
    """Rebuild the read model for the days since..until (both included) from the orders, in
    runs of CHUNK_DAYS days, one transaction each; returns the rows written."""
    written = 0
    for first, last in domain.day_runs(domain.days_between(since, until), longest=CHUNK_DAYS):
        written += _days_rebuild_run(first, last)
        if progress:
            progress(f"{first}..{last}: {written:,} rows")
    return written


def days_rebuild_all(*, progress: Progress | None = None) -> int:
    """Rebuild every business day from the first order's to today."""
    first = orders.first_order_created_at()
    if first is None:
        return 0
    written = days_rebuild(since=business_day(first), until=business_day(timezone.now()), progress=progress)
    if connection.vendor == "postgresql":  # fresh statistics for the planner after a bulk rewrite
        with connection.cursor() as cursor:
            tables = (SkuDay._meta.db_table, SkuDayTotal._meta.db_table, DayState._meta.db_table)
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(name) for name in tables))
    return written


def dirty_days_refresh(*, limit: int = 400) -> int:
    """Rebuild the dirty days (at most `limit`, newest first: today is read most); returns
    how many days were refreshed. Safe to run any number of times at once."""
    days = list(DayState.objects.filter(is_dirty=True).order_by("-day").values_list("day", flat=True)[:limit])
    for first, last in reversed(domain.day_runs(days, longest=CHUNK_DAYS)):
        _days_rebuild_run(first, last)
    return len(days)
