"""HTTP operations of reporting under /api/v1 (thin: parse, authorise, call one selector)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from dingdan.core.problems import problems
from dingdan.core.security import request_channel, requires

from . import selectors
from .schemas import TopSkusOut, TopSkusQuery

router = Router()


@router.get("/reports/top-skus", response={200: TopSkusOut, **problems(401, 403, 422)})
@requires("reports:read")
def top_skus(request: HttpRequest, query: Query[TopSkusQuery]) -> dict[str, Any]:
    """The SKUs that sold the most units on the business days `since`..`until` (cancelled,
    rejected and draft orders left out), most units first. A token bound to a channel reads
    its channel's orders only."""
    bound = request_channel(request)
    items = selectors.top_skus(
        since=query.since,
        until=query.until,
        limit=query.limit,
        channel_id=bound if bound is not None else query.channel_id,
    )
    return {"since": query.since, "until": query.until, "items": items}
