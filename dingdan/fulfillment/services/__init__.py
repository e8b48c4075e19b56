"""The only writes of the fulfillment context."""

from .packing import PackageSpec, packages_create
from .picking import pick_list_confirm, pick_list_create
from .shipping import shipment_create
from .sourcing import SourcingPreview, order_source, sourcing_preview
from .tracking import (
    Recorded,
    TrackingUpdate,
    signature_header,
    tracking_event_record,
    tracking_events_upload,
    tracking_file_read,
    tracking_webhook_receive,
)

__all__ = [
    "PackageSpec",
    "Recorded",
    "SourcingPreview",
    "TrackingUpdate",
    "order_source",
    "packages_create",
    "pick_list_confirm",
    "pick_list_create",
    "shipment_create",
    "signature_header",
    "sourcing_preview",
    "tracking_event_record",
    "tracking_events_upload",
    "tracking_file_read",
    "tracking_webhook_receive",
]
