"""/api/v1/orders/review: the review queue, the channels' check settings and the blacklist."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.channels import selectors as channels
from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires

from . import selectors, services
from .models import Order
from .schemas_review import (
    BlacklistFilterIn,
    BlacklistIn,
    BlacklistOut,
    CheckSettingIn,
    CheckSettingOut,
    QueueEntryOut,
    QueueFilterIn,
)

router = Router()


def _entry(order: Order) -> dict[str, Any]:
    return {
        **{name: getattr(order, name) for name in QueueEntryOut.model_fields if hasattr(order, name)},
        "channel": order.channel.code,
        "owner_id": order.review_owner_id,
        "owner": order.review_owner.get_username() if order.review_owner else "",
        "due_at": order.review_due_at,
        "is_overdue": selectors.is_overdue(order.review_due_at),
        "reasons": selectors.queue_reasons(order),
    }


@router.get("/queue", response={200: Page[QueueEntryOut], **problems(400, 401, 403)})
@requires("orders:read")
def review_queue(
    request: HttpRequest, filters: Query[QueueFilterIn], page: Query[PageQuery]
) -> dict[str, Any]:
    """Orders waiting for review or on hold: urgent first, then VIP, then the oldest; each
    with its owner, due time, overdue flag and the reasons it waits."""
    orders = selectors.review_queue(filters=selectors.QueueFilters(**filters.model_dump()))
    items, cursor = paginate(orders, limit=page.limit, cursor=page.cursor, ordering=selectors.QUEUE_ORDERING)
    return {"items": [_entry(order) for order in items], "next": cursor}


@router.get("/checks/{channel}", response={200: list[CheckSettingOut], **problems(401, 403, 404)})
@requires("orders:read")
def check_settings(request: HttpRequest, channel: str) -> list[dict[str, Any]]:
    """Every review check with the channel's setting: enabled, severity, parameters."""
    return selectors.check_settings_for_channel(channel_id=channels.channel_get(code=channel).pk)


@router.put(
    "/checks/{channel}/{check}", response={200: list[CheckSettingOut], **problems(400, 401, 403, 404, 422)}
)
@requires("orders:configure")
def check_setting_set(
    request: HttpRequest, channel: str, check: str, payload: CheckSettingIn
) -> list[dict[str, Any]]:
    channel_id = channels.channel_get(code=channel).pk
    services.check_setting_set(
        actor=request_actor(request),
        channel_id=channel_id,
        check_code=check,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )
    return selectors.check_settings_for_channel(channel_id=channel_id)


@router.get("/blacklist", response={200: Page[BlacklistOut], **problems(400, 401, 403)})
@requires("orders:configure")
def blacklist_list(
    request: HttpRequest, filters: Query[BlacklistFilterIn], page: Query[PageQuery]
) -> dict[str, Any]:
    entries = selectors.blacklist_list(**filters.model_dump())
    items, cursor = paginate(entries, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": items, "next": cursor}


@router.post("/blacklist", response={201: BlacklistOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("orders:configure")
def blacklist_add(request: HttpRequest, payload: BlacklistIn) -> Status:
    value = payload.address.model_dump() if payload.address is not None else payload.value
    entry = services.blacklist_add(
        actor=request_actor(request), kind=payload.kind, value=value, reason=payload.reason
    )
    return Status(201, entry)


@router.post("/blacklist/{int:entry_id}/remove", response={200: BlacklistOut, **problems(401, 403, 404)})
@requires("orders:configure")
def blacklist_remove(request: HttpRequest, entry_id: int) -> Any:
    return services.blacklist_remove(actor=request_actor(request), entry_id=entry_id)
