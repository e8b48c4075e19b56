"""Billing events: past-tense classes in code, `payment.*`, `refund.*`, `invoice.*` on the wire.
They carry amounts and references, no personal data."""

from dataclasses import dataclass

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PaymentEvent(Event):
    aggregate_type = "payment"
    order_id: int
    method: str
    status: str
    amount: str
    currency: str


class PaymentRecorded(PaymentEvent):
    type = "payment.recorded"


class PaymentAuthorized(PaymentEvent):
    type = "payment.authorized"


class PaymentCaptured(PaymentEvent):
    type = "payment.captured"


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    type = "payment.failed"
    reason: str


@dataclass(frozen=True, kw_only=True)
class RefundEvent(Event):
    aggregate_type = "refund"
    order_id: int
    kind: str
    status: str
    amount: str
    currency: str


class RefundRequested(RefundEvent):
    type = "refund.requested"


class RefundSucceeded(RefundEvent):
    type = "refund.succeeded"


class RefundRejected(RefundEvent):
    type = "refund.rejected"


class RefundFailed(RefundEvent):
    type = "refund.failed"


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(Event):
    type = "invoice.issued"
    aggregate_type = "invoice"
    number: str
    kind: str
    order_id: int
    gross_total: str
    currency: str
