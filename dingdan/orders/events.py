"""Order events: past-tense classes in code, `order.*` types on the wire."""

from dataclasses import dataclass

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class OrderEvent(Event):
    aggregate_type = "order"
    number: str
    status: str
    channel: str
    customer_id: int
    total: str
    currency: str


class OrderPlaced(OrderEvent):
    type = "order.placed"


class OrderConfirmed(OrderEvent):
    type = "order.confirmed"


class OrderSubmittedForReview(OrderEvent):
    type = "order.awaiting_review"


@dataclass(frozen=True, kw_only=True)
class OrderHeld(OrderEvent):
    type = "order.held"
    reasons: list[str]


class OrderReleased(OrderEvent):
    type = "order.released"


@dataclass(frozen=True, kw_only=True)
class OrderRejected(OrderEvent):
    type = "order.rejected"
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(OrderEvent):
    type = "order.cancelled"
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderAmended(OrderEvent):
    type = "order.amended"
    revision: int
    previous_total: str


@dataclass(frozen=True, kw_only=True)
class OrderReclassified(OrderEvent):
    type = "order.reclassified"
    order_type: str
    priority: str


@dataclass(frozen=True, kw_only=True)
class ExceptionCaseEvent(Event):
    aggregate_type = "exception_case"
    order_id: int
    order_number: str
    line_number: int | None
    kind: str
    status: str
    owner_role: str
    resolution: str = ""


class ExceptionOpened(ExceptionCaseEvent):
    type = "exception.opened"


class ExceptionAssigned(ExceptionCaseEvent):
    type = "exception.assigned"


class ExceptionResolved(ExceptionCaseEvent):
    type = "exception.resolved"


class ExceptionCancelled(ExceptionCaseEvent):
    type = "exception.cancelled"


@dataclass(frozen=True, kw_only=True)
class OrderPaymentStatusChanged(OrderEvent):
    """Billing derived a new payment status from the order's payments and refunds."""

    type = "order.payment_status_changed"
    payment_status: str
    paid: str


@dataclass(frozen=True, kw_only=True)
class OrderShipped(OrderEvent):
    """Units of the order left a warehouse (fulfilment status partially_shipped or shipped)."""

    type = "order.shipped"
    fulfillment_status: str
    shipment_number: str
    carrier: str
    tracking_number: str


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(OrderEvent):
    type = "order.delivered"
    fulfillment_status: str
    shipment_number: str


class OrderCompleted(OrderEvent):
    type = "order.completed"


@dataclass(frozen=True, kw_only=True)
class OrderBackorderAllocated(OrderEvent):
    """Arrived stock was reserved for backordered lines of the order."""

    type = "order.backorder_allocated"
    line_numbers: list[int]
