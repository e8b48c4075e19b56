"""A small world of orders over a few business days for reporting tests: orders placed on past
days, the direct query the reports must equal, the outbox delivered by hand."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone

from dingdan.core.actors import SYSTEM
from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_dispatch
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.orders.models import Order, OrderLine
from dingdan.orders.services import LineRequest, OrderRequest, order_create
from dingdan.reporting.domain import SkuFigures

COUNTED_OUT = ("cancelled", "rejected", "draft")  # the rule, written out independently


def today() -> dt.date:
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def restock(shop: Any, units: int = 500) -> None:
    stock_receive(
        actor=SYSTEM,
        warehouse_id=shop.warehouse.pk,
        lines=[StockLine(sku.pk, units) for sku in (shop.tshirt, shop.mug)],
        reference="more",
    )


def place(
    shop: Any, lines: list[tuple[str, int]], *, days_ago: int = 0, channel: Any = None, submit: bool = True
) -> Order:
    """An order as the services place it, moved `days_ago` business days back (before any of
    its events is dispatched, as if it had been placed then)."""
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=code, quantity=quantity) for code, quantity in lines),
    )
    order = order_create(actor=SYSTEM, request=request, submit=submit)
    Order.objects.filter(pk=order.pk).update(created_at=F("created_at") - dt.timedelta(days=days_ago))
    return Order.objects.get(pk=order.pk)


def deliver_outbox(every: int = 1, offset: int = 0) -> int:
    """Dispatch the undispatched events (every `every`-th from `offset`), as the worker would."""
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    chosen = pending[offset::every]
    for pk in chosen:
        outbox_dispatch(event_pk=pk)
    return len(chosen)


def direct_top(
    since: dt.date, until: dt.date, *, limit: int = 10, channel_id: int | None = None
) -> list[SkuFigures]:
    """The report straight from the order lines (what bench/run_lists.py measured before)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    lines = OrderLine.objects.filter(order__created_at__gte=start, order__created_at__lt=end).exclude(
        order__status__in=COUNTED_OUT
    )
    if channel_id is not None:
        lines = lines.filter(order__channel_id=channel_id)
    grouped = lines.values("sku_code").annotate(
        units=Sum("quantity"), revenue=Sum("subtotal"), orders=Count("order_id", distinct=True)
    )
    figures = [
        SkuFigures(row["sku_code"], row["units"], Decimal(row["revenue"]), row["orders"]) for row in grouped
    ]
    return sorted(figures, key=lambda row: (-row.units, row.sku_code))[:limit]
