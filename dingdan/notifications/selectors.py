"""Reads of the notifications context: the event feed, deliveries and their attempts,
webhook subscriptions, message templates, low-stock alerts and tracking links."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from dingdan.core.models import OutboxEvent

from .exceptions import DeliveryNotFound, InvalidTrackingLink, SubscriptionNotFound, TemplateNotFound
from .models import Delivery, DeliveryAttempt, MessageTemplate, WebhookSubscription

TRACKING_SALT = "dingdan.notifications.tracking"
TRACKING_MAX_AGE = dt.timedelta(days=400)


# Event feed ----------------------------------------------------------------------------


def event_feed(*, types: list[str] | None = None, channel_id: int | None = None) -> QuerySet[OutboxEvent]:
    """Every event, oldest first by id (the caller paginates by pk). Events younger than
    FEED_SETTLE_SECONDS are held back: a transaction holding a lower id may still commit,
    and a cursor past it would skip it forever. `channel_id`, the caller's bound channel:
    only the events of its orders (of the orders themselves, their exception cases,
    shipments, payments, refunds and invoices: the events that carry the channel of their
    order, read from the index outbox_channel_feed)."""
    settle = settings.NOTIFICATIONS["FEED_SETTLE_SECONDS"]
    events = OutboxEvent.objects.all()
    if channel_id is not None:
        events = events.filter(channel_id=channel_id)
    if settle > 0:
        events = events.filter(created_at__lte=timezone.now() - dt.timedelta(seconds=settle))
    if types:
        events = events.filter(type__in=types)
    return events


# Webhooks and deliveries ---------------------------------------------------------------


def subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def subscription_get(*, subscription_id: int) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise SubscriptionNotFound()
    return subscription


@dataclass(frozen=True)
class DeliveryFilters:
    subscription_id: int | None = None
    channel: str | None = None
    state: str | None = None
    event_id: UUID | None = None


def delivery_list(*, filters: DeliveryFilters) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.select_related("event")
    if filters.subscription_id:
        deliveries = deliveries.filter(subscription_id=filters.subscription_id)
    if filters.channel:
        deliveries = deliveries.filter(channel=filters.channel)
    if filters.state:
        deliveries = deliveries.filter(state=filters.state)
    if filters.event_id:
        deliveries = deliveries.filter(event__event_id=filters.event_id)
    return deliveries


def delivery_get(*, delivery_id: int) -> Delivery:
    delivery = Delivery.objects.select_related("event").filter(pk=delivery_id).first()
    if delivery is None:
        raise DeliveryNotFound()
    return delivery


def delivery_attempts(*, delivery_id: int) -> list[DeliveryAttempt]:
    return list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("pk"))


# Templates -----------------------------------------------------------------------------


def template_list() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.all()


def template_get(*, channel: str, event_type: str, language: str) -> MessageTemplate:
    template = MessageTemplate.objects.filter(
        channel=channel, event_type=event_type, language=language
    ).first()
    if template is None:
        raise TemplateNotFound()
    return template


# Low stock (the dashboard reads this) ----------------------------------------------------


@dataclass(frozen=True)
class LowStockAlert:
    event_id: UUID
    at: dt.datetime
    warehouse_id: int
    warehouse_code: str
    sku_id: int
    sku_code: str
    available: int
    reorder_point: int
    emails_sent: int


def low_stock_alerts(*, limit: int = 20) -> list[LowStockAlert]:
    """The latest low-stock alerts, newest first, with how many owner e-mails went out
    (two queries)."""
    events = list(OutboxEvent.objects.filter(type="stock.low").order_by("-pk")[:limit])
    sent: dict[int, int] = {}
    for event_pk in Delivery.objects.filter(
        event_id__in=[e.pk for e in events], channel="email", state=Delivery.State.DELIVERED
    ).values_list("event_id", flat=True):
        sent[event_pk] = sent.get(event_pk, 0) + 1
    return [
        LowStockAlert(
            event_id=event.event_id,
            at=event.created_at,
            warehouse_id=int(event.data.get("warehouse_id") or 0),
            warehouse_code=str(event.data.get("warehouse_code", "")),
            sku_id=int(event.data.get("sku_id") or 0),
            sku_code=str(event.data.get("sku_code", "")),
            available=int(event.data.get("available") or 0),
            reorder_point=int(event.data.get("reorder_point") or 0),
            emails_sent=sent.get(event.pk, 0),
        )
        for event in events
    ]


# Tracking links ------------------------------------------------------------------------


def tracking_token(*, order_id: int) -> str:
    """A signed, unguessable token naming the order (django.core.signing, SECRET_KEY)."""
    return signing.dumps({"o": int(order_id)}, salt=TRACKING_SALT, compress=True)


def tracking_order_id(*, token: str) -> int:
    """The order a tracking token names. Raises InvalidTrackingLink for a forged, altered or
    expired token."""
    try:
        value: Any = signing.loads(token, salt=TRACKING_SALT, max_age=TRACKING_MAX_AGE)
        return int(value["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidTrackingLink() from error


def tracking_url(*, order_id: int) -> str:
    base = settings.NOTIFICATIONS["PUBLIC_URL"].rstrip("/")
    return f"{base}/track/{tracking_token(order_id=order_id)}/"
