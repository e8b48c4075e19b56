from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, F, IntegerField, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.core.cache import cached
from dingdan.core.exceptions import ValidationFailed

from .exceptions import StockCountNotFound, TransferNotFound, WarehouseNotFound
from .models import BinStock, Reservation, StockCount, StockLevel, StockMovement, Transfer, Warehouse


def warehouse_list(
    *, is_active: bool | None = None, kind: str | None = None, region: str | None = None
) -> QuerySet[Warehouse]:
    warehouses = Warehouse.objects.all()
    if is_active is not None:
        warehouses = warehouses.filter(is_active=is_active)
    if kind:
        warehouses = warehouses.filter(kind=kind)
    if region:
        warehouses = warehouses.filter(region=region)
    return warehouses


def warehouse_get(*, warehouse_id: int | None = None, code: str | None = None) -> Warehouse:
    """The warehouse by id or by code; raises WarehouseNotFound."""
    if warehouse_id is not None:
        warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    else:
        warehouse = Warehouse.objects.filter(code=code).first() if code else None
    if warehouse is None:
        raise WarehouseNotFound()
    return warehouse


def warehouse_sourcing_order() -> list[int]:
    """Active warehouse ids in the order reservations try them: lower priority number first."""
    return list(
        Warehouse.objects.filter(is_active=True).order_by("priority", "pk").values_list("pk", flat=True)
    )


def stock_available(*, sku_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(sku_id, warehouse_id, available) for these SKUs in active warehouses (one query)."""
    rows = StockLevel.objects.filter(sku_id__in=list(sku_ids), warehouse__is_active=True).annotate(
        free=F("on_hand") - F("reserved")
    )
    return list(rows.values_list("sku_id", "warehouse_id", "free"))


@dataclass(frozen=True)
class StockFilters:
    sku_id: int | None = None
    sku_code: str | None = None
    warehouse: str | None = None
    below_reorder_point: bool = False
    available_only: bool = False


def stock_list(*, filters: StockFilters) -> QuerySet[StockLevel]:
    """Stock rows with their SKU and warehouse (one query). `below_reorder_point`: rows whose
    available units (on hand − reserved: reserved units are already promised) are at or below
    their reorder point."""
    levels = StockLevel.objects.select_related("sku", "warehouse")
    if filters.sku_id:
        levels = levels.filter(sku_id=filters.sku_id)
    if filters.sku_code:
        levels = levels.filter(sku__code=filters.sku_code)
    if filters.warehouse:
        levels = levels.filter(warehouse__code=filters.warehouse)
    if filters.below_reorder_point:
        levels = levels.filter(reorder_point__isnull=False, on_hand__lte=F("reserved") + F("reorder_point"))
    if filters.available_only:
        levels = levels.filter(on_hand__gt=F("reserved"))
    return levels


def movement_list(
    *,
    sku_id: int | None = None,
    sku_code: str | None = None,
    warehouse: str | None = None,
    kind: str | None = None,
    movement_ids: Sequence[int] | None = None,
) -> QuerySet[StockMovement]:
    """Ledger rows with their SKU and warehouse (one query)."""
    movements = StockMovement.objects.select_related("sku", "warehouse")
    if movement_ids is not None:
        movements = movements.filter(pk__in=list(movement_ids))
    if sku_id:
        movements = movements.filter(sku_id=sku_id)
    if sku_code:
        movements = movements.filter(sku__code=sku_code)
    if warehouse:
        movements = movements.filter(warehouse__code=warehouse)
    if kind:
        movements = movements.filter(kind=kind)
    return movements


@dataclass(frozen=True)
class ReservationView:
    demand_id: str
    sku_id: int
    warehouse_code: str
    quantity: int
    status: str


def reservations_for(*, demand_type: str, demand_ids: Sequence[str]) -> list[ReservationView]:
    rows = (
        Reservation.objects.filter(demand_type=demand_type, demand_id__in=list(demand_ids))
        .order_by("pk")
        .values_list("demand_id", "sku_id", "warehouse__code", "quantity", "status")
    )
    return [ReservationView(*row) for row in rows]


def _unknown(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def stock_codes_resolve(*, warehouse: str, skus: Sequence[tuple[str, str]]) -> tuple[int, list[int]]:
    """The warehouse id and the SKU ids (in the given order) for codes a request names; `skus`
    pairs each code with the request field that holds it. Raises one ValidationFailed naming
    every unknown code's field (unknown_warehouse, unknown_sku). Two queries."""
    found = Warehouse.objects.filter(code=warehouse).values_list("pk", flat=True).first()
    by_code = catalog.skus_by_codes(codes=[code for _field, code in skus])
    errors = []
    if found is None:
        errors.append(
            _unknown("warehouse", _("No such warehouse: %(code)s") % {"code": warehouse}, "unknown_warehouse")
        )
    for field, code in skus:
        if code not in by_code:
            errors.append(_unknown(field, _("No such SKU: %(sku)s") % {"sku": code}, "unknown_sku"))
    if errors or found is None:
        raise ValidationFailed(errors=errors)
    return found, [by_code[code].pk for _field, code in skus]


def stock_low_list(
    *, warehouse_id: int | None = None, sku_id: int | None = None, warehouse_code: str | None = None
) -> QuerySet[StockLevel]:
    """Stock rows whose available units (on hand − reserved) are below their reorder point,
    with SKU and warehouse (one query), ordered by warehouse then SKU."""
    levels = StockLevel.objects.select_related("sku", "warehouse").filter(
        reorder_point__isnull=False, on_hand__lt=F("reserved") + F("reorder_point")
    )
    if warehouse_id is not None:
        levels = levels.filter(warehouse_id=warehouse_id)
    if sku_id is not None:
        levels = levels.filter(sku_id=sku_id)
    if warehouse_code:
        levels = levels.filter(warehouse__code=warehouse_code)
    return levels.order_by("warehouse_id", "sku_id")


def warehouse_owner_emails(warehouse_id: int) -> list[str]:
    """The e-mail addresses of the warehouse's active owners, sorted, without blanks."""
    emails = (
        Warehouse.owners.through.objects.filter(warehouse_id=warehouse_id, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def bins_for_picking(*, warehouse_id: int, sku_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Per SKU, the bin a picker goes to: the one holding most units, ties by code; SKUs in
    no bin are absent. One query."""
    rows = (
        BinStock.objects.filter(bin__warehouse_id=warehouse_id, sku_id__in=list(sku_ids), quantity__gt=0)
        .order_by("sku_id", "-quantity", "bin__code")
        .values_list("sku_id", "bin_id", "bin__code")
    )
    chosen: dict[int, tuple[int, str]] = {}
    for sku, bin_id, code in rows:
        chosen.setdefault(sku, (bin_id, code))
    return chosen


def open_reserved_of(*, demand_type: str, demand_id: Expression) -> Coalesce:
    """For another context's queryset: the units the open reservations of one demand hold (0 if
    none), `demand_id` an expression of the outer row, e.g. `Cast(OuterRef("pk"), CharField())`.
    A correlated subquery, so a check over millions of rows stays in the database."""
    per_demand = (
        Reservation.objects.filter(
            demand_type=demand_type, demand_id=demand_id, status=Reservation.Status.OPEN
        )
        .order_by()
        .values("demand_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(per_demand), Value(0), output_field=IntegerField())


def open_reservations(*, demand_type: str, demand_ids: Sequence[str]) -> list[tuple[str, int, int, int]]:
    """(demand_id, sku_id, warehouse_id, quantity) of the open reservations of these demands,
    summed per demand and warehouse. One query."""
    rows = (
        Reservation.objects.filter(
            demand_type=demand_type, demand_id__in=list(demand_ids), status=Reservation.Status.OPEN
        )
        .values("demand_id", "sku_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by("demand_id", "warehouse_id")
        .values_list("demand_id", "sku_id", "warehouse_id", "total")
    )
    return list(rows)


def warehouse_facts(*, active_only: bool = True) -> list[dict[str, Any]]:
    """Plain facts sourcing and promised dates need: id, code, region, priority, cut-off
    (from the process's copies: core.cache; each call gets dicts of its own)."""
    rows = cached(("warehouse_facts", active_only), lambda: _warehouse_facts_read(active_only))
    return [dict(row) for row in rows]


def _warehouse_facts_read(active_only: bool) -> tuple[dict[str, Any], ...]:
    warehouses = Warehouse.objects.filter(is_active=True) if active_only else Warehouse.objects.all()
    return tuple(
        dict(row)
        for row in warehouses.order_by("priority", "pk").values(
            "id", "code", "name", "region", "priority", "province", "cutoff_time"
        )
    )


def transfer_get(*, transfer_id: int) -> Transfer:
    transfer = Transfer.objects.select_related("source", "destination").filter(pk=transfer_id).first()
    if transfer is None:
        raise TransferNotFound()
    return transfer


def stock_count_get(*, count_id: int) -> StockCount:
    count = StockCount.objects.select_related("warehouse").filter(pk=count_id).first()
    if count is None:
        raise StockCountNotFound()
    return count


def shipped_by_ledger() -> dict[tuple[int, int], int]:
    """Units shipped per (SKU, warehouse) by the ledger's `shipment` rows (positive)."""
    rows = (
        StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT)
        .values("sku_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .values_list("sku_id", "warehouse_id", "total")
    )
    return {(sku, wh): -int(total) for sku, wh, total in rows}


def transfer_view(*, transfer_id: int) -> dict[str, Any]:
    transfer = transfer_get(transfer_id=transfer_id)
    fields = ("id", "number", "status", "note", "shipped_at", "received_at")
    return {
        **{name: getattr(transfer, name) for name in fields},
        "source": transfer.source.code,
        "destination": transfer.destination.code,
        "lines": [
            {"sku": code, "quantity": quantity}
            for code, quantity in transfer.lines.order_by("sku_id").values_list("sku__code", "quantity")
        ],
    }


def stock_count_view(*, count_id: int) -> dict[str, Any]:
    count = stock_count_get(count_id=count_id)
    fields = ("id", "number", "kind", "status", "reason", "posted_at")
    return {
        **{name: getattr(count, name) for name in fields},
        "warehouse": count.warehouse.code,
        "lines": [
            {"sku": code, "expected": expected, "counted": counted}
            for code, expected, counted in count.lines.order_by("sku_id").values_list(
                "sku__code", "expected", "counted"
            )
        ],
    }


def bin_get(*, warehouse_id: int, bin_id: int) -> Any:
    from .exceptions import BinNotFound
    from .models import BinLocation

    location = BinLocation.objects.filter(pk=bin_id, warehouse_id=warehouse_id).first()
    if location is None:
        raise BinNotFound()
    return location


def bin_list(*, warehouse_id: int) -> QuerySet[Any]:
    from .models import BinLocation

    return BinLocation.objects.filter(warehouse_id=warehouse_id)
