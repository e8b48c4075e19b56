"""Fulfilment events: past-tense classes in code, `shipment.*` types on the wire."""

from dataclasses import dataclass

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ShipmentEvent(Event):
    aggregate_type = "shipment"
    number: str
    order_id: int
    order_number: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str


@dataclass(frozen=True, kw_only=True)
class ShipmentCreated(ShipmentEvent):
    type = "shipment.created"


@dataclass(frozen=True, kw_only=True)
class ShipmentStatusChanged(ShipmentEvent):
    """A tracking event moved the shipment (in transit, out for delivery, delivered, …)."""

    type = "shipment.status_changed"
    event_kind: str
    location: str
