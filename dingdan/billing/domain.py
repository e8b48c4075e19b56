"""Pure rules of the billing context: payment transitions, the order's derived payment status,
refund limits, invoice line amounts, statement matching, receivables ageing, export cells.

No ORM, clock or settings here: plain data in, plain data out (STYLE rule 2).
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dingdan.core.money import ZERO, quantize


class Method(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    CARD = "card"
    CASH_ON_DELIVERY = "cash_on_delivery"
    ACCOUNT_CREDIT = "account_credit"


# Methods that run through a payment provider (authorise/capture, notifications); the others
# are recorded by staff once the money has arrived.
PROVIDER_METHODS = frozenset({Method.ALIPAY, Method.WECHAT_PAY, Method.CARD})
# Methods with a separate authorisation that is captured later (a card hold).
AUTHORIZING_METHODS = frozenset({Method.CARD})


class PaymentState(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    VOIDED = "voided"


P = PaymentState
# (from) -> the states a payment may move to. Anything else is refused (or, for a provider's
# notification, recognised as stale and ignored).
PAYMENT_TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    P.PENDING: frozenset({P.AUTHORIZED, P.CAPTURED, P.FAILED}),
    P.AUTHORIZED: frozenset({P.CAPTURED, P.VOIDED, P.FAILED}),
    P.CAPTURED: frozenset(),
    P.FAILED: frozenset(),
    P.VOIDED: frozenset(),
}


def payment_can_move(current: PaymentState, target: PaymentState) -> bool:
    return target in PAYMENT_TRANSITIONS[current]


class RefundKind(StrEnum):
    RETURNED_GOODS = "returned_goods"
    PARTIAL_LINES = "partial_lines"
    SHIPPING = "shipping"
    GOODWILL = "goodwill"
    PRICE_ADJUSTMENT = "price_adjustment"


class RefundState(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"
    FAILED = "failed"


def order_payment_status(*, total: Decimal, authorized: Decimal, captured: Decimal, refunded: Decimal) -> str:
    """The order's payment status (orders' PaymentStatus values), derived from its money:
    paid = captured − refunded. Refunds dominate once there are any; then captures; then an
    open authorisation."""
    paid = captured - refunded
    if refunded > ZERO:
        return "refunded" if paid <= ZERO else "partially_refunded"
    if captured > ZERO:
        return "paid" if captured >= total else "partially_paid"
    if authorized > ZERO:
        return "authorized"
    return "unpaid"


def refundable(*, captured: Decimal, refunded: Decimal, refund_pending: Decimal) -> Decimal:
    """What may still be refunded: captured minus refunded minus refunds waiting."""
    return max(ZERO, captured - refunded - refund_pending)


def needs_approval(*, amount: Decimal, limit: Decimal | None) -> bool:
    """A refund above the requester's limit waits for approval (None: no limit)."""
    return limit is not None and amount > limit


def approval_limit(roles: Iterable[str], limits: dict[str, Decimal | None]) -> Decimal | None:
    """The highest limit among the roles (None when a role has no limit at all); roles not
    listed may refund nothing without approval."""
    found: list[Decimal] = []
    for role in roles:
        if role in limits:
            limit = limits[role]
            if limit is None:
                return None
            found.append(limit)
    return max(found, default=ZERO)


# Invoices --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLineInput:
    order_line_number: int | None
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    amount: Decimal  # the line's priced amount (tax-inclusive or exclusive as the order says)


@dataclass(frozen=True)
class InvoiceLineAmounts:
    order_line_number: int | None
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def invoice_line(line: InvoiceLineInput, *, prices_include_tax: bool, currency: str) -> InvoiceLineAmounts:
    """Net, tax and gross of one line, the tax rounded per line like the order's."""
    amount = quantize(line.amount, currency)
    if prices_include_tax:
        tax = quantize(amount * line.tax_rate / (1 + line.tax_rate), currency)
        net, gross = amount - tax, amount
    else:
        tax = quantize(amount * line.tax_rate, currency)
        net, gross = amount, amount + tax
    return InvoiceLineAmounts(
        line.order_line_number,
        line.description,
        line.quantity,
        line.unit_price,
        line.tax_rate,
        net,
        tax,
        gross,
    )


def invoice_totals(lines: Sequence[InvoiceLineAmounts]) -> tuple[Decimal, Decimal, Decimal]:
    return (
        sum((line.net for line in lines), ZERO),
        sum((line.tax for line in lines), ZERO),
        sum((line.gross for line in lines), ZERO),
    )


def prorated(amount: Decimal, part: int, whole: int, currency: str) -> Decimal:
    """`part` of `whole` units' `amount`, rounded; the whole is exactly `amount`."""
    if part == whole:
        return amount
    return quantize(amount * part / whole, currency)


SPECIAL_INVOICE_FIELDS = ("invoice_title", "taxpayer_id", "bank_name", "bank_account", "registered_address")


def special_invoice_missing(buyer: dict[str, str]) -> list[str]:
    """The buyer details a special VAT invoice (增值税专用发票) needs and lacks."""
    return [name for name in SPECIAL_INVOICE_FIELDS if not str(buyer.get(name) or "").strip()]


def gaps(sequences: Iterable[int], next_number: int) -> list[int]:
    """What breaks a gapless series whose next number is `next_number`: numbers missing below
    it, and numbers issued at or beyond it."""
    seen = set(sequences)
    missing = set(range(1, next_number)) - seen
    beyond = {n for n in seen if n < 1 or n >= next_number}
    return sorted(missing | beyond)


# Reconciliation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementEntry:
    value_date: dt.date
    amount: Decimal
    currency: str
    reference: str
    payer: str


@dataclass(frozen=True)
class PaymentCandidate:
    payment_id: int
    amount: Decimal
    currency: str
    received_on: dt.date
    references: tuple[str, ...]  # payment reference, provider reference, order number
    payer: str


@dataclass(frozen=True)
class Match:
    payment_id: int
    confidence: Decimal
    reasons: tuple[str, ...]


WEIGHTS = {
    "reference": Decimal("0.50"),
    "amount": Decimal("0.30"),
    "date": Decimal("0.10"),
    "payer": Decimal("0.10"),
}
DATE_WINDOW_DAYS = 3


def _normal(text: str) -> str:
    return re.sub(r"[\s\-_/]", "", text).upper()


def _reference_matches(entry: StatementEntry, candidate: PaymentCandidate) -> bool:
    text = _normal(entry.reference)
    return any(len(ref) >= 4 and _normal(ref) in text for ref in candidate.references if ref)


def match_score(entry: StatementEntry, candidate: PaymentCandidate) -> Match | None:
    """How well a statement line fits a payment: reference 0.5, exact amount 0.3, value date
    within three days 0.1, same payer 0.1. Another currency never matches."""
    if entry.currency != candidate.currency:
        return None
    reasons = []
    if _reference_matches(entry, candidate):
        reasons.append("reference")
    if entry.amount == candidate.amount:
        reasons.append("amount")
    if abs((entry.value_date - candidate.received_on).days) <= DATE_WINDOW_DAYS:
        reasons.append("date")
    if entry.payer and candidate.payer and _normal(entry.payer) == _normal(candidate.payer):
        reasons.append("payer")
    if "reference" not in reasons and "amount" not in reasons:
        return None
    return Match(candidate.payment_id, sum((WEIGHTS[r] for r in reasons), ZERO), tuple(reasons))


def best_matches(
    entries: Sequence[StatementEntry], candidates: Sequence[PaymentCandidate], *, minimum: Decimal
) -> list[Match | None]:
    """One payment per statement line at most and each payment for one line only: the
    highest confidences are paired first (ties: earlier line, lower payment id)."""
    scored = []
    for index, entry in enumerate(entries):
        for candidate in candidates:
            match = match_score(entry, candidate)
            if match is not None and match.confidence >= minimum:
                scored.append((-match.confidence, index, candidate.payment_id, match))
    chosen: list[Match | None] = [None] * len(entries)
    taken: set[int] = set()
    for _confidence, index, payment_id, match in sorted(scored, key=lambda s: s[:3]):
        if chosen[index] is None and payment_id not in taken:
            chosen[index] = match
            taken.add(payment_id)
    return chosen


# Receivables ----------------------------------------------------------------------------------

AGEING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def ageing_bucket(*, due: dt.date, today: dt.date) -> str:
    """Where an open amount falls by days past its due date."""
    overdue = (today - due).days
    if overdue <= 0:
        return "current"
    if overdue <= 30:
        return "days_1_30"
    if overdue <= 60:
        return "days_31_60"
    if overdue <= 90:
        return "days_61_90"
    return "days_over_90"


# Exports --------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR
    gets a leading apostrophe. Numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
