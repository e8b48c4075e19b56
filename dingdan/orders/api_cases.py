"""/api/v1/orders/exceptions: exception cases (open, assign, note, resolve, cancel).

Actions on a case take If-Match with its ETag (the case's version); a stale one is 412.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, request_channel, requires
from dingdan.core.versioning import if_match_version, set_etag

from . import selectors, services
from .models import ExceptionCase
from .schemas_review import (
    ExceptionAssignIn,
    ExceptionCancelIn,
    ExceptionFilterIn,
    ExceptionNoteIn,
    ExceptionOpenIn,
    ExceptionOut,
    ExceptionResolveIn,
    ExceptionSummaryOut,
)

router = Router()


def _summary(case: ExceptionCase) -> dict[str, Any]:
    return {
        **{name: getattr(case, name) for name in ExceptionSummaryOut.model_fields if hasattr(case, name)},
        "order_number": case.order.number,
        "owner": case.owner.get_username() if case.owner else "",
        "is_overdue": selectors.exception_is_overdue(case),
    }


def _respond(response: HttpResponse, case_id: int) -> dict[str, Any]:
    case = selectors.exception_get(case_id=case_id)
    set_etag(response, case.version)
    return {
        **_summary(case),
        "facts": case.facts,
        "resolution_note": case.resolution_note,
        "opened_by": case.opened_by,
        "closed_at": case.closed_at,
        "notes": list(case.notes.all()),
        "options": selectors.exception_options(case),
    }


@router.get("", response={200: Page[ExceptionSummaryOut], **problems(400, 401, 403)})
@requires("orders:read")
def exception_list(
    request: HttpRequest, filters: Query[ExceptionFilterIn], page: Query[PageQuery]
) -> dict[str, Any]:
    cases = selectors.exception_list(
        filters=selectors.ExceptionFilters(**filters.model_dump(), channel_id=request_channel(request))
    )
    items, cursor = paginate(cases, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": [_summary(case) for case in items], "next": cursor}


@router.post("", response={201: ExceptionOut, **problems(400, 401, 403, 404, 409, 422)})
@decorate_view(idempotent)
@requires("orders:exceptions")
def exception_open(request: HttpRequest, response: HttpResponse, payload: ExceptionOpenIn) -> Status:
    case = services.exception_open(actor=request_actor(request), **payload.model_dump())
    return Status(201, _respond(response, case.pk))


@router.get("/{int:case_id}", response={200: ExceptionOut, **problems(401, 403, 404)})
@requires("orders:read")
def exception_detail(request: HttpRequest, response: HttpResponse, case_id: int) -> dict[str, Any]:
    return _respond(response, case_id)


@router.post(
    "/{int:case_id}/assign", response={200: ExceptionOut, **problems(400, 401, 403, 404, 409, 412, 422)}
)
@requires("orders:exceptions")
def exception_assign(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ExceptionAssignIn
) -> dict[str, Any]:
    services.exception_assign(
        actor=request_actor(request),
        case_id=case_id,
        expected_version=if_match_version(request),
        **payload.model_dump(exclude_unset=True),
    )
    return _respond(response, case_id)


@router.post("/{int:case_id}/notes", response={201: ExceptionOut, **problems(400, 401, 403, 404, 409, 422)})
@requires("orders:exceptions")
def exception_note_add(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ExceptionNoteIn
) -> Status:
    services.exception_note_add(actor=request_actor(request), case_id=case_id, text=payload.text)
    return Status(201, _respond(response, case_id))


@router.post(
    "/{int:case_id}/resolve", response={200: ExceptionOut, **problems(400, 401, 403, 404, 409, 412, 422)}
)
@requires("orders:exceptions")
def exception_resolve(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ExceptionResolveIn
) -> dict[str, Any]:
    services.exception_resolve(
        actor=request_actor(request),
        case_id=case_id,
        expected_version=if_match_version(request),
        **payload.model_dump(),
    )
    return _respond(response, case_id)


@router.post(
    "/{int:case_id}/cancel", response={200: ExceptionOut, **problems(400, 401, 403, 404, 409, 412, 422)}
)
@requires("orders:exceptions")
def exception_cancel(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ExceptionCancelIn
) -> dict[str, Any]:
    services.exception_cancel(
        actor=request_actor(request),
        case_id=case_id,
        expected_version=if_match_version(request),
        reason=payload.reason,
    )
    return _respond(response, case_id)
