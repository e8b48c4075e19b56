from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires

from . import selectors, services
from .schemas import ChannelFilter, ChannelIn, ChannelOut, ChannelPatch

router = Router()


@router.get("", response={200: Page[ChannelOut], **problems(400, 401, 403, 422)})
@requires("channels:read")
def channel_list(request: HttpRequest, filters: Query[ChannelFilter], page: Query[PageQuery]) -> dict:
    channels = selectors.channel_list(is_active=filters.is_active, kind=filters.kind)
    items, cursor = paginate(channels, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("", response={201: ChannelOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("channels:write")
def channel_create(request: HttpRequest, payload: ChannelIn) -> Status:
    channel = services.channel_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, channel)


@router.get("/{int:channel_id}", response={200: ChannelOut, **problems(401, 403, 404)})
@requires("channels:read")
def channel_detail(request: HttpRequest, channel_id: int) -> object:
    return selectors.channel_get(channel_id=channel_id)


@router.patch("/{int:channel_id}", response={200: ChannelOut, **problems(400, 401, 403, 404, 422)})
@requires("channels:write")
def channel_update(request: HttpRequest, channel_id: int, payload: ChannelPatch) -> object:
    channel = selectors.channel_get(channel_id=channel_id)
    return services.channel_update(
        channel=channel,
        actor=request_actor(request),
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )
