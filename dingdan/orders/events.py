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


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderEvent):
    type = "order.placed"


@dataclass(frozen=True, kw_only=True)
class OrderConfirmed(OrderEvent):
    type = "order.confirmed"


@dataclass(frozen=True, kw_only=True)
class OrderSubmittedForReview(OrderEvent):
    type = "order.awaiting_review"


@dataclass(frozen=True, kw_only=True)
class OrderHeld(OrderEvent):
    type = "order.held"
    reasons: list[str]


@dataclass(frozen=True, kw_only=True)
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
