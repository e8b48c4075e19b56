"""Order invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired.

- order_totals: an order's subtotal is the sum of its lines', and its total is lines +
  shipping − discounts, plus tax where prices exclude it.
- order_line_reservations: an unshipped line of an order that holds stock has open
  reservations for exactly what is not backordered; an order that holds no stock (draft,
  rejected, cancelled) has no open reservation.
- order_lines_digest: an order's stored lines digest (what the duplicate check finds it by)
  is the digest of its lines.

Each check is one statement. The first two sum in the database and return only the offending
rows; the digest (an MD5 that SQLite cannot aggregate in order) streams the lines of orders
with a digest, in order, and hashes them here. Each reports at most FINDINGS_AT_MOST rows, so
it runs in bounded memory over millions of lines.
"""

import itertools
import operator
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce

from dingdan.core.verify import Finding, register
from dingdan.inventory import selectors as inventory

from . import checks, domain
from .models import Order, OrderLine

TOTALS = "order_totals"
RESERVATIONS = "order_line_reservations"
DIGESTS = "order_lines_digest"
CLOSED_WITHOUT_STOCK = [domain.Status.DRAFT, domain.Status.REJECTED, domain.Status.CANCELLED]
# Rows a check reads at the most: enough to see what drifted, bounded however much did.
FINDINGS_AT_MOST = 10_000
MONEY = DecimalField(max_digits=16, decimal_places=2)
# Amounts carry two decimals, so drift is at least 0.01; on SQLite, which sums decimals as
# floating point, a smaller difference is rounding. The findings are then decided in Decimal.
ROUNDING = Decimal("0.005")
CENT = Decimal("0.01")


@register(TOTALS)
def order_totals() -> list[Finding]:
    lines = (
        OrderLine.objects.filter(order_id=OuterRef("pk"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum("subtotal"))
        .values("total")
    )
    tax = Case(When(prices_include_tax=True, then=Value(Decimal("0"))), default=F("tax_total"))
    rows = (
        Order.objects.exclude(status="draft")
        .annotate(lines_total=Subquery(lines, output_field=MONEY))
        .annotate(
            lines_drift=Abs(Coalesce("lines_total", Value(Decimal("0")), output_field=MONEY) - F("subtotal")),
            total_drift=Abs(F("subtotal") + F("shipping_fee") - F("discount_total") + tax - F("total")),
        )
        .filter(Q(lines_drift__gt=ROUNDING) | Q(total_drift__gt=ROUNDING))
        .order_by("pk")
        .values_list(
            "number",
            "subtotal",
            "shipping_fee",
            "discount_total",
            "tax_total",
            "total",
            "prices_include_tax",
            "lines_total",
        )[:FINDINGS_AT_MOST]
    )
    findings = []
    for number, subtotal, shipping, discount, tax_total, total, inclusive, lines_total in rows:
        # SQLite's sum comes back unrounded (233.5, 0.30000000000000004): back to the cent
        in_lines = Decimal() if lines_total is None else lines_total.quantize(CENT)
        expected = subtotal + shipping - discount + (Decimal("0") if inclusive else tax_total)
        if in_lines != subtotal:
            findings.append(Finding(TOTALS, number, f"subtotal {subtotal} ≠ lines {in_lines}"))
        if expected != total:
            findings.append(Finding(TOTALS, number, f"total {total} ≠ {expected}"))
    return findings


@register(RESERVATIONS)
def order_line_reservations() -> list[Finding]:
    reserved = inventory.open_reserved_of(
        demand_type="order_line", demand_id=Cast(OuterRef("pk"), output_field=CharField())
    )
    # The status conditions come first: the reservations are summed only for lines they admit.
    held_by_closed = Q(order__status__in=CLOSED_WITHOUT_STOCK) & Q(reserved__gt=0)
    unmatched = (
        Q(order__status__in=domain.RESERVING)
        & Q(quantity_shipped=0)
        & ~Q(reserved=F("quantity") - F("backorder_quantity"))
    )
    rows = (
        OrderLine.objects.annotate(reserved=reserved)
        .filter(held_by_closed | unmatched)
        .order_by("pk")
        .values_list(
            "order__number", "line_number", "order__status", "quantity", "backorder_quantity", "reserved"
        )[:FINDINGS_AT_MOST]
    )
    findings = []
    for number, line_number, status, quantity, backorder, reserved_quantity in rows:
        subject = f"{number}#{line_number}"
        if status in CLOSED_WITHOUT_STOCK:
            findings.append(
                Finding(RESERVATIONS, subject, f"{status} order holds {reserved_quantity} reserved")
            )
        else:
            expected = quantity - backorder
            findings.append(
                Finding(RESERVATIONS, subject, f"reserved {reserved_quantity} ≠ {expected} not backordered")
            )
    return findings


@register(DIGESTS)
def order_lines_digest() -> list[Finding]:
    rows = (
        OrderLine.objects.filter(order__lines_digest__gt="")
        .order_by("order_id")
        .values_list("order_id", "order__number", "order__lines_digest", "sku_code", "quantity")
        .iterator(chunk_size=5_000)
    )
    findings = []
    for _order_id, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        lines = list(group)
        _, number, stored, *_ = lines[0]
        digest = checks.lines_digest((sku_code, quantity) for *_, sku_code, quantity in lines)
        if digest != stored:
            findings.append(Finding(DIGESTS, number, f"lines digest {stored} ≠ {digest} of its lines"))
            if len(findings) >= FINDINGS_AT_MOST:
                break
    return findings
