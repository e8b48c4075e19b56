"""/api/v1/fulfillment: thin operations over the fulfilment services and selectors.

Creating POSTs take an Idempotency-Key; the carrier webhook authenticates by its HMAC
signature instead of a token (ARCHITECTURE §6b) and is replay-safe by event id."""

import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.responses import Status

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, request_channel, requires
from dingdan.inventory import selectors as inventory_selectors
from dingdan.inventory.exceptions import WarehouseNotFound

from . import documents, domain, selectors, services
from .models import Package, PickList, Shipment, SourcingDecision
from .schemas import (
    AtRiskFilter,
    AtRiskOut,
    CarrierOut,
    DocumentQuery,
    PackageOut,
    PackingIn,
    PickConfirmIn,
    PickListFilter,
    PickListIn,
    PickListOut,
    PickListPdfQuery,
    PickListSummaryOut,
    RecordedOut,
    ShipmentFilter,
    ShipmentIn,
    ShipmentOut,
    ShipmentSummaryOut,
    SourcingDecisionOut,
    SourcingIn,
    SourcingPreviewOut,
    TrackingEventIn,
    UploadOut,
)

router = Router()
PDF = {
    "200": {
        "description": "PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
WEBHOOK_ACTOR = "carrier-webhook"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _warehouse_id(code: str, field: str = "warehouse") -> int:
    try:
        return inventory_selectors.warehouse_get(code=code).pk
    except WarehouseNotFound as error:
        message = _("No such warehouse: %(code)s") % {"code": code}
        raise ValidationFailed(
            errors=[{"field": field, "message": message, "code": "unknown_warehouse"}]
        ) from error


@router.get("/carriers", response={200: Page[CarrierOut], **problems(400, 401, 403, 422)})
@requires("fulfillment:read")
def carrier_list(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    items, cursor = paginate(selectors.carrier_list(), limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


# Sourcing ---------------------------------------------------------------------------------


def _assignments(assignments: Any, warehouses: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "line_id": a.line_id,
            "warehouse_id": a.warehouse_id,
            "warehouse": warehouses.get(a.warehouse_id, ""),
            "quantity": a.quantity,
        }
        for a in assignments
    ]


@router.get(
    "/fulfillment/orders/{int:order_id}/sourcing",
    response={200: SourcingPreviewOut, **problems(401, 403, 404)},
)
@requires("fulfillment:read")
def sourcing_preview(request: HttpRequest, order_id: int) -> dict[str, Any]:
    preview = services.sourcing_preview(order_id=order_id)
    return {
        "order_id": preview.order_id,
        "current": _assignments(preview.current, preview.warehouses),
        "proposed": _assignments(preview.plan.assignments, preview.warehouses),
        "shortages": [{"line_id": line, "quantity": units} for line, units in preview.plan.shortages],
        "explanation": [{"rule": r.rule, "params": r.params} for r in preview.plan.explanation],
    }


@router.post(
    "/fulfillment/orders/{int:order_id}/sourcing",
    response={201: SourcingDecisionOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires("fulfillment:pick")
def order_source(request: HttpRequest, order_id: int, payload: SourcingIn) -> Status:
    override = None
    if payload.assignments is not None:
        override = [
            domain.Assignment(a.line_id, _warehouse_id(a.warehouse, f"assignments.{i}.warehouse"), a.quantity)
            for i, a in enumerate(payload.assignments)
        ]
    decision: SourcingDecision = services.order_source(
        actor=request_actor(request), order_id=order_id, override=override, reason=payload.reason
    )
    return Status(201, decision)


# Pick lists -------------------------------------------------------------------------------


def _pick_list(pick_list_id: int) -> dict[str, Any]:
    pick_list = selectors.pick_list_get(pick_list_id=pick_list_id)
    return {
        **_pick_summary(pick_list),
        "lines": [
            {
                "id": line.pk,
                "sequence": line.sequence,
                "order_id": line.order_id,
                "order_number": line.order.number,
                "order_line_id": line.order_line_id,
                "sku_code": line.sku_code,
                "name": line.name,
                "bin_code": line.bin_code,
                "quantity": line.quantity,
                "picked": line.picked,
                "packed": line.packed,
                "shipped": line.shipped,
            }
            for line in pick_list.lines.all()
        ],
    }


def _pick_summary(pick_list: PickList) -> dict[str, Any]:
    fields = ("id", "number", "kind", "status", "created_by", "picked_by", "created_at")
    return {**{name: getattr(pick_list, name) for name in fields}, "warehouse": pick_list.warehouse.code}


@router.post(
    "/fulfillment/pick-lists", response={201: PickListOut, **problems(400, 401, 403, 404, 409, 413, 422)}
)
@decorate_view(idempotent)
@requires("fulfillment:pick")
def pick_list_create(request: HttpRequest, payload: PickListIn) -> Status:
    pick_list = services.pick_list_create(
        actor=request_actor(request), warehouse_id=_warehouse_id(payload.warehouse), order_ids=payload.orders
    )
    return Status(201, _pick_list(pick_list.pk))


@router.get(
    "/fulfillment/pick-lists", response={200: Page[PickListSummaryOut], **problems(400, 401, 403, 422)}
)
@requires("fulfillment:read")
def pick_list_list(
    request: HttpRequest, filters: Query[PickListFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    pick_lists = selectors.pick_list_list(
        warehouse=filters.warehouse, status=filters.status, channel_id=request_channel(request)
    )
    items, cursor = paginate(pick_lists, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": [_pick_summary(p) for p in items], "next": cursor}


@router.get(
    "/fulfillment/pick-lists/{int:pick_list_id}", response={200: PickListOut, **problems(401, 403, 404)}
)
@requires("fulfillment:read")
def pick_list_detail(request: HttpRequest, pick_list_id: int) -> dict[str, Any]:
    return _pick_list(pick_list_id)


@router.post(
    "/fulfillment/pick-lists/{int:pick_list_id}/confirm",
    response={200: PickListOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@requires("fulfillment:pick")
def pick_list_confirm(request: HttpRequest, pick_list_id: int, payload: PickConfirmIn) -> dict[str, Any]:
    picked = {line.line_id: line.picked for line in payload.lines}
    services.pick_list_confirm(actor=request_actor(request), pick_list_id=pick_list_id, picked=picked)
    return _pick_list(pick_list_id)


@router.get(
    "/fulfillment/pick-lists/{int:pick_list_id}/pdf",
    response={**problems(401, 403, 404, 422)},
    openapi_extra={"responses": PDF},
)
@requires("fulfillment:read")
def pick_list_pdf(request: HttpRequest, pick_list_id: int, query: Query[PickListPdfQuery]) -> HttpResponse:
    language = query.language or get_language()
    return _pdf(
        documents.pick_list_pdf(pick_list_id=pick_list_id, language=language), f"pick-list-{pick_list_id}"
    )


# Packing ----------------------------------------------------------------------------------


def _package(package: Package) -> dict[str, Any]:
    fields = (
        "id",
        "number",
        "order_id",
        "pick_list_id",
        "warehouse_id",
        "shipment_id",
        "weight_kg",
        "length_cm",
        "width_cm",
        "height_cm",
    )
    return {
        **{name: getattr(package, name) for name in fields},
        "lines": [
            {
                "order_line_id": line.order_line_id,
                "sku_code": line.order_line.sku_code,
                "quantity": line.quantity,
            }
            for line in package.lines.all()
        ],
    }


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@router.post(
    "/fulfillment/pick-lists/{int:pick_list_id}/packages",
    response={201: list[PackageOut], **problems(400, 401, 403, 404, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires("fulfillment:pick")
def packages_create(request: HttpRequest, pick_list_id: int, payload: PackingIn) -> Status:
    specs = []
    for spec in payload.packages:
        contents: dict[str, int] = {}
        for content in spec.contents:
            contents[content.sku] = contents.get(content.sku, 0) + content.quantity
        specs.append(
            services.PackageSpec(
                contents,
                Decimal(spec.weight_kg),
                _decimal(spec.length_cm),
                _decimal(spec.width_cm),
                _decimal(spec.height_cm),
            )
        )
    packages = services.packages_create(
        actor=request_actor(request), pick_list_id=pick_list_id, order_id=payload.order_id, packages=specs
    )
    return Status(201, [_package(selectors.package_get(package_id=p.pk)) for p in packages])


@router.get("/fulfillment/packages/{int:package_id}", response={200: PackageOut, **problems(401, 403, 404)})
@requires("fulfillment:read")
def package_detail(request: HttpRequest, package_id: int) -> dict[str, Any]:
    return _package(selectors.package_get(package_id=package_id))


@router.get(
    "/fulfillment/packages/{int:package_id}/packing-slip",
    response={**problems(401, 403, 404)},
    openapi_extra={"responses": PDF},
)
@requires("fulfillment:read")
def packing_slip_pdf(request: HttpRequest, package_id: int) -> HttpResponse:
    return _pdf(documents.packing_slip_pdf(package_id=package_id), f"packing-slip-{package_id}")


# Shipments --------------------------------------------------------------------------------


def _shipment_summary(shipment: Shipment) -> dict[str, Any]:
    fields = (
        "id",
        "number",
        "order_id",
        "service",
        "tracking_number",
        "cost",
        "currency",
        "status",
        "shipped_at",
        "delivered_at",
        "promised_date",
    )
    return {
        **{name: getattr(shipment, name) for name in fields},
        "order_number": shipment.order.number,
        "warehouse": shipment.warehouse.code,
        "carrier": shipment.carrier.code,
        "tracking_url": selectors.tracking_url(shipment),
    }


def _shipment(shipment_id: int) -> dict[str, Any]:
    shipment = selectors.shipment_get(shipment_id=shipment_id)
    return {
        **_shipment_summary(shipment),
        "lines": [
            {
                "order_line_id": line.order_line_id,
                "sku_code": line.order_line.sku_code,
                "quantity": line.quantity,
            }
            for line in shipment.lines.all()
        ],
        "packages": [package.number for package in shipment.packages.all()],
        "events": list(shipment.events.all()),
    }


@router.post(
    "/fulfillment/shipments", response={201: ShipmentOut, **problems(400, 401, 403, 404, 409, 413, 422)}
)
@decorate_view(idempotent)
@requires("fulfillment:ship")
def shipment_create(request: HttpRequest, payload: ShipmentIn) -> Status:
    shipment = services.shipment_create(
        actor=request_actor(request),
        package_ids=payload.packages,
        carrier_code=payload.carrier,
        service=payload.service,
        tracking_number=payload.tracking_number,
        cost=payload.cost,
    )
    return Status(201, _shipment(shipment.pk))


@router.get(
    "/fulfillment/shipments", response={200: Page[ShipmentSummaryOut], **problems(400, 401, 403, 422)}
)
@requires("fulfillment:read")
def shipment_list(
    request: HttpRequest, filters: Query[ShipmentFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    shipments = selectors.shipment_list(
        order_id=filters.order_id,
        status=filters.status,
        carrier=filters.carrier,
        channel_id=request_channel(request),
    )
    items, cursor = paginate(shipments, limit=page.limit, cursor=page.cursor, ordering=("-pk",))
    return {"items": [_shipment_summary(s) for s in items], "next": cursor}


@router.get(
    "/fulfillment/shipments/{int:shipment_id}", response={200: ShipmentOut, **problems(401, 403, 404)}
)
@requires("fulfillment:read")
def shipment_detail(request: HttpRequest, shipment_id: int) -> dict[str, Any]:
    return _shipment(shipment_id)


def _recorded(recorded: services.Recorded) -> dict[str, Any]:
    event = recorded.event
    return {
        "event_id": event.event_id,
        "shipment_id": event.shipment_id,
        "kind": event.kind,
        "applied": event.applied,
        "duplicate": recorded.duplicate,
    }


@router.post(
    "/fulfillment/shipments/{int:shipment_id}/events",
    response={201: RecordedOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires("fulfillment:ship")
def tracking_event_create(request: HttpRequest, shipment_id: int, payload: TrackingEventIn) -> Status:
    """A tracking event entered by hand."""
    shipment = selectors.shipment_get(shipment_id=shipment_id)
    update = services.TrackingUpdate(
        carrier_code=shipment.carrier.code,
        tracking_number=shipment.tracking_number,
        event_id=f"manual:{payload.event_id or uuid.uuid4().hex}",
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        location=payload.location,
        description=payload.description,
    )
    return Status(
        201,
        _recorded(
            services.tracking_event_record(actor=request_actor(request), update=update, source="manual")
        ),
    )


@router.post(
    "/fulfillment/tracking/uploads", response={200: UploadOut, **problems(400, 401, 403, 404, 413, 422)}
)
@requires("fulfillment:ship")
def tracking_upload(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    """Tracking events from a CSV or Excel (.xlsx) file with the columns carrier,
    tracking_number, event_id, kind, occurred_at (ISO 8601 with offset), location,
    description. A bad row refuses the whole file."""
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            errors=[{"field": "file", "message": _("The file is larger than 5 MB."), "code": "too_large"}]
        )
    updates = services.tracking_file_read(content=file.read(), filename=file.name or "")
    recorded = services.tracking_events_upload(actor=request_actor(request), updates=updates)
    duplicates = sum(1 for r in recorded if r.duplicate)
    return {"recorded": len(recorded) - duplicates, "duplicates": duplicates}


@router.post(
    "/fulfillment/tracking/webhooks/{carrier}",
    auth=None,
    response={200: RecordedOut, **problems(400, 401, 403, 404, 413, 422)},
)
def tracking_webhook(request: HttpRequest, carrier: str) -> dict[str, Any]:
    """A carrier's tracking event. Signed: header `X-Dingdan-Signature: t=<unix time>,v1=<hex
    HMAC-SHA256 of "t.body">` with the carrier's webhook secret, at most 5 minutes old. Body
    `{"id", "type", "data": {"tracking_number", "kind", "occurred_at", "location",
    "description"}}`. The same id again is a replay: 200 with duplicate true, nothing changes."""
    recorded = services.tracking_webhook_receive(
        carrier_code=carrier,
        body=request.body,
        signature=request.headers.get("X-Dingdan-Signature", ""),
        actor=Actor(username=f"{WEBHOOK_ACTOR}:{carrier}"[:150], via="system"),
    )
    return _recorded(recorded)


# Documents and promises -------------------------------------------------------------------


@router.get(
    "/fulfillment/orders/{int:order_id}/delivery-note",
    response={**problems(401, 403, 404, 422)},
    openapi_extra={"responses": PDF},
)
@requires("fulfillment:read")
def delivery_note_pdf(request: HttpRequest, order_id: int, query: Query[DocumentQuery]) -> HttpResponse:
    content = documents.delivery_note_pdf(order_id=order_id, shipment_id=query.shipment_id)
    return _pdf(content, f"delivery-note-{order_id}")


@router.get("/fulfillment/orders-at-risk", response={200: list[AtRiskOut], **problems(401, 403, 422)})
@requires("fulfillment:read")
def orders_at_risk(request: HttpRequest, filters: Query[AtRiskFilter]) -> list[Any]:
    return selectors.orders_at_risk(horizon_days=filters.horizon_days)
