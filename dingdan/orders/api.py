"""/api/v1/orders: thin operations over the orders services and selectors.

Order responses mask the addresses' phone and street for callers without customers:pii; a
response that shows a caller with that scope an order's stored addresses (not just the ones
it sent) logs one PersonalDataAccess row for the request. Actions and draft edits take
If-Match with the ETag (the order's version); a stale one is 412.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.channels import selectors as channels
from dingdan.core.cache import cache_scope
from dingdan.core.exceptions import NotFound
from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import Principal, request_actor, request_channel, request_principal, requires
from dingdan.core.versioning import if_match_version, set_etag
from dingdan.customers import selectors as customers
from dingdan.customers import services as customer_services

from . import selectors, services
from .checks import render_reason
from .exceptions import ChannelNotAllowed, InvalidOrder
from .models import Order
from .schemas import (
    NoteIn,
    OrderDraftPatch,
    OrderFilterIn,
    OrderIn,
    OrderOut,
    OrderSummaryOut,
    ReasonIn,
)
from .schemas_review import AssignIn, ChangeRequestIn, ChangeRequestOut, ClassifyIn, RevisionOut

router = Router()


def _summary(order: Order) -> dict[str, Any]:
    return {
        **{name: getattr(order, name) for name in OrderSummaryOut.model_fields if hasattr(order, name)},
        "channel": order.channel.code,
        "staff_label": selectors.staff_label(order),
    }


def _sees_personal_data(request: HttpRequest) -> bool:
    principal = request_principal(request)
    return principal is not None and principal.has("customers:pii")


def _log_read(request: HttpRequest, order: Order, purpose: str | None) -> None:
    """One PersonalDataAccess row when the response shows the order's addresses unmasked."""
    shows_address = bool(order.shipping_address or order.billing_address)
    if purpose and shows_address and _sees_personal_data(request):
        customer_services.personal_data_access_record(
            actor=request_actor(request), subject_ids=[order.customer_id], purpose=purpose
        )


def _detail(request: HttpRequest, order: Order) -> dict[str, Any]:
    reservations = selectors.order_reservations(order)
    return {
        **_header(request, order),
        "lines": list(order.lines.all()),
        "checks": selectors.latest_check_results(order),
        "reservations": [
            {
                "line_id": int(r.demand_id),
                "sku_id": r.sku_id,
                "warehouse": r.warehouse_code,
                "quantity": r.quantity,
                "status": r.status,
            }
            for r in reservations
        ],
        "timeline": selectors.order_timeline(order),
    }


def _header(request: HttpRequest, order: Order) -> dict[str, Any]:
    """The order's own fields as OrderOut shows them (without lines, checks, reservations
    and timeline)."""
    unmasked = _sees_personal_data(request)
    return {
        **{name: getattr(order, name) for name in OrderOut.model_fields if hasattr(order, name)},
        **_summary(order),
        "hold_reasons": selectors.hold_reasons(order),
        "shipping_address": customers.address_for_display(address=order.shipping_address, unmasked=unmasked),
        "billing_address": customers.address_for_display(address=order.billing_address, unmasked=unmasked),
        "available_actions": selectors.available_actions(order),
    }


def _placed(request: HttpRequest, placed: services.Placement) -> dict[str, Any]:
    """The order just placed as OrderOut, from what placing it wrote: the same as reading it
    back (tested), without the six reads."""
    return {
        **_header(request, placed.order),
        "lines": placed.lines,
        "checks": [
            {
                "check": r.check,
                "outcome": r.outcome,
                "reason": r.reason,
                "message": render_reason(r.reason, r.params) if r.reason else "",
            }
            for r in placed.checks
        ],
        "reservations": [
            {
                "line_id": int(a.demand_id),
                "sku_id": a.sku_id,
                "warehouse": a.warehouse_code,
                "quantity": a.quantity,
                "status": a.reservation_status,
            }
            for a in placed.allocations
            if a.warehouse_id is not None
        ],
        "timeline": placed.timeline,
    }


def _respond(
    request: HttpRequest, response: HttpResponse, order_id: int, *, purpose: str | None
) -> dict[str, Any]:
    """The order as OrderOut, its version as the ETag; `purpose` names the read in the
    personal data access log (None: the response shows only what the caller sent)."""
    order = selectors.order_get(order_id=order_id)
    set_etag(response, order.version)
    _log_read(request, order, purpose)
    return _detail(request, order)


def _channel(request: HttpRequest, code: str | None) -> tuple[int, Any]:
    """The channel the order is for: the one named, else the token's, as (id, the channel
    when read here). A token bound to a channel may name only that one (ChannelNotAllowed)."""
    principal = request_principal(request)
    bound = principal.channel_id if principal else None
    if code is None:
        if bound is None:
            message = _("Name the sales channel (this token is not bound to one).")
            raise InvalidOrder(errors=[{"field": "channel", "message": message, "code": "required"}])
        return bound, None
    try:
        channel = channels.channel_get_shared(code=code)
    except NotFound as error:
        message = _("No such sales channel: %(code)s") % {"code": code}
        raise InvalidOrder(
            errors=[{"field": "channel", "message": message, "code": "unknown_channel"}]
        ) from error
    if bound is not None and bound != channel.pk:
        raise ChannelNotAllowed()
    return channel.pk, channel


@router.post("", response={201: OrderOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("orders:write")
def order_create(request: HttpRequest, response: HttpResponse, payload: OrderIn) -> Status:
    principal = request_principal(request)
    # The channel and the placement read one master-data version: the one read with the
    # caller's token when there is one (placement writes no cached table), else read now.
    with cache_scope(principal.cache_seen if principal else None):
        return _order_create(request, response, payload, principal)


def _order_create(
    request: HttpRequest, response: HttpResponse, payload: OrderIn, principal: Principal | None
) -> Status:
    channel_id, channel = _channel(request, payload.channel)
    order_request = services.OrderRequest(
        channel_id=channel_id,
        customer_id=payload.customer_id,
        lines=tuple(
            services.LineRequest(
                sku_code=line.sku, quantity=line.quantity, unit_price=line.unit_price, discount=line.discount
            )
            for line in payload.lines
        ),
        external_reference=payload.external_reference,
        type=payload.type,
        priority=payload.priority,
        shipping_address=payload.shipping_address.model_dump() if payload.shipping_address else None,
        billing_address=payload.billing_address.model_dump() if payload.billing_address else None,
        shipping_fee=payload.shipping_fee,
        customer_note=payload.customer_note,
        internal_note=payload.internal_note,
        coupon_codes=tuple(payload.coupon_codes),
    )
    placed = services.order_place(
        actor=request_actor(request),
        request=order_request,
        submit=payload.submit,
        may_set_prices=bool(principal and principal.has("orders:set_prices")),
        channel=channel,
        savepoint=False,  # `idempotent` rolls the request's whole transaction back on any error
    )
    # Addresses the caller did not send come from the customer's record: stored personal data.
    sent_both = payload.shipping_address is not None and payload.billing_address is not None
    set_etag(response, placed.order.version)
    _log_read(request, placed.order, None if sent_both else "api.order_create")
    return Status(201, _placed(request, placed))


@router.get("", response={200: Page[OrderSummaryOut], **problems(400, 401, 403)})
@requires("orders:read")
def order_list(request: HttpRequest, filters: Query[OrderFilterIn], page: Query[PageQuery]) -> dict[str, Any]:
    orders = selectors.order_list(
        filters=selectors.OrderFilters(**filters.model_dump(), channel_id=request_channel(request))
    )
    items, cursor = paginate(orders, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": [_summary(order) for order in items], "next": cursor}


@router.get("/{int:order_id}", response={200: OrderOut, **problems(401, 403, 404)})
@requires("orders:read")
def order_detail(request: HttpRequest, response: HttpResponse, order_id: int) -> dict[str, Any]:
    return _respond(request, response, order_id, purpose="api.order_detail")


@router.patch("/{int:order_id}", response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)})
@requires("orders:write")
def order_update(
    request: HttpRequest, response: HttpResponse, order_id: int, payload: OrderDraftPatch
) -> Any:
    services.order_update_draft(
        actor=request_actor(request),
        order_id=order_id,
        expected_version=if_match_version(request),
        changes=payload.model_dump(exclude_unset=True, exclude_none=True),
    )
    return _respond(request, response, order_id, purpose="api.order_update")


def _action(name: str, scope: str, body: type, service: Any, argument: str) -> None:
    @router.post(
        f"/{{int:order_id}}/{name}",
        response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)},
        operation_id=f"order_{name}",
        summary=f"{name.capitalize()} an order",
    )
    @requires(scope)
    def operation(request: HttpRequest, response: HttpResponse, order_id: int, payload: body) -> Any:  # type: ignore[valid-type]
        values = payload.model_dump()  # type: ignore[attr-defined]
        service(
            actor=request_actor(request),
            order_id=order_id,
            expected_version=if_match_version(request),
            **({argument: values[argument]} if argument else {}),
        )
        return _respond(request, response, order_id, purpose=f"api.order_{name}")


_action("submit", "orders:write", NoteIn, services.order_submit, "")


@router.post(
    "/{int:order_id}/approve",
    response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)},
    summary="Approve an order",
    description="Approving an order on hold, or one whose checks failed, overrides them: "
    "it needs the orders:override scope and a note.",
)
@requires("orders:review")
def order_approve(request: HttpRequest, response: HttpResponse, order_id: int, payload: NoteIn) -> Any:
    principal = request_principal(request)
    services.order_approve(
        actor=request_actor(request),
        order_id=order_id,
        note=payload.note,
        expected_version=if_match_version(request),
        may_override=bool(principal and principal.has("orders:override")),
    )
    return _respond(request, response, order_id, purpose="api.order_approve")


_action("hold", "orders:review", ReasonIn, services.order_hold, "reason")
_action("release", "orders:review", NoteIn, services.order_release, "note")
_action("reject", "orders:review", ReasonIn, services.order_reject, "reason")
_action("cancel", "orders:write", ReasonIn, services.order_cancel, "reason")


@router.post(
    "/{int:order_id}/assign",
    response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)},
    summary="Assign an order in the review queue to a colleague",
)
@requires("orders:review")
def order_assign(request: HttpRequest, response: HttpResponse, order_id: int, payload: AssignIn) -> Any:
    services.order_assign(
        actor=request_actor(request),
        order_id=order_id,
        owner_id=payload.owner_id,
        due_at=payload.due_at,
        expected_version=if_match_version(request),
    )
    return _respond(request, response, order_id, purpose="api.order_assign")


@router.post(
    "/{int:order_id}/classify",
    response={200: OrderOut, **problems(400, 401, 403, 404, 409, 412, 422)},
    summary="Change an order's type, priority or customer grade",
)
@requires("orders:review")
def order_classify(request: HttpRequest, response: HttpResponse, order_id: int, payload: ClassifyIn) -> Any:
    services.order_classify(
        actor=request_actor(request),
        order_id=order_id,
        expected_version=if_match_version(request),
        **payload.model_dump(),
    )
    return _respond(request, response, order_id, purpose="api.order_classify")


@router.post(
    "/{int:order_id}/changes",
    response={201: ChangeRequestOut, **problems(400, 401, 403, 404, 409, 412, 422)},
    summary="Stage a change to a submitted order",
)
@decorate_view(idempotent)
@requires("orders:write")
def change_request_stage(request: HttpRequest, order_id: int, payload: ChangeRequestIn) -> Status:
    from .api_amendments import change_out

    principal = request_principal(request)
    change = services.change_request_stage(
        actor=request_actor(request),
        order_id=order_id,
        operations=[op.model_dump(exclude_none=True, mode="json") for op in payload.operations],
        note=payload.note,
        may_set_prices=bool(principal and principal.has("orders:set_prices")),
        expected_version=if_match_version(request),
    )
    return Status(201, change_out(change))


@router.get("/{int:order_id}/revisions", response={200: list[RevisionOut], **problems(401, 403, 404)})
@requires("orders:read")
def order_revisions(request: HttpRequest, order_id: int) -> Any:
    """Every kept revision of the order, oldest first (an order never amended has none)."""
    selectors.order_get(order_id=order_id)
    return list(selectors.order_revisions(order_id=order_id))


def _mount() -> None:
    from .api_amendments import router as changes
    from .api_cases import router as cases
    from .api_review import router as review

    router.add_router("/exceptions", cases, tags=["exceptions"])
    router.add_router("/review", review, tags=["review"])
    router.add_router("/changes", changes, tags=["amendments"])


_mount()
