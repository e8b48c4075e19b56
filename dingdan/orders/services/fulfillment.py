"""Orders-side writes of fulfilment (ARCHITECTURE §4): shipped and delivered quantities on
lines, the fulfilment status derived from them, completion where the transition table
allows, and the allocation of backordered lines when stock arrives.

Fulfilment calls these inside its own transactions, after `order_for_fulfilment` has locked
the order row (an order is locked before its lines and stock rows)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import Conflict
from dingdan.inventory import services as inventory

from .. import domain, events
from ..exceptions import OrderNotFound
from ..lock_objects import order_for_update
from ..models import Order, OrderLine
from .common import audit, emit, order_state, save

DEMAND = "order_line"
S, FS = domain.Status, domain.FulfillmentStatus
STOCK_HOLD_REASON = "insufficient_stock"


class OrderNotShippable(Conflict):
    code = "order_not_shippable"
    default_message = _("Only confirmed orders can be picked, packed and shipped.")


class ShippedExceedsOrdered(Conflict):
    code = "shipped_exceeds_ordered"
    default_message = _("More units would ship than the line ordered.")


@dataclass(frozen=True)
class LineProgress:
    quantity: int
    shipped: int
    returned: int = 0


def fulfillment_status_of(lines: Sequence[LineProgress], *, delivered: bool) -> domain.FulfillmentStatus:
    """The order's fulfilment status from its lines (pure): returns first, then shipments;
    `delivered`: every shipment of the order has been delivered."""
    returned = sum(line.returned for line in lines)
    shipped = sum(line.shipped for line in lines)
    ordered = sum(line.quantity for line in lines)
    if returned:
        return FS.RETURNED if returned == shipped else FS.PARTIALLY_RETURNED
    if shipped == 0:
        return FS.UNFULFILLED
    if shipped < ordered:
        return FS.PARTIALLY_SHIPPED
    return FS.DELIVERED if delivered else FS.SHIPPED


def order_for_fulfilment(*, order_id: int) -> Order:
    """Lock a confirmed order for picking, packing or shipping. Raises OrderNotFound,
    OrderNotShippable. Runs in the caller's transaction."""
    order = order_for_update(order_id)
    if order.status != S.CONFIRMED:
        raise OrderNotShippable()
    return order


def _progress(order: Order) -> list[LineProgress]:
    rows = order.lines.values_list("quantity", "quantity_shipped", "quantity_returned")
    return [LineProgress(quantity, shipped, returned) for quantity, shipped, returned in rows]


@transaction.atomic
def order_lines_ship(
    *,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, int],
    shipment_number: str,
    carrier: str = "",
    tracking_number: str = "",
) -> Order:
    """Record units of lines (line id → units) as shipped. Each line is raised with a
    conditional UPDATE, so shipped never exceeds ordered even under races
    (ShippedExceedsOrdered, nothing changed); the fulfilment status follows."""
    order = order_for_fulfilment(order_id=order_id)
    before = order_state(order)
    for line_id, units in sorted(quantities.items()):
        if units < 1:
            raise ValueError("shipped units must be at least 1")
        changed = OrderLine.objects.filter(
            pk=line_id, order_id=order.pk, quantity_shipped__lte=F("quantity") - units
        ).update(quantity_shipped=F("quantity_shipped") + units)
        if not changed:
            raise ShippedExceedsOrdered()
    order.fulfillment_status = fulfillment_status_of(_progress(order), delivered=False)
    save(order, ["fulfillment_status"])
    audit(order, action="shipped", actor=actor, before=before, note=shipment_number)
    emit(
        events.OrderShipped,
        order,
        fulfillment_status=order.fulfillment_status,
        shipment_number=shipment_number,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    return order


def _may_complete(order: Order) -> bool:
    paid = order.payment_status in {domain.PaymentStatus.PAID, domain.PaymentStatus.PARTIALLY_REFUNDED}
    return domain.can(domain.Action.COMPLETE, S(order.status)) and (paid or not order.pay_first)


@transaction.atomic
def order_delivery_record(
    *, actor: Actor, order_id: int, shipment_number: str, all_shipments_delivered: bool
) -> Order:
    """A shipment of the order was delivered. When every unit has shipped and every shipment
    is delivered the order is `delivered`, and it completes where the transition table
    allows and payment does not hold it back (paid, or the channel ships before payment)."""
    order = order_for_update(order_id)
    before = order_state(order)
    status = fulfillment_status_of(_progress(order), delivered=all_shipments_delivered)
    if status != FS.DELIVERED:
        return order  # a partial delivery: the order stays (partially) shipped
    order.fulfillment_status = status
    fields = ["fulfillment_status"]
    completes = _may_complete(order)
    if completes:
        order.status, order.closed_at = S.COMPLETED, timezone.now()
        fields += ["status", "closed_at"]
    save(order, fields)
    audit(order, action="delivered", actor=actor, before=before, note=shipment_number)
    emit(
        events.OrderDelivered,
        order,
        fulfillment_status=order.fulfillment_status,
        shipment_number=shipment_number,
    )
    if completes:
        emit(events.OrderCompleted, order)
    return order


@dataclass(frozen=True)
class BackorderedLine:
    line_id: int
    order_id: int
    line_number: int
    sku_id: int
    backorder_quantity: int
    priority: str
    customer_grade: str
    promised_date: dt.date | None
    submitted_at: dt.datetime | None


def backordered_lines(*, sku_ids: Sequence[int]) -> list[BackorderedLine]:
    """Lines of orders that hold stock (waiting for review, on hold, confirmed) with a
    backorder of these SKUs, oldest first (a read for the allocation; one query)."""
    rows = (
        OrderLine.objects.filter(
            sku_id__in=list(sku_ids), backorder_quantity__gt=0, order__status__in=list(domain.RESERVING)
        )
        .order_by("order__submitted_at", "pk")
        .values_list(
            "pk",
            "order_id",
            "line_number",
            "sku_id",
            "backorder_quantity",
            "order__priority",
            "order__customer_grade",
            "order__promised_date",
            "order__submitted_at",
        )
    )
    return [BackorderedLine(*row) for row in rows]


def _lockable_orders(order_ids: Sequence[int]) -> dict[int, Order]:
    """Lock the orders in ascending pk order; an order another transaction holds is skipped
    (its own release reserves its backorders), which keeps arrival and release from
    deadlocking over stock rows and order rows taken in opposite orders."""
    rows = Order.objects.select_for_update(skip_locked=True).filter(pk__in=sorted(order_ids)).order_by("pk")
    return {order.pk: order for order in rows}


def _reserve_backorder(order: Order, line: BackorderedLine) -> bool:
    allocations = inventory.stock_reserve(
        demands=[inventory.Demand(str(line.line_id), line.sku_id, line.backorder_quantity)],
        demand_type=DEMAND,
        reference=order.number,
    )
    if not allocations or allocations[0].quantity == 0:
        return False
    changed = OrderLine.objects.filter(pk=line.line_id, backorder_quantity=line.backorder_quantity).update(
        backorder_quantity=0
    )
    if not changed:
        raise Conflict()
    return True


@transaction.atomic
def order_backorders_allocate(*, actor: Actor, lines: Sequence[BackorderedLine]) -> list[int]:
    """Reserve arrived stock for backordered lines in the order given (fulfilment ranks them:
    urgent, VIP, promised date, first come), each line whole or not at all; returns the ids of
    the lines allocated. An order on hold only for stock is released (its checks run again)."""
    from .transitions import order_release

    orders = _lockable_orders([line.order_id for line in lines])
    allocated: dict[int, list[int]] = {}
    for line in lines:
        order = orders.get(line.order_id)
        if order is not None and order.status in domain.RESERVING and _reserve_backorder(order, line):
            allocated.setdefault(order.pk, []).append(line.line_number)
    for order_id, numbers in sorted(allocated.items()):
        order = orders[order_id]
        audit(order, action="backorder_allocated", actor=actor, before=None, note=str(numbers))
        emit(events.OrderBackorderAllocated, order, line_numbers=sorted(numbers))
        still_short = order.lines.filter(backorder_quantity__gt=0).exists()
        stock_only = all(r.get("reason") == STOCK_HOLD_REASON for r in order.hold_reasons)
        if order.status == S.ON_HOLD and not still_short and stock_only:
            order_release(
                actor=actor, order_id=order_id, note=str(_("Stock arrived for the backordered lines."))
            )
    return [line.line_id for line in lines if line.line_number in allocated.get(line.order_id, [])]


def order_get_for_documents(*, order_id: int) -> Order:
    """The order with its lines and channel, for documents and pick lists (no lock)."""
    order = Order.objects.select_related("channel").filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def orders_for_fulfilment(*, order_ids: Sequence[int]) -> list[Order]:
    """Lock confirmed orders (ascending pk, one query) with their lines prefetched, for a
    wave. Raises OrderNotFound for an unknown id, OrderNotShippable for an order that is
    not confirmed."""
    wanted = sorted(set(order_ids))
    orders = list(Order.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    if len(orders) != len(wanted):
        raise OrderNotFound()
    if any(order.status != S.CONFIRMED for order in orders):
        raise OrderNotShippable()
    lines = OrderLine.objects.filter(order_id__in=wanted).order_by("order_id", "line_number")
    by_order: dict[int, list[OrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    for order in orders:
        order.fulfilment_lines = by_order.get(order.pk, [])  # type: ignore[attr-defined]
    return orders


@transaction.atomic
def order_line_backorder_cover(*, actor: Actor, order_id: int, line_id: int, covered: int) -> Order:
    """A shortage option reserved `covered` more units of a short line: its backorder falls
    by as much (never below 0: ValueError). Runs with the order row locked by the caller."""
    order = order_for_update(order_id)
    changed = OrderLine.objects.filter(pk=line_id, order_id=order.pk, backorder_quantity__gte=covered).update(
        backorder_quantity=F("backorder_quantity") - covered
    )
    if not changed:
        raise ValueError("the line's backorder is smaller than the units covered")
    audit(order, action="backorder_covered", actor=actor, before=None, note=f"line {line_id}: {covered}")
    return order
