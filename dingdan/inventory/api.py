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
    BinIn,
    BinOut,
    BinStockIn,
    BinStockOut,
    LowStockFilter,
    MovementFilter,
    MovementOut,
    OwnersIn,
    OwnersOut,
    ReceiptIn,
    ReceiptOut,
    ReorderPointIn,
    StockCountIn,
    StockCountOut,
    StockCountRecordIn,
    StockFilter,
    StockOut,
    TransferIn,
    TransferOut,
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


# Warehouse operations ---------------------------------------------------------------------


@router.get(
    "/warehouses/{int:warehouse_id}/bins", response={200: Page[BinOut], **problems(400, 401, 403, 404, 422)}
)
@requires("inventory:read")
def bin_list(request: HttpRequest, warehouse_id: int, page: Query[PageQuery]) -> dict:
    selectors.warehouse_get(warehouse_id=warehouse_id)
    bins = selectors.bin_list(warehouse_id=warehouse_id)
    items, cursor = paginate(bins, limit=page.limit, cursor=page.cursor, ordering=("code", "pk"))
    return {"items": items, "next": cursor}


@router.post(
    "/warehouses/{int:warehouse_id}/bins",
    response={201: BinOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires("inventory:write")
def bin_create(request: HttpRequest, warehouse_id: int, payload: BinIn) -> Status:
    location = services.bin_create(actor=request_actor(request), warehouse_id=warehouse_id, code=payload.code)
    return Status(201, location)


@router.post(
    "/warehouses/{int:warehouse_id}/bins/{int:bin_id}/stock",
    response={200: BinStockOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@requires("inventory:write")
def bin_stock_put(request: HttpRequest, warehouse_id: int, bin_id: int, payload: BinStockIn) -> dict:
    location = selectors.bin_get(warehouse_id=warehouse_id, bin_id=bin_id)
    _warehouse, [sku_id] = selectors.stock_codes_resolve(
        warehouse=location.warehouse.code, skus=[("sku", payload.sku)]
    )
    row = services.bin_stock_put(
        actor=request_actor(request), bin_id=location.pk, sku_id=sku_id, quantity=payload.quantity
    )
    return {"bin": location.code, "sku": payload.sku, "quantity": row.quantity}


@router.put(
    "/warehouses/{int:warehouse_id}/owners",
    response={200: OwnersOut, **problems(400, 401, 403, 404, 413, 422)},
)
@requires("inventory:write")
def warehouse_owners_set(request: HttpRequest, warehouse_id: int, payload: OwnersIn) -> dict:
    selectors.warehouse_get(warehouse_id=warehouse_id)
    owners = services.warehouse_owners_set(
        actor=request_actor(request), warehouse_id=warehouse_id, user_ids=payload.user_ids
    )
    return {"warehouse_id": warehouse_id, "user_ids": owners}


@router.post("/inventory/transfers", response={201: TransferOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("inventory:write")
def transfer_create(request: HttpRequest, payload: TransferIn) -> Status:
    source_id, sku_ids = selectors.stock_codes_resolve(
        warehouse=payload.source,
        skus=[(f"lines.{index}.sku", line.sku) for index, line in enumerate(payload.lines)],
    )
    destination_id, _skus = selectors.stock_codes_resolve(warehouse=payload.destination, skus=[])
    transfer = services.transfer_create(
        actor=request_actor(request),
        source_id=source_id,
        destination_id=destination_id,
        lines=[
            services.StockLine(sku_id, line.quantity)
            for sku_id, line in zip(sku_ids, payload.lines, strict=True)
        ],
        note=payload.note,
    )
    return Status(201, selectors.transfer_view(transfer_id=transfer.pk))


@router.get("/inventory/transfers/{int:transfer_id}", response={200: TransferOut, **problems(401, 403, 404)})
@requires("inventory:read")
def transfer_detail(request: HttpRequest, transfer_id: int) -> dict:
    return selectors.transfer_view(transfer_id=transfer_id)


@router.post(
    "/inventory/transfers/{int:transfer_id}/receive",
    response={200: TransferOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@requires("inventory:write")
def transfer_receive(request: HttpRequest, transfer_id: int) -> dict:
    services.transfer_receive(actor=request_actor(request), transfer_id=transfer_id)
    return selectors.transfer_view(transfer_id=transfer_id)


@router.post("/inventory/counts", response={201: StockCountOut, **problems(400, 401, 403, 409, 413, 422)})
@decorate_view(idempotent)
@requires("inventory:write")
def stock_count_open(request: HttpRequest, payload: StockCountIn) -> Status:
    warehouse_id, sku_ids = selectors.stock_codes_resolve(
        warehouse=payload.warehouse, skus=[(f"skus.{index}", code) for index, code in enumerate(payload.skus)]
    )
    count = services.stock_count_open(
        actor=request_actor(request),
        warehouse_id=warehouse_id,
        kind=payload.kind,
        reason=payload.reason,
        sku_ids=sku_ids,
    )
    return Status(201, selectors.stock_count_view(count_id=count.pk))


@router.get("/inventory/counts/{int:count_id}", response={200: StockCountOut, **problems(401, 403, 404)})
@requires("inventory:read")
def stock_count_detail(request: HttpRequest, count_id: int) -> dict:
    return selectors.stock_count_view(count_id=count_id)


@router.post(
    "/inventory/counts/{int:count_id}/lines",
    response={200: StockCountOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@requires("inventory:write")
def stock_count_record(request: HttpRequest, count_id: int, payload: StockCountRecordIn) -> dict:
    count = selectors.stock_count_get(count_id=count_id)
    _warehouse, sku_ids = selectors.stock_codes_resolve(
        warehouse=count.warehouse.code,
        skus=[(f"lines.{index}.sku", line.sku) for index, line in enumerate(payload.lines)],
    )
    counted = {sku_id: line.counted for sku_id, line in zip(sku_ids, payload.lines, strict=True)}
    services.stock_count_record(actor=request_actor(request), count_id=count_id, counted=counted)
    return selectors.stock_count_view(count_id=count_id)


@router.post(
    "/inventory/counts/{int:count_id}/post",
    response={200: StockCountOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@requires("inventory:write")
def stock_count_post(request: HttpRequest, count_id: int) -> dict:
    services.stock_count_post(actor=request_actor(request), count_id=count_id)
    return selectors.stock_count_view(count_id=count_id)


@router.put("/inventory/reorder-points", response={200: StockOut, **problems(400, 401, 403, 409, 413, 422)})
@requires("inventory:write")
def reorder_point_set(request: HttpRequest, payload: ReorderPointIn) -> object:
    warehouse_id, [sku_id] = selectors.stock_codes_resolve(
        warehouse=payload.warehouse, skus=[("sku", payload.sku)]
    )
    level = services.stock_reorder_point_set(
        actor=request_actor(request),
        warehouse_id=warehouse_id,
        sku_id=sku_id,
        reorder_point=payload.reorder_point,
    )
    return selectors.stock_list(filters=selectors.StockFilters(sku_id=level.sku_id)).get(
        warehouse_id=warehouse_id
    )


@router.get("/inventory/low-stock", response={200: Page[StockOut], **problems(400, 401, 403, 422)})
@requires("inventory:read")
def stock_low_list(request: HttpRequest, filters: Query[LowStockFilter], page: Query[PageQuery]) -> dict:
    levels = selectors.stock_low_list(warehouse_code=filters.warehouse)
    items, cursor = paginate(
        levels, limit=page.limit, cursor=page.cursor, ordering=("warehouse_id", "sku_id")
    )
    return {"items": items, "next": cursor}
