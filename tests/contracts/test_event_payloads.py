"""Outbox payloads are a public contract (webhooks, the event feed): the type, aggregate and
payload, key order included, of every order, exception case, payment, refund and invoice event."""

import dataclasses
import inspect
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from dingdan.billing import events as billing_events
from dingdan.core.events import Event
from dingdan.orders import events as orders_events

# One value per field name any of these events has. `channel_id` is the outbox row's column,
# never a payload key: no payload below has it.
SAMPLE = {
    "aggregate_id": "7",
    "channel_id": 5,
    "number": "SO261124-000007",
    "status": "confirmed",
    "channel": "web",
    "customer_id": 3,
    "total": "199.00",
    "currency": "CNY",
    "reasons": ["stock_short"],
    "reason": "customer_request",
    "revision": 2,
    "previous_total": "99.00",
    "order_type": "wholesale",
    "priority": "urgent",
    "order_id": 7,
    "order_number": "SO261124-000007",
    "line_number": 1,
    "kind": "payment_problem",
    "owner_role": "finance",
    "resolution": "",
    "payment_status": "paid",
    "paid": "199.00",
    "fulfillment_status": "shipped",
    "shipment_number": "SH261124-000001",
    "carrier": "sf",
    "tracking_number": "SF1234567890123",
    "line_numbers": [1, 2],
    "method": "alipay",
    "amount": "199.00",
    "gross_total": "199.00",
}


def fields(*names: str) -> dict:
    return {name: SAMPLE[name] for name in names}


# The payloads' common leading fields, in order.
ORDER = fields("aggregate_id", "number", "status", "channel", "customer_id", "total", "currency")
EXCEPTION_CASE = fields(
    "aggregate_id", "order_id", "order_number", "line_number", "kind", "status", "owner_role", "resolution"
)
PAYMENT = fields("aggregate_id", "order_id", "method", "status", "amount", "currency")
REFUND = fields("aggregate_id", "order_id", "kind", "status", "amount", "currency")
PINNED = [
    (orders_events.ExceptionAssigned, "exception.assigned", "exception_case", EXCEPTION_CASE),
    (orders_events.ExceptionCancelled, "exception.cancelled", "exception_case", EXCEPTION_CASE),
    (orders_events.ExceptionOpened, "exception.opened", "exception_case", EXCEPTION_CASE),
    (orders_events.ExceptionResolved, "exception.resolved", "exception_case", EXCEPTION_CASE),
    (
        orders_events.OrderAmended,
        "order.amended",
        "order",
        {**ORDER, "revision": 2, "previous_total": "99.00"},
    ),
    (orders_events.OrderSubmittedForReview, "order.awaiting_review", "order", ORDER),
    (
        orders_events.OrderBackorderAllocated,
        "order.backorder_allocated",
        "order",
        {**ORDER, "line_numbers": [1, 2]},
    ),
    (orders_events.OrderCancelled, "order.cancelled", "order", {**ORDER, "reason": "customer_request"}),
    (orders_events.OrderCompleted, "order.completed", "order", ORDER),
    (orders_events.OrderConfirmed, "order.confirmed", "order", ORDER),
    (
        orders_events.OrderDelivered,
        "order.delivered",
        "order",
        {**ORDER, "fulfillment_status": "shipped", "shipment_number": "SH261124-000001"},
    ),
    (orders_events.OrderHeld, "order.held", "order", {**ORDER, "reasons": ["stock_short"]}),
    (
        orders_events.OrderPaymentStatusChanged,
        "order.payment_status_changed",
        "order",
        {**ORDER, "payment_status": "paid", "paid": "199.00"},
    ),
    (orders_events.OrderPlaced, "order.placed", "order", ORDER),
    (
        orders_events.OrderReclassified,
        "order.reclassified",
        "order",
        {**ORDER, "order_type": "wholesale", "priority": "urgent"},
    ),
    (orders_events.OrderRejected, "order.rejected", "order", {**ORDER, "reason": "customer_request"}),
    (orders_events.OrderReleased, "order.released", "order", ORDER),
    (
        orders_events.OrderShipped,
        "order.shipped",
        "order",
        {
            **ORDER,
            "fulfillment_status": "shipped",
            "shipment_number": "SH261124-000001",
            "carrier": "sf",
            "tracking_number": "SF1234567890123",
        },
    ),
    (
        billing_events.InvoiceIssued,
        "invoice.issued",
        "invoice",
        {
            "aggregate_id": "7",
            "number": "SO261124-000007",
            "kind": "payment_problem",
            "order_id": 7,
            "gross_total": "199.00",
            "currency": "CNY",
        },
    ),
    (billing_events.PaymentAuthorized, "payment.authorized", "payment", PAYMENT),
    (billing_events.PaymentCaptured, "payment.captured", "payment", PAYMENT),
    (billing_events.PaymentFailed, "payment.failed", "payment", {**PAYMENT, "reason": "customer_request"}),
    (billing_events.PaymentRecorded, "payment.recorded", "payment", PAYMENT),
    (billing_events.RefundFailed, "refund.failed", "refund", REFUND),
    (billing_events.RefundRejected, "refund.rejected", "refund", REFUND),
    (billing_events.RefundRequested, "refund.requested", "refund", REFUND),
    (billing_events.RefundSucceeded, "refund.succeeded", "refund", REFUND),
]


def emitted(event: Event) -> dict:
    """The payload as outbox_emit serialises it."""
    return json.loads(json.dumps(event.data(), cls=DjangoJSONEncoder))


def sample_of(event_class: type) -> Event:
    return event_class(**{field.name: SAMPLE[field.name] for field in dataclasses.fields(event_class)})


@pytest.mark.parametrize(("event_class", "event_type", "aggregate_type", "payload"), PINNED)
def test_each_event_keeps_its_type_aggregate_and_payload(event_class, event_type, aggregate_type, payload):
    event = sample_of(event_class)

    assert (event.type, event.aggregate_type) == (event_type, aggregate_type)
    assert emitted(event) == payload
    assert list(emitted(event)) == list(payload)  # the key order too


def test_every_event_of_orders_and_billing_is_pinned():
    declared = {
        cls
        for module in (orders_events, billing_events)
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and "type" in vars(cls)
    }
    assert declared == {row[0] for row in PINNED}


@pytest.mark.parametrize("event_class", [orders_events.OrderPlaced, billing_events.RefundFailed])
def test_an_event_that_only_names_its_type_is_an_immutable_keyword_only_value(event_class):
    event = sample_of(event_class)

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.aggregate_id = "8"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.currency = "USD"  # type: ignore[attr-defined]
    assert event == sample_of(event_class)
    assert hash(event) == hash(sample_of(event_class))
    assert event != dataclasses.replace(event, aggregate_id="8")
    assert repr(event).startswith(f"{event_class.__name__}(aggregate_id='7', ")
    with pytest.raises(TypeError):
        event_class("7")
