from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires

from . import selectors, services
from .schemas import WarehouseFilter, WarehouseIn, WarehouseOut, WarehousePatch

router = Router()

# Sourcing order: lower priority numbers first; the primary key makes the order total.
WAREHOUSE_ORDERING = ("priority", "pk")


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
