"""Writes of the notifications context: delivery (fan-out, the pump, redelivery) and the
administration of webhook subscriptions and message templates."""

from . import delivery
from .configuration import (
    message_preview,
    subscription_create,
    subscription_delete,
    subscription_update,
    template_delete,
    template_set,
)
from .delivery import (
    _Mailer,
    deliveries_claim,
    deliveries_pump,
    deliveries_sweep,
    delivery_attempt,
    delivery_redeliver,
    event_fanout,
    message_context,
    pump_request,
    selectors,
)

__all__ = [
    "_Mailer",
    "deliveries_claim",
    "deliveries_pump",
    "deliveries_sweep",
    "delivery",
    "delivery_attempt",
    "delivery_redeliver",
    "event_fanout",
    "message_context",
    "message_preview",
    "pump_request",
    "selectors",
    "subscription_create",
    "subscription_delete",
    "subscription_update",
    "template_delete",
    "template_set",
]
