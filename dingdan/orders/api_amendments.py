"""/api/v1/orders/changes: staged amendments (preview, commit, discard). Staging and the
revisions are under the order: POST /orders/{id}/changes, GET /orders/{id}/revisions.

A commit takes If-Match with the order's ETag; it is refused (412) when the order changed
since the request was staged or since the caller read it."""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dingdan.core.exceptions import ApplicationError
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires
from dingdan.core.versioning import if_match_version, set_etag

from . import selectors, services
from .models import OrderChangeRequest
from .schemas import OrderOut
from .schemas_review import ChangeRequestOut

router = Router()


def change_out(change: OrderChangeRequest) -> dict[str, Any]:
    try:
        preview = services.change_request_preview(change_request_id=change.pk)
    except ApplicationError:  # no longer possible as staged (e.g. a SKU's price list was removed)
        preview = None
    return {
        **{name: getattr(change, name) for name in ChangeRequestOut.model_fields if hasattr(change, name)},
        "preview": asdict(preview) if preview is not None else None,
    }


@router.get("/{int:change_request_id}", response={200: ChangeRequestOut, **problems(401, 403, 404)})
@requires("orders:read")
def change_request_detail(request: HttpRequest, change_request_id: int) -> dict[str, Any]:
    """The request and, while it is staged, the preview of committing it now."""
    return change_out(selectors.change_request_get(change_request_id=change_request_id))


@router.post(
    "/{int:change_request_id}/commit",
    response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)},
)
@requires("orders:write")
def change_request_commit(request: HttpRequest, response: HttpResponse, change_request_id: int) -> Any:
    from .api import _respond

    order = services.change_request_commit(
        actor=request_actor(request),
        change_request_id=change_request_id,
        expected_version=if_match_version(request),
    )
    return _respond(request, response, order.pk, purpose="api.change_request_commit")


@router.post(
    "/{int:change_request_id}/discard", response={200: ChangeRequestOut, **problems(401, 403, 404, 409)}
)
@requires("orders:write")
def change_request_discard(request: HttpRequest, response: HttpResponse, change_request_id: int) -> Any:
    change = services.change_request_discard(
        actor=request_actor(request), change_request_id=change_request_id
    )
    set_etag(response, change.order.version)
    return change_out(change)
