"""Line-level helpers shared by the shortage options and the amendments: reserve and release
one line, reprice the order, and keep revisions (snapshots of an order as it stood)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.inventory import services as inventory

from .. import events
from ..models import Order, OrderChangeRequest, OrderLine, OrderRevision
from .common import emit
from .review import DEMAND, price_order, reserve

# Repricing (services/pricing.py) also changes line discounts (promotions), the shipping fee
# (rules) and the explanations.
PRICED_LINE_FIELDS = ["unit_price", "list_price", "tax_rate", "discount", "subtotal", "tax_amount"]
TOTAL_FIELDS = [
    "prices_include_tax",
    "subtotal",
    "discount_total",
    "shipping_fee",
    "tax_total",
    "total",
    "applied_promotions",
    "lines_digest",
]
SNAPSHOT_LINE_FIELDS = [
    "line_number",
    "sku_code",
    "name",
    "quantity",
    "unit_price",
    "discount",
    "tax_rate",
    "subtotal",
    "tax_amount",
    "backorder_quantity",
    "quantity_shipped",
]
SNAPSHOT_ORDER_FIELDS = [
    "status",
    "type",
    "priority",
    "currency",
    "subtotal",
    "discount_total",
    "shipping_fee",
    "tax_total",
    "total",
    "shipping_address",
]


def line_release(line: OrderLine) -> int:
    """Release the line's open reservations; returns the units released."""
    return inventory.reservations_release(demand_type=DEMAND, demand_ids=[str(line.pk)])


def line_reserve(order: Order, line: OrderLine) -> bool:
    """Reserve the line's whole quantity in one warehouse; True when covered (else its
    quantity is recorded as backorder)."""
    reserve(order, [line])
    return line.backorder_quantity == 0


def reprice(order: Order, lines: Sequence[OrderLine]) -> None:
    """Price the lines as placement does (the same helper) and set the order's totals, in
    memory; the caller saves."""
    skus = catalog.skus_by_codes(codes=sorted({line.sku_code for line in lines}))
    price_order(order, lines, skus)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def order_snapshot(order: Order, lines: Sequence[OrderLine]) -> dict[str, Any]:
    return {
        **{name: _plain(getattr(order, name)) for name in SNAPSHOT_ORDER_FIELDS},
        "lines": [{name: _plain(getattr(line, name)) for name in SNAPSHOT_LINE_FIELDS} for line in lines],
    }


def revision_record(
    order: Order,
    *,
    before: dict[str, Any],
    lines: Sequence[OrderLine],
    actor: Actor,
    change_request: OrderChangeRequest | None = None,
) -> None:
    """Keep the order's previous revision (`before`, unless kept already) and its new one;
    the order's `revision` goes up by one (the caller saves it) and `order.amended` is
    emitted."""
    if not OrderRevision.objects.filter(order=order, revision=order.revision).exists():
        OrderRevision.objects.create(order=order, revision=order.revision, snapshot=before)
    previous_total = before["total"]
    order.revision += 1
    OrderRevision.objects.create(
        order=order,
        revision=order.revision,
        snapshot=order_snapshot(order, lines),
        change_request=change_request,
        created_by=str(actor),
    )
    emit(events.OrderAmended, order, revision=order.revision, previous_total=previous_total)
