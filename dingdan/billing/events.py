"""Billing events: past-tense classes in code, `payment.*`, `refund.*`, `invoice.*` on the wire.
They carry amounts and references, no personal data."""

from dataclasses import dataclass
from typing import ClassVar

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PaymentEvent(Event):
    aggregate_type: ClassVar[str] = "payment"
    order_id: int
    method: str
    status: str
    amount: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(PaymentEvent):
    type: ClassVar[str] = "payment.recorded"


@dataclass(frozen=True, kw_only=True)
class PaymentAuthorized(PaymentEvent):
    type: ClassVar[str] = "payment.authorized"


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(PaymentEvent):
    type: ClassVar[str] = "payment.captured"


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    type: ClassVar[str] = "payment.failed"
    reason: str


@dataclass(frozen=True, kw_only=True)
class RefundEvent(Event):
    aggregate_type: ClassVar[str] = "refund"
    order_id: int
    kind: str
    status: str
    amount: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class RefundRequested(RefundEvent):
    type: ClassVar[str] = "refund.requested"


@dataclass(frozen=True, kw_only=True)
class RefundSucceeded(RefundEvent):
    type: ClassVar[str] = "refund.succeeded"


@dataclass(frozen=True, kw_only=True)
class RefundRejected(RefundEvent):
    type: ClassVar[str] = "refund.rejected"


@dataclass(frozen=True, kw_only=True)
class RefundFailed(RefundEvent):
    type: ClassVar[str] = "refund.failed"


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(Event):
    type: ClassVar[str] = "invoice.issued"
    aggregate_type: ClassVar[str] = "invoice"
    number: str
    kind: str
    order_id: int
    gross_total: str
    currency: str
