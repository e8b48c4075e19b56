"""Billing invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired.

- paid = captured − refunded per order: each account's counters equal the sums of its
  payments and refunds, and the order's payment status is the one derived from them.
- invoice numbers are gapless per series.
"""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from dingdan.core.money import ZERO
from dingdan.core.verify import Finding, register
from dingdan.orders import selectors as orders

from . import domain
from .models import Invoice, InvoiceSeries, OrderAccount, Payment, Refund

PAID = "billing_paid_equals_captured_minus_refunded"
GAPLESS = "billing_invoice_numbers_gapless"
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(rows: QuerySet[Any], field: str) -> Coalesce:
    per_order = (
        rows.filter(order_id=OuterRef("order_id"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(per_order), Value(ZERO), output_field=MONEY)


@register(PAID)
def paid_equals_captured_minus_refunded() -> list[Finding]:
    accounts = OrderAccount.objects.annotate(
        payments_captured=_sum(Payment.objects.filter(status="captured"), "captured_amount"),
        payments_authorized=_sum(Payment.objects.filter(status="authorized"), "amount"),
        refunds_done=_sum(Refund.objects.filter(status="succeeded"), "amount"),
        refunds_waiting=_sum(Refund.objects.filter(status="pending_approval"), "amount"),
    ).order_by("order_id")
    findings = []
    statuses = dict(
        orders.order_list(filters=orders.OrderFilters())
        .filter(pk__in=accounts.values("order_id"))
        .values_list("pk", "payment_status")
    )
    totals = dict(
        orders.order_list(filters=orders.OrderFilters())
        .filter(pk__in=accounts.values("order_id"))
        .values_list("pk", "total")
    )
    for account in accounts.iterator(2000):
        subject = f"order {account.order_id}"
        pairs = [
            ("captured", account.captured, account.payments_captured),
            ("authorized", account.authorized, account.payments_authorized),
            ("refunded", account.refunded, account.refunds_done),
            ("refund_pending", account.refund_pending, account.refunds_waiting),
        ]
        for name, kept, source in pairs:
            if kept != source:
                findings.append(
                    Finding(PAID, subject, f"{name} {kept:.2f} but the ledger sums to {source:.2f}")
                )
        expected = domain.order_payment_status(
            total=totals.get(account.order_id, Decimal(0)),
            authorized=account.payments_authorized,
            captured=account.payments_captured,
            refunded=account.refunds_done,
        )
        if statuses.get(account.order_id) != expected:
            findings.append(
                Finding(PAID, subject, f"payment status {statuses.get(account.order_id)}, derived {expected}")
            )
    return findings


@register(GAPLESS)
def invoice_numbers_gapless() -> list[Finding]:
    findings = []
    for series in InvoiceSeries.objects.order_by("code"):
        sequences = Invoice.objects.filter(series=series).values_list("sequence", flat=True)
        for number in domain.gaps(sequences, series.next_number)[:20]:
            findings.append(
                Finding(GAPLESS, f"series {series.code}", f"number {number} missing or beyond the counter")
            )
    return findings
