"""Invoices and credit notes: issued on order, on shipment or on request, for the whole order
or what shipped; numbered without gaps per series; tax per line; never edited afterwards (a
correction is a credit note).

Gapless numbering: the series row is locked by a conditional `UPDATE … SET next_number =
next_number + 1` in the issuing transaction and stays locked until it commits. A failed issue
rolls the increment back with everything else, so no number is lost, and two issues of one
series take turns (invoices are few; orders use the gap-allowing sequences instead).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.money import ZERO, quantize
from dingdan.core.outbox import outbox_emit
from dingdan.customers import selectors as customers
from dingdan.orders import selectors as orders

from .. import domain, events
from ..exceptions import (
    InvalidInvoice,
    InvoiceNotFound,
    NothingToCredit,
    NothingToInvoice,
    OrderNotInvoiceable,
)
from ..models import Invoice, InvoiceLine, InvoiceSeries
from ._common import audit, config

INVOICEABLE = frozenset({"confirmed", "completed"})
SERIES = {"invoice": ("INV", "INV"), "credit_note": ("CN", "CN")}
SHIPPING_LINE = 0  # the order line number an invoice's shipping line carries
DISCOUNT_KEY = -1  # the order discount line (order line number None) in per-line tallies
BASES = frozenset({"on_order", "on_shipment", "on_request"})
SCOPES = frozenset({"whole", "shipped"})
TYPES = frozenset({"normal", "special"})


@dataclass(frozen=True)
class CreditLine:
    position: int  # of the invoice's line
    quantity: int = 0
    amount: Decimal | None = None  # a price correction of the line instead of units


def _number(kind: str) -> tuple[InvoiceSeries, int, str]:
    """The next number of the kind's series, taken in this transaction (see the module)."""
    code, prefix = SERIES[kind]
    series, _created = InvoiceSeries.objects.get_or_create(code=code, defaults={"prefix": prefix})
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + 1)
    series.refresh_from_db()
    sequence = series.next_number - 1
    return series, sequence, f"{series.prefix}{timezone.localdate():%Y}{sequence:08d}"


def _buyer(customer_id: int) -> dict[str, str]:
    customer = customers.customer_get(customer_id=customer_id)
    return {
        "name": customer.name,
        "invoice_title": customer.invoice_title or customer.company_name or customer.name,
        "taxpayer_id": customer.taxpayer_id,
        "bank_name": customer.bank_name,
        "bank_account": customer.bank_account,
        "registered_address": customer.registered_address,
        "registered_phone": customer.registered_phone,
    }


def _invoiced_quantities(order_id: int) -> dict[int, int]:
    """Units of each order line invoiced so far, net of credit notes (DISCOUNT_KEY: the order
    discount line)."""
    rows = (
        InvoiceLine.objects.filter(invoice__order_id=order_id)
        .values("order_line_number")
        .annotate(units=Sum("quantity"))
    )
    return {_key(row["order_line_number"]): row["units"] or 0 for row in rows}


def _key(order_line_number: int | None) -> int:
    return DISCOUNT_KEY if order_line_number is None else order_line_number


def _to_invoice(order: Any, scope: str) -> list[domain.InvoiceLineInput]:
    """The lines still to invoice: each order line's units up to what the scope allows (all
    of them, or what shipped), less returns and what was invoiced; the shipping fee once,
    with the first invoice; the order-level discount once, with the invoice that leaves
    nothing of the order to invoice (so no invoice goes below zero)."""
    done = _invoiced_quantities(order.pk)
    lines, left_after = [], 0
    for line in order.lines.all():
        limit = line.quantity if scope == "whole" else line.quantity_shipped
        limit -= line.quantity_returned
        invoiced = done.get(line.line_number, 0)
        units = max(0, limit - invoiced)
        left_after += line.quantity - line.quantity_returned - invoiced - units
        if units == 0:
            continue
        amount = domain.prorated(
            line.subtotal, invoiced + units, line.quantity, order.currency
        ) - domain.prorated(line.subtotal, invoiced, line.quantity, order.currency)
        lines.append(
            domain.InvoiceLineInput(
                line.line_number, line.name, units, line.unit_price, line.tax_rate, amount
            )
        )
    if lines and order.shipping_fee > ZERO and done.get(SHIPPING_LINE, 0) <= 0:
        rate = config("SHIPPING_TAX_RATE")
        lines.append(
            domain.InvoiceLineInput(
                SHIPPING_LINE, str(_("Shipping")), 1, order.shipping_fee, rate, order.shipping_fee
            )
        )
    if lines and left_after <= 0 and order.discount_total > ZERO and done.get(DISCOUNT_KEY, 0) <= 0:
        rate = max((line.tax_rate for line in lines if line.order_line_number), default=ZERO)
        discount = -order.discount_total
        lines.append(domain.InvoiceLineInput(None, str(_("Order discount")), 1, discount, rate, discount))
    return lines


def _shipping_inclusive(line: domain.InvoiceLineInput, prices_include_tax: bool) -> bool:
    # The order's total holds the shipping fee and the order discount as they are, whatever
    # its prices: the tax is inside them (the discount at the highest rate of its lines).
    return True if line.order_line_number in (SHIPPING_LINE, None) else prices_include_tax


def _validate(basis: str, scope: str, invoice_type: str, buyer: dict[str, str]) -> None:
    errors = []
    for name, value, allowed in (
        ("basis", basis, BASES),
        ("scope", scope, SCOPES),
        ("invoice_type", invoice_type, TYPES),
    ):
        if value not in allowed:
            errors.append({"field": name, "message": _("Not one of the allowed values."), "code": "invalid"})
    if invoice_type == "special":
        for name in domain.special_invoice_missing(buyer):
            message = _("A special VAT invoice needs the customer's %(field)s.") % {"field": name}
            errors.append({"field": f"customer.{name}", "message": message, "code": "required"})
    if errors:
        raise InvalidInvoice(errors=errors)


def _create(
    *, kind: str, order: Any, lines: Sequence[domain.InvoiceLineAmounts], actor: Actor, **fields: Any
) -> Invoice:
    series, sequence, number = _number(kind)
    net, tax, gross = domain.invoice_totals(lines)
    invoice = Invoice.objects.create(
        series=series,
        sequence=sequence,
        number=number,
        kind=kind,
        order_id=order.pk,
        customer_id=order.customer_id,
        currency=order.currency,
        prices_include_tax=order.prices_include_tax,
        net_total=net,
        tax_total=tax,
        gross_total=gross,
        issued_at=timezone.now(),
        issued_by=str(actor),
        **fields,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            order_line_number=line.order_line_number,
            description=line.description[:200],
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            net=line.net,
            tax=line.tax,
            gross=line.gross,
        )
        for position, line in enumerate(lines, start=1)
    )
    after = {"number": number, "kind": kind, "gross_total": str(gross), "tax_total": str(tax)}
    audit("invoice", invoice.pk, "issued", actor, None, after, note=fields.get("reason", ""))
    outbox_emit(
        events.InvoiceIssued(
            aggregate_id=str(invoice.pk),
            number=number,
            kind=kind,
            order_id=order.pk,
            gross_total=str(gross),
            currency=order.currency,
            channel_id=order.channel_id,
        )
    )
    return invoice


@transaction.atomic
def invoice_issue(
    *,
    actor: Actor,
    order_id: int,
    scope: str = "whole",
    basis: str = "on_request",
    invoice_type: str = "normal",
) -> Invoice:
    """Issue an invoice of a confirmed or completed order for what is not yet invoiced: the
    whole order or what shipped. Raises OrderNotFound, InvalidInvoice (422: bad choice; a
    special VAT invoice without the customer's title, taxpayer ID, bank and address),
    OrderNotInvoiceable (409), NothingToInvoice (409). Nothing is written on any of them."""
    order = orders.order_get(order_id=order_id)
    buyer = _buyer(order.customer_id)
    _validate(basis, scope, invoice_type, buyer)
    if order.status not in INVOICEABLE:
        raise OrderNotInvoiceable()
    inputs = _to_invoice(order, scope)
    if not inputs:
        raise NothingToInvoice()
    lines = [
        domain.invoice_line(
            line,
            prices_include_tax=_shipping_inclusive(line, order.prices_include_tax),
            currency=order.currency,
        )
        for line in inputs
    ]
    return _create(
        kind="invoice",
        order=order,
        lines=lines,
        actor=actor,
        invoice_type=invoice_type,
        basis=basis,
        scope=scope,
        buyer=buyer,
    )


def invoice_get_for_credit(invoice_id: int) -> Invoice:
    invoice = Invoice.objects.filter(pk=invoice_id, kind="invoice").prefetch_related("lines").first()
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def _credited(invoice: Invoice) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Per order line number of `invoice` (0: shipping; each appears once on an invoice):
    (units, gross, net) credited by its credit notes."""
    credited: dict[int, tuple[int, Decimal, Decimal]] = {}
    rows = InvoiceLine.objects.filter(invoice__credited_invoice=invoice).values_list(
        "order_line_number", "quantity", "gross", "net"
    )
    for number, quantity, gross, net in rows:
        units, gross_done, net_done = credited.get(_key(number), (0, ZERO, ZERO))
        credited[_key(number)] = (units - quantity, gross_done - gross, net_done - net)
    return credited


def _done(
    credited: dict[int, tuple[int, Decimal, Decimal]], line: InvoiceLine
) -> tuple[int, Decimal, Decimal]:
    return credited.get(_key(line.order_line_number), (0, ZERO, ZERO))


def _exceeds(message: str) -> InvalidInvoice:
    return InvalidInvoice(errors=[{"field": "lines", "message": message, "code": "exceeds"}])


def _credit_line(
    line: InvoiceLine, credit: CreditLine, done: tuple[int, Decimal, Decimal], currency: str, include: bool
) -> domain.InvoiceLineAmounts:
    """The (negative) credit note line for `credit` of `line`, given what was credited before:
    a price correction of a gross amount, or units, the last of them taking exactly what is
    left of the line."""
    units_done, gross_done, net_done = done
    base, base_left = (line.gross, line.gross - gross_done) if include else (line.net, line.net - net_done)
    if credit.amount is not None:
        left = line.gross - gross_done
        if not ZERO < credit.amount <= left or quantize(credit.amount, currency) != credit.amount:
            raise _exceeds(_("At most %(amount)s of this line is left to credit.") % {"amount": left})
        amount = credit.amount if include else quantize(credit.amount / (1 + line.tax_rate), currency)
        units = 0
    else:
        if not 1 <= credit.quantity <= line.quantity - units_done:
            raise _exceeds(_("More units than are left to credit on this line."))
        units = credit.quantity
        share = domain.prorated(base, units_done + units, line.quantity, currency) - domain.prorated(
            base, units_done, line.quantity, currency
        )
        amount = base_left if units_done + units == line.quantity else min(share, base_left)
    item = domain.invoice_line(
        domain.InvoiceLineInput(
            line.order_line_number, line.description, units, line.unit_price, line.tax_rate, amount
        ),
        prices_include_tax=include,
        currency=currency,
    )
    return domain.InvoiceLineAmounts(
        item.order_line_number,
        item.description,
        -item.quantity,
        item.unit_price,
        item.tax_rate,
        -item.net,
        -item.tax,
        -item.gross,
    )


@transaction.atomic
def credit_note_issue(
    *, actor: Actor, invoice_id: int, lines: Sequence[CreditLine] | None, reason: str
) -> Invoice:
    """Issue a credit note against an invoice: units of its lines (returns), amounts of its
    lines (price corrections), or everything not yet credited (`lines` None). Raises
    InvoiceNotFound, InvalidInvoice (422: unknown line, more than is left), NothingToCredit
    (409). The invoice itself is never changed."""
    invoice = invoice_get_for_credit(invoice_id)
    by_position = {line.position: line for line in invoice.lines.all()}
    credited = _credited(invoice)
    if lines is None:
        left = {p: line.quantity - _done(credited, line)[0] for p, line in by_position.items()}
        lines = [CreditLine(position, units) for position, units in left.items() if units > 0]
        if not lines:
            raise NothingToCredit()
    if not lines:
        raise InvalidInvoice(
            errors=[{"field": "lines", "message": _("Name at least one line."), "code": "required"}]
        )
    amounts = []
    for credit in lines:
        line = by_position.get(credit.position)
        if line is None:
            raise InvalidInvoice(
                errors=[{"field": "lines", "message": _("The invoice has no such line."), "code": "invalid"}]
            )
        include = True if line.order_line_number in (SHIPPING_LINE, None) else invoice.prices_include_tax
        amounts.append(_credit_line(line, credit, _done(credited, line), invoice.currency, include))
    order = orders.order_get(order_id=invoice.order_id)
    return _create(
        kind="credit_note",
        order=order,
        lines=amounts,
        actor=actor,
        invoice_type=invoice.invoice_type,
        basis="correction",
        scope="lines",
        buyer=invoice.buyer,
        credited_invoice=invoice,
        reason=reason,
    )


def _policy_channels(policy: str) -> tuple[list[str], bool]:
    """The channel codes whose invoices follow `policy`, and whether "*" (any other) does."""
    table: dict[str, str] = config("INVOICE_ISSUE")
    named = [code for code, value in table.items() if code != "*" and value == policy]
    return named, table.get("*") == policy


def invoices_issue_due(*, actor: Actor, limit: int = 500) -> list[Invoice]:
    """Issue what the invoicing policy (BILLING["INVOICE_ISSUE"]) says is due without being
    asked: on_order channels when an order is confirmed, on_shipment channels for what
    shipped. Each order in its own transaction; orders with nothing left are skipped."""
    issued = []
    for basis, scope in (("on_order", "whole"), ("on_shipment", "shipped")):
        named, others = _policy_channels(basis)
        candidates = orders.order_list(filters=orders.OrderFilters()).filter(status__in=INVOICEABLE)
        if others:
            excluded = [
                code for code, value in config("INVOICE_ISSUE").items() if code != "*" and value != basis
            ]
            candidates = candidates.exclude(channel__code__in=excluded)
        else:
            candidates = candidates.filter(channel__code__in=named)
        if scope == "shipped":
            candidates = candidates.filter(lines__quantity_shipped__gt=0).distinct()
        else:
            candidates = candidates.exclude(pk__in=Invoice.objects.filter(kind="invoice").values("order_id"))
        for order_id in candidates.order_by("pk").values_list("pk", flat=True)[:limit]:
            try:
                issued.append(invoice_issue(actor=actor, order_id=order_id, scope=scope, basis=basis))
            except (NothingToInvoice, InvalidInvoice, OrderNotInvoiceable):
                continue
    return issued
