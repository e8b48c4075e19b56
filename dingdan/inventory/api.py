from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires

from . import selectors, services
from .schemas import (
    AdjustmentIn,
    MovementFilter,
    MovementOut,
    ReceiptIn,
    ReceiptOut,
    StockFilter,
    StockOut,
    WarehouseFilter,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)

router = Router()

# Sourcing order: lower priority numbers first; the primary key makes the order total.
WAREHOUSE_ORDERING = ("priority", "pk")
# One stock row per (SKU, warehouse): the pair orders the list totally.
STOCK_ORDERING = ("sku_id", "warehouse_id")
MOVEMENT_ORDERING = ("-pk",)  # newest first: the ledger is append-only


@router.get("/warehouses", response={200: Page[WarehouseOut], **problems(400, 401, 403, 422)})
@requires("inventory:read")
def warehouse_list(request: HttpRequest, filters: Query[WarehouseFilter], page: Query[PageQuery]) -> dict:
    warehouses = selectors.warehouse_list(
        is_active=filters.is_active, kind=filters.kind, region=filters.region
    )
    items, cursor = paginate(warehouses, limit=page.limit, cursor=page.cursor, ordering=WAREHOUSE_ORDERING)
    return {"items": items, "next": cursor}


@router.post("/warehouses", response={201: WarehouseOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("inventory:write")
def warehouse_create(request: HttpRequest, payload: WarehouseIn) -> Status:
    warehouse = services.warehouse_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, warehouse)


@router.get("/warehouses/{int:warehouse_id}", response={200: WarehouseOut, **problems(401, 403, 404)})
@requires("inventory:read")
def warehouse_detail(request: HttpRequest, warehouse_id: int) -> object:
    return selectors.warehouse_get(warehouse_id=warehouse_id)


@router.patch(
    "/warehouses/{int:warehouse_id}", response={200: WarehouseOut, **problems(400, 401, 403, 404, 413, 422)}
)
@requires("inventory:write")
def warehouse_update(request: HttpRequest, warehouse_id: int, payload: WarehousePatch) -> object:
    warehouse = selectors.warehouse_get(warehouse_id=warehouse_id)
    return services.warehouse_update(
        warehouse=warehouse,
        actor=request_actor(request),
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.get("/inventory/stock", response={200: Page[StockOut], **problems(400, 401, 403, 422)})
@requires("inventory:read")
def stock_list(request: HttpRequest, filters: Query[StockFilter], page: Query[PageQuery]) -> dict:
    levels = selectors.stock_list(
        filters=selectors.StockFilters(
            sku_id=filters.sku_id,
            sku_code=filters.sku,
            warehouse=filters.warehouse,
            below_reorder_point=filters.below_reorder_point,
            available_only=filters.available_only,
        )
    )
    items, cursor = paginate(levels, limit=page.limit, cursor=page.cursor, ordering=STOCK_ORDERING)
    return {"items": items, "next": cursor}


@router.post("/inventory/receipts", response={201: ReceiptOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("inventory:write")
def stock_receipt_create(request: HttpRequest, payload: ReceiptIn) -> Status:
    warehouse_id, sku_ids = selectors.stock_codes_resolve(
        warehouse=payload.warehouse,
        skus=[(f"lines.{index}.sku", line.sku) for index, line in enumerate(payload.lines)],
    )
    movements = services.stock_receive(
        actor=request_actor(request),
        warehouse_id=warehouse_id,
        lines=[
            services.StockLine(sku_id, line.quantity)
            for sku_id, line in zip(sku_ids, payload.lines, strict=True)
        ],
        reference=payload.reference,
        note=payload.note,
    )
    recorded = selectors.movement_list(movement_ids=[m.pk for m in movements]).order_by("pk")
    return Status(
        201, {"warehouse": payload.warehouse, "reference": payload.reference, "movements": list(recorded)}
    )


@router.post("/inventory/adjustments", response={201: MovementOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("inventory:write")
def stock_adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Status:
    warehouse_id, [sku_id] = selectors.stock_codes_resolve(
        warehouse=payload.warehouse, skus=[("sku", payload.sku)]
    )
    movement = services.stock_adjust(
        actor=request_actor(request),
        warehouse_id=warehouse_id,
        sku_id=sku_id,
        quantity=payload.quantity,
        reason=payload.reason,
        note=payload.note,
    )
    return Status(201, selectors.movement_list(movement_ids=[movement.pk]).get())


@router.get("/inventory/movements", response={200: Page[MovementOut], **problems(400, 401, 403, 422)})
@requires("inventory:read")
def movement_list(request: HttpRequest, filters: Query[MovementFilter], page: Query[PageQuery]) -> dict:
    movements = selectors.movement_list(
        sku_id=filters.sku_id, sku_code=filters.sku, warehouse=filters.warehouse, kind=filters.kind
    )
    items, cursor = paginate(movements, limit=page.limit, cursor=page.cursor, ordering=MOVEMENT_ORDERING)
    return {"items": items, "next": cursor}
