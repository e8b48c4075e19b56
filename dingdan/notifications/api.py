"""HTTP operations of this context under /api/v1 (thin: parse, authorise, call one service or
selector): the event feed, webhook subscriptions and their delivery log, message templates
with a preview, customers' notification preferences, low-stock alerts."""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, request_channel, requires
from dingdan.core.versioning import if_match_version, set_etag
from dingdan.customers import selectors as customers
from dingdan.customers import services as customer_services

from . import rendering, selectors, services
from .models import Delivery
from .schemas import (
    DeliveryDetailOut,
    DeliveryFilterIn,
    DeliveryOut,
    FeedPage,
    FeedQuery,
    Language,
    LowStockAlertOut,
    MessageChannel,
    PreferencesIn,
    PreferencesOut,
    PreviewIn,
    PreviewOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
    TemplateIn,
    TemplateOut,
    TemplatesOut,
)

router = Router()
READ, MANAGE = "notifications:read", "notifications:manage"


# Event feed ----------------------------------------------------------------------------


@router.get("/events", response={200: FeedPage, **problems(400, 401, 403)}, tags=["events"])
@requires("events:read")
def event_feed(request: HttpRequest, query: Query[FeedQuery]) -> dict[str, Any]:
    """Every event in order; keep the `next` cursor and pass it as `after` to catch up."""
    events = selectors.event_feed(types=query.type, channel_id=request_channel(request))
    rows, cursor = paginate(events, limit=query.limit, cursor=query.after, ordering=("pk",))
    items = [
        {
            "id": e.event_id,
            "type": e.type,
            "created": e.created_at,
            "aggregate_type": e.aggregate_type,
            "aggregate_id": e.aggregate_id,
            "data": e.data,
        }
        for e in rows
    ]
    return {"items": items, "next": cursor}


# Webhook subscriptions -----------------------------------------------------------------


@router.get("/notifications/webhooks", response={200: list[SubscriptionOut], **problems(401, 403)})
@requires(READ)
def subscription_list(request: HttpRequest) -> Any:
    return list(selectors.subscription_list().order_by("pk")[:500])


@router.post(
    "/notifications/webhooks",
    response={201: SubscriptionCreatedOut, **problems(400, 401, 403, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires(MANAGE)
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Status:
    sub = services.subscription_create(
        actor=request_actor(request), name=payload.name, url=payload.url, events=payload.events
    )
    return Status(201, sub)


@router.get(
    "/notifications/webhooks/{int:subscription_id}",
    response={200: SubscriptionOut, **problems(401, 403, 404)},
)
@requires(READ)
def subscription_detail(request: HttpRequest, subscription_id: int) -> Any:
    return selectors.subscription_get(subscription_id=subscription_id)


@router.patch(
    "/notifications/webhooks/{int:subscription_id}",
    response={200: SubscriptionOut, **problems(400, 401, 403, 404, 422)},
)
@requires(MANAGE)
def subscription_update(request: HttpRequest, subscription_id: int, payload: SubscriptionPatch) -> Any:
    return services.subscription_update(
        actor=request_actor(request),
        subscription_id=subscription_id,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.delete(
    "/notifications/webhooks/{int:subscription_id}", response={204: None, **problems(401, 403, 404)}
)
@requires(MANAGE)
def subscription_delete(request: HttpRequest, subscription_id: int) -> Status:
    services.subscription_delete(actor=request_actor(request), subscription_id=subscription_id)
    return Status(204, None)


# Deliveries ----------------------------------------------------------------------------


def _delivery(d: Delivery) -> dict[str, Any]:
    return {
        **{name: getattr(d, name) for name in DeliveryOut.model_fields if hasattr(d, name)},
        "event_id": d.event.event_id,
        "event_type": d.event.type,
    }


@router.get("/notifications/deliveries", response={200: Page[DeliveryOut], **problems(400, 401, 403, 422)})
@requires(READ)
def delivery_list(
    request: HttpRequest, filters: Query[DeliveryFilterIn], page: Query[PageQuery]
) -> dict[str, Any]:
    deliveries = selectors.delivery_list(filters=selectors.DeliveryFilters(**filters.model_dump()))
    rows, cursor = paginate(deliveries, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": [_delivery(d) for d in rows], "next": cursor}


@router.get(
    "/notifications/deliveries/{int:delivery_id}",
    response={200: DeliveryDetailOut, **problems(401, 403, 404)},
)
@requires(READ)
def delivery_detail(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    delivery = selectors.delivery_get(delivery_id=delivery_id)
    return {**_delivery(delivery), "attempt_log": selectors.delivery_attempts(delivery_id=delivery_id)}


@router.post(
    "/notifications/deliveries/{int:delivery_id}/redeliver",
    response={200: DeliveryOut, **problems(401, 403, 404, 409)},
)
@requires(MANAGE)
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    """Send the delivery again (the next worker pass sends it; attempts are logged)."""
    return _delivery(services.delivery_redeliver(actor=request_actor(request), delivery_id=delivery_id))


# Message templates ---------------------------------------------------------------------


@router.get("/notifications/templates", response={200: TemplatesOut, **problems(401, 403)})
@requires(READ)
def template_list(request: HttpRequest) -> dict[str, Any]:
    return {
        "default_event_types": sorted(rendering.default_event_types()),
        "overrides": list(selectors.template_list()),
    }


@router.put(
    "/notifications/templates/{channel}/{event_type}/{language}",
    response={200: TemplateOut, **problems(400, 401, 403, 422)},
)
@requires(MANAGE)
def template_set(
    request: HttpRequest, channel: MessageChannel, event_type: str, language: Language, payload: TemplateIn
) -> Any:
    """Override the default template of one event, channel and language."""
    return services.template_set(
        actor=request_actor(request),
        channel=channel,
        event_type=event_type,
        language=language,
        subject=payload.subject,
        text=payload.text,
        html=payload.html,
    )


@router.delete(
    "/notifications/templates/{channel}/{event_type}/{language}",
    response={204: None, **problems(401, 403, 404, 422)},
)
@requires(MANAGE)
def template_delete(
    request: HttpRequest, channel: MessageChannel, event_type: str, language: Language
) -> Status:
    services.template_delete(
        actor=request_actor(request), channel=channel, event_type=event_type, language=language
    )
    return Status(204, None)


SAMPLE_DATA = {
    "number": "SO260101-000042",
    "status": "confirmed",
    "total": "199.00",
    "currency": "CNY",
    "amount": "199.00",
    "carrier": "SF Express",
    "tracking_number": "SF1234567890",
    "reason": "customer request",
    "warehouse_code": "WH1",
    "sku_code": "TS-001-BK-M",
    "available": 3,
    "reorder_point": 10,
}


@router.post(
    "/notifications/templates/preview", response={200: PreviewOut, **problems(400, 401, 403, 404, 422)}
)
@requires(READ)
def template_preview(request: HttpRequest, payload: PreviewIn) -> dict[str, Any]:
    """Render a template (the given parts, else the stored or default one) with sample data."""
    context = {
        "event": {"id": str(uuid.UUID(int=0)), "type": payload.event_type, "created": timezone.now()},
        "data": payload.data or SAMPLE_DATA,
        "number": (payload.data or SAMPLE_DATA).get("number", ""),
        "total": (payload.data or SAMPLE_DATA).get("total", ""),
        "currency": (payload.data or SAMPLE_DATA).get("currency", ""),
        "customer_name": "",
        "tracking_url": selectors.tracking_url(order_id=0),
    }
    if payload.text is not None:
        rendered = rendering.render_source(
            subject=payload.subject or "", text=payload.text, html=payload.html or "", context=context
        )
    else:
        rendered = services.message_preview(
            channel=payload.channel, event_type=payload.event_type, language=payload.language, context=context
        )
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


# Customer preferences ------------------------------------------------------------------


def _preferences(customer_id: int, response: HttpResponse) -> dict[str, Any]:
    profile = customers.customer_notification_profile(customer_id=customer_id)
    set_etag(response, profile.version)
    return {
        "customer_id": profile.customer_id,
        "notify_email": profile.notify_email,
        "notify_sms": profile.notify_sms,
        "notify_opt_out": profile.notify_opt_out,
        "notify_muted_events": list(profile.notify_muted_events),
        "sms_quiet_start": profile.sms_quiet_start,
        "sms_quiet_end": profile.sms_quiet_end,
    }


@router.get(
    "/notifications/preferences/{int:customer_id}", response={200: PreferencesOut, **problems(401, 403, 404)}
)
@requires(READ)
def preferences_get(request: HttpRequest, response: HttpResponse, customer_id: int) -> dict[str, Any]:
    return _preferences(customer_id, response)


@router.put(
    "/notifications/preferences/{int:customer_id}",
    response={200: PreferencesOut, **problems(400, 401, 403, 404, 412, 422)},
)
@requires(MANAGE)
def preferences_set(
    request: HttpRequest, response: HttpResponse, customer_id: int, payload: PreferencesIn
) -> dict[str, Any]:
    expected = if_match_version(request)
    customer_services.customer_notification_preferences_set(
        actor=request_actor(request),
        customer=customers.customer_get(customer_id=customer_id),
        expected_version=expected,
        **payload.model_dump(),
    )
    return _preferences(customer_id, response)


# Low-stock alerts ----------------------------------------------------------------------


@router.get(
    "/notifications/low-stock", response={200: list[LowStockAlertOut], **problems(400, 401, 403, 422)}
)
@requires(READ)
def low_stock_alerts(request: HttpRequest, limit: int = 20) -> list[Any]:
    return list(selectors.low_stock_alerts(limit=max(1, min(limit, 200))))
