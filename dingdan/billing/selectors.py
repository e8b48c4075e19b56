"""Reads of the billing context: payments, refunds, invoices, an order's money, receivables,
credit, ageing, statements, the invoice PDF and the finance export."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from dingdan.core.money import ZERO, quantize
from dingdan.customers import selectors as customers
from dingdan.orders import selectors as orders

from . import domain
from .exceptions import InvoiceNotFound, PaymentNotFound, RefundNotFound, StatementNotFound
from .models import Invoice, OrderAccount, Payment, Refund, Statement, StatementLine

# Orders accepted or waiting for review owe their money; a held order is not accepted yet (and
# the review that releases it must not count it against its own credit).
RECEIVABLE_STATUSES = ("pending_review", "confirmed", "completed")
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Filters:
    order_id: int | None = None
    customer_id: int | None = None
    status: str | None = None
    method: str | None = None
    kind: str | None = None
    channel_id: int | None = None  # the caller's bound channel: documents of its orders only


def _filtered(rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.channel_id is not None:
        rows = rows.filter(order__channel_id=filters.channel_id)
    for name in ("order_id", "customer_id", "status", "method", "kind"):
        value = getattr(filters, name)
        if value is not None and (name != "method" or hasattr(rows.model, "method")):
            rows = rows.filter(**{name: value})
    return rows


def payment_list(*, filters: Filters) -> QuerySet[Payment]:
    return _filtered(Payment.objects.all(), Filters(**{**filters.__dict__, "kind": None}))


def payment_get(*, payment_id: int) -> Payment:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def refund_list(*, filters: Filters) -> QuerySet[Refund]:
    return _filtered(Refund.objects.all(), Filters(**{**filters.__dict__, "method": None}))


def refund_get(*, refund_id: int) -> Refund:
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None:
        raise RefundNotFound()
    return refund


def invoice_list(*, filters: Filters) -> QuerySet[Invoice]:
    return _filtered(
        Invoice.objects.select_related("credited_invoice"),
        Filters(**{**filters.__dict__, "method": None, "status": None}),
    )


def invoice_get(*, invoice_id: int) -> Invoice:
    invoice = (
        Invoice.objects.select_related("credited_invoice")
        .prefetch_related("lines")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


@dataclass(frozen=True)
class OrderMoney:
    order_id: int
    currency: str
    total: Decimal
    authorized: Decimal
    captured: Decimal
    refunded: Decimal
    refund_pending: Decimal
    paid: Decimal
    balance_due: Decimal
    refundable: Decimal
    payment_status: str


def order_money(*, order_id: int) -> OrderMoney:
    """The order's money as billing keeps it. Raises OrderNotFound."""
    order = orders.order_get(order_id=order_id)
    account = OrderAccount.objects.filter(order_id=order_id).first() or OrderAccount(currency=order.currency)
    paid = account.captured - account.refunded
    return OrderMoney(
        order_id=order.pk,
        currency=order.currency,
        total=order.total,
        authorized=account.authorized,
        captured=account.captured,
        refunded=account.refunded,
        refund_pending=account.refund_pending,
        paid=paid,
        balance_due=max(ZERO, order.total - paid),
        refundable=domain.refundable(
            captured=account.captured, refunded=account.refunded, refund_pending=account.refund_pending
        ),
        payment_status=order.payment_status,
    )


# Receivables and credit ------------------------------------------------------------------------


def _paid() -> Coalesce:
    paid = OrderAccount.objects.filter(order_id=OuterRef("pk")).annotate(paid=F("captured") - F("refunded"))
    return Coalesce(Subquery(paid.values("paid")[:1]), Value(ZERO), output_field=MONEY)


def open_orders(*, customer_id: int | None = None) -> QuerySet[Any]:
    """Submitted, not closed-unpaid orders with money still owed, annotated `open_amount`."""
    rows = orders.order_list(filters=orders.OrderFilters(customer_id=customer_id))
    return (
        rows.filter(status__in=RECEIVABLE_STATUSES)
        .annotate(paid=_paid())
        .annotate(open_amount=F("total") - F("paid"))
        .filter(open_amount__gt=0)
    )


def open_receivables(customer_id: int) -> Decimal:
    """The customer's open exposure: what its open orders still owe (the review's credit
    check asks this through the exposure provider registry of orders)."""
    total = open_orders(customer_id=customer_id).aggregate(total=Sum("open_amount"))["total"]
    return quantize(Decimal(total or 0))


@dataclass(frozen=True)
class Credit:
    customer_id: int
    credit_limit: Decimal
    credit_hold: bool
    open_receivables: Decimal
    available: Decimal


def customer_credit(*, customer_id: int) -> Credit:
    customer = customers.customer_get(customer_id=customer_id)
    exposure = open_receivables(customer_id)
    return Credit(
        customer_id=customer.pk,
        credit_limit=customer.credit_limit,
        credit_hold=customer.credit_hold,
        open_receivables=exposure,
        available=customer.credit_limit - exposure,
    )


def _due_date(order: Any) -> dt.date:
    start = order.confirmed_at or order.submitted_at or order.created_at
    business_day = timezone.localdate(start, timezone.get_default_timezone())
    return business_day + dt.timedelta(days=order.channel.payment_terms_days)


def _ageing_row(order: Any) -> dict[str, Any]:
    return {
        "customer_id": order.customer_id,
        "customer_name": order.customer_name,
        "currency": order.currency,
        "total": ZERO,
        **dict.fromkeys(domain.AGEING_BUCKETS, ZERO),
    }


def receivables_ageing(*, today: dt.date, customer_id: int | None = None) -> list[dict[str, Any]]:
    """Open amounts per customer and currency in the ageing buckets (days past due: current,
    1–30, 31–60, 61–90, over 90), the due date being the order's business date plus its
    channel's payment terms."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    due = (
        open_orders(customer_id=customer_id)
        .select_related("channel")
        .annotate(customer_name=F("customer__name"))
    )
    for order in due:
        row = rows.setdefault((order.customer_id, order.currency), _ageing_row(order))
        bucket = domain.ageing_bucket(due=_due_date(order), today=today)
        row[bucket] += quantize(order.open_amount, order.currency)
        row["total"] += quantize(order.open_amount, order.currency)
    return sorted(rows.values(), key=lambda r: (-r["total"], r["customer_id"]))


# Reconciliation --------------------------------------------------------------------------------


def statement_get(*, statement_id: int) -> Statement:
    statement = Statement.objects.filter(pk=statement_id).first()
    if statement is None:
        raise StatementNotFound()
    return statement


def statement_lines(*, statement_id: int) -> QuerySet[StatementLine]:
    return (
        StatementLine.objects.filter(statement_id=statement_id)
        .select_related("payment")
        .order_by("row_number")
    )


def statement_report(*, statement_id: int) -> dict[str, Any]:
    """Counts by status, the match rate over incoming lines, and the captured payments of the
    statement's period that no statement line matched (unmatched on our side)."""
    statement = statement_get(statement_id=statement_id)
    lines = list(statement_lines(statement_id=statement_id))
    incoming = [line for line in lines if line.amount > 0]
    counts = {
        status: sum(line.status == status for line in lines)
        for status in ("matched", "suggested", "unmatched")
    }
    matched = sum(line.status == "matched" for line in incoming)
    unmatched_payments: list[Payment] = []
    if lines:
        start, end = min(x.value_date for x in lines), max(x.value_date for x in lines)
        taken = StatementLine.objects.filter(status="matched", payment__isnull=False).values("payment_id")
        unmatched_payments = list(
            Payment.objects.filter(status="captured", received_at__date__range=(start, end))
            .exclude(pk__in=taken)
            .order_by("received_at", "pk")
        )
    return {
        "statement": statement,
        "lines": lines,
        "counts": counts,
        "incoming_lines": len(incoming),
        "match_rate": Decimal(matched) / len(incoming) if incoming else Decimal(0),
        "unmatched_payments": unmatched_payments,
    }


# Invoice PDF ------------------------------------------------------------------------------------


def invoice_html(*, invoice_id: int) -> str:
    invoice = invoice_get(invoice_id=invoice_id)
    order = orders.order_get(order_id=invoice.order_id)
    return render_to_string(
        "billing/invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.order_by("position")),
            "order": order,
            "buyer": invoice.buyer,
        },
    )


def invoice_pdf(*, invoice_id: int) -> bytes:
    """The invoice as PDF (WeasyPrint; Noto CJK renders the Chinese)."""
    from weasyprint import HTML  # heavy: imported when a PDF is asked for

    return bytes(HTML(string=invoice_html(invoice_id=invoice_id)).write_pdf())
