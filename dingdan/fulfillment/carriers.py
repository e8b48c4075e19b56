"""The adapter interface for a carrier's own API (labels, tracking pulls), and its registry.

A carrier row names its adapter by code (`Carrier.adapter`); an integration registers an
adapter under that code at app start. Without one, labels are printed by the carrier's own
tools and tracking arrives by webhook, upload or by hand."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class LabelRequest:
    shipment_number: str
    service: str
    weight_kg: Decimal
    sender: dict[str, str]
    recipient: dict[str, str]


@dataclass(frozen=True)
class Label:
    tracking_number: str
    pdf: bytes
    cost: Decimal | None = None


@dataclass(frozen=True)
class TrackingScan:
    event_id: str
    kind: str  # one of TrackingEvent.Kind
    occurred_at: dt.datetime
    location: str = ""
    description: str = ""


class CarrierAdapter(Protocol):
    def create_label(self, request: LabelRequest) -> Label:
        """Book the shipment with the carrier and return its label and tracking number."""

    def fetch_tracking(self, tracking_number: str) -> list[TrackingScan]:
        """The carrier's scans of a shipment so far (recorded through tracking_event_record)."""


_adapters: dict[str, CarrierAdapter] = {}


def register_carrier_adapter(code: str, adapter: CarrierAdapter) -> None:
    _adapters[code] = adapter


def carrier_adapter(code: str) -> CarrierAdapter | None:
    """The adapter registered under `code`, or None (no API: manual labels and tracking)."""
    return _adapters.get(code) if code else None
