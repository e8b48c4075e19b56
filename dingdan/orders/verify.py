"""Order invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired.

- order_totals: an order's subtotal is the sum of its lines', and its total is lines +
  shipping − discounts, plus tax where prices exclude it.
- order_line_reservations: an unshipped line of an order that holds stock has open
  reservations for exactly what is not backordered; an order that holds no stock (draft,
  rejected, cancelled) has no open reservation.
"""

from collections import defaultdict
from decimal import Decimal

from dingdan.core.verify import Finding, register
from dingdan.inventory import selectors as inventory

from . import domain
from .models import Order, OrderLine

TOTALS = "order_totals"
RESERVATIONS = "order_line_reservations"
CLOSED_WITHOUT_STOCK = [domain.Status.DRAFT, domain.Status.REJECTED, domain.Status.CANCELLED]


@register(TOTALS)
def order_totals() -> list[Finding]:
    lines: dict[int, Decimal] = defaultdict(Decimal)
    for order_id, subtotal in OrderLine.objects.exclude(order__status="draft").values_list(
        "order_id", "subtotal"
    ):
        lines[order_id] += subtotal
    findings = []
    rows = Order.objects.exclude(status="draft").values_list(
        "pk",
        "number",
        "subtotal",
        "shipping_fee",
        "discount_total",
        "tax_total",
        "total",
        "prices_include_tax",
    )
    for pk, number, subtotal, shipping, discount, tax, total, inclusive in rows.order_by("pk"):
        expected = subtotal + shipping - discount + (Decimal("0") if inclusive else tax)
        if lines[pk] != subtotal:
            findings.append(Finding(TOTALS, number, f"subtotal {subtotal} ≠ lines {lines[pk]}"))
        if expected != total:
            findings.append(Finding(TOTALS, number, f"total {total} ≠ {expected}"))
    return findings


@register(RESERVATIONS)
def order_line_reservations() -> list[Finding]:
    rows = list(
        OrderLine.objects.select_related("order").values_list(
            "pk",
            "order__number",
            "line_number",
            "order__status",
            "quantity",
            "backorder_quantity",
            "quantity_shipped",
        )
    )
    views = inventory.reservations_for(demand_type="order_line", demand_ids=[str(row[0]) for row in rows])
    reserved: dict[int, int] = defaultdict(int)
    for view in views:
        if view.status == "open":
            reserved[int(view.demand_id)] += view.quantity
    findings = []
    for pk, number, line_number, status, quantity, backorder, shipped in rows:
        subject = f"{number}#{line_number}"
        if status in CLOSED_WITHOUT_STOCK and reserved[pk]:
            findings.append(Finding(RESERVATIONS, subject, f"{status} order holds {reserved[pk]} reserved"))
        elif status in domain.RESERVING and not shipped and reserved[pk] != quantity - backorder:
            expected = quantity - backorder
            findings.append(
                Finding(RESERVATIONS, subject, f"reserved {reserved[pk]} ≠ {expected} not backordered")
            )
    return findings
