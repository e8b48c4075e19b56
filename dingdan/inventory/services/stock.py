"""Stock: receipts, adjustments, reservations (ARCHITECTURE §5).

on_hand moves only with a ledger row; reserved moves only with a reservation row; both
counters change through conditional UPDATEs (never read-modify-write), and stock rows are
always changed in ascending (SKU, warehouse) order so concurrent transactions cannot deadlock.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.rows import rows_insert

from .. import domain, hooks, selectors
from ..domain import Demand
from ..exceptions import InsufficientStock, ReservationConflict, UnknownSku, WarehouseInactive
from ..models import Reservation, StockLevel, StockMovement, Warehouse
from .low import low_stock_crossed, low_stock_emit

MAX_QUANTITY = 1_000_000
# The counters are 32-bit integers on PostgreSQL: a rise past this is refused (422), never a
# database error (500); the same limit applies on SQLite so both answer alike.
MAX_ON_HAND = 2**31 - 1


@dataclass(frozen=True)
class StockLine:
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Allocation:
    demand_id: str
    sku_id: int
    warehouse_id: int | None
    quantity: int  # 0 when the demand could not be covered
    warehouse_code: str = field(default="", compare=False)  # the chosen warehouse's ("" when none)

    @property
    def reservation_status(self) -> str:
        """The status of the reservation this allocation made (a new one is open)."""
        return Reservation.Status.OPEN.value if self.warehouse_id is not None else ""


def _field_error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _quantity_error(field: str, *, signed: bool = False) -> dict[str, str]:
    if signed:
        message = _("The quantity must not be 0 and at most %(max)d either way.") % {"max": MAX_QUANTITY}
    else:
        message = _("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    return _field_error(field, message, "invalid_quantity")


def _active_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = selectors.warehouse_get(warehouse_id=warehouse_id)
    if not warehouse.is_active:
        raise WarehouseInactive()
    return warehouse


def _check_lines(lines: Sequence[StockLine], *, signed: bool = False) -> list[StockLine]:
    """Lines merged per SKU in ascending SKU order; every quantity valid and every SKU known."""
    errors = []
    for index, line in enumerate(lines):
        size_ok = 0 < abs(line.quantity) <= MAX_QUANTITY if signed else 0 < line.quantity <= MAX_QUANTITY
        if not size_ok:
            errors.append(_quantity_error(f"lines.{index}.quantity", signed=signed))
    if not lines:
        errors.append(_field_error("lines", _("Give at least one line."), "required"))
    if errors:
        raise ValidationFailed(errors=errors)
    known = catalog.sku_ids_existing(sku_ids=[line.sku_id for line in lines])
    unknown = [line.sku_id for line in lines if line.sku_id not in known]
    if unknown:
        raise UnknownSku(errors=[_field_error("sku_id", str(sku), "unknown_sku") for sku in unknown])
    merged: dict[int, int] = {}
    for line in lines:
        merged[line.sku_id] = merged.get(line.sku_id, 0) + line.quantity
    return [StockLine(sku, quantity) for sku, quantity in sorted(merged.items())]


def _too_much() -> ValidationFailed:
    message = _("On hand would exceed %(max)d units.") % {"max": MAX_ON_HAND}
    return ValidationFailed(errors=[_field_error("quantity", message, "on_hand_too_large")])


def _ensure_levels(keys: Iterable[tuple[int, int]]) -> None:
    rows = [StockLevel(sku_id=sku, warehouse_id=warehouse) for sku, warehouse in sorted(set(keys))]
    StockLevel.objects.bulk_create(rows, ignore_conflicts=True)


def _record(
    lines: Sequence[StockLine],
    *,
    warehouse_id: int,
    kind: str,
    actor: Actor,
    reason: str = "",
    reference: str = "",
    note: str = "",
) -> list[StockMovement]:
    now = timezone.now()
    return StockMovement.objects.bulk_create(
        StockMovement(
            sku_id=line.sku_id,
            warehouse_id=warehouse_id,
            kind=kind,
            quantity=line.quantity,
            reason=reason,
            reference=reference,
            note=note,
            actor=str(actor),
            at=now,
        )
        for line in lines
    )


@transaction.atomic
def stock_receive(
    *, actor: Actor, warehouse_id: int, lines: Sequence[StockLine], reference: str = "", note: str = ""
) -> list[StockMovement]:
    """Goods in: on_hand rises by each line's quantity and the ledger records a receipt.
    Raises ValidationFailed for a bad quantity, UnknownSku, WarehouseNotFound or
    WarehouseInactive, changing nothing. Calls the stock-arrival hook in the transaction."""
    warehouse = _active_warehouse(warehouse_id)
    merged = _check_lines(lines)
    _ensure_levels((line.sku_id, warehouse.pk) for line in merged)
    for line in merged:  # ascending SKU: the lock order of stock rows
        rows = StockLevel.objects.filter(
            sku_id=line.sku_id, warehouse_id=warehouse.pk, on_hand__lte=MAX_ON_HAND - line.quantity
        )
        if not rows.update(on_hand=F("on_hand") + line.quantity, updated_at=timezone.now()):
            raise _too_much()
    movements = _record(
        merged,
        warehouse_id=warehouse.pk,
        kind=StockMovement.Kind.RECEIPT,
        actor=actor,
        reference=reference,
        note=note,
    )
    hooks.stock_arrived([(line.sku_id, warehouse.pk) for line in merged])
    return movements


@transaction.atomic
def stock_adjust(
    *, actor: Actor, warehouse_id: int, sku_id: int, quantity: int, reason: str, note: str = ""
) -> StockMovement:
    """Correct on_hand by a signed quantity, with a reason. A decrease may not take on_hand
    below what is reserved: InsufficientStock, and nothing changes."""
    if not reason.strip():
        raise ValidationFailed(errors=[_field_error("reason", _("Give a reason."), "required")])
    warehouse = _active_warehouse(warehouse_id)
    if not 0 < abs(quantity) <= MAX_QUANTITY:  # named "quantity": an adjustment has no lines
        raise ValidationFailed(errors=[_quantity_error("quantity", signed=True)])
    [line] = _check_lines([StockLine(sku_id, quantity)], signed=True)
    _ensure_levels([(sku_id, warehouse.pk)])
    rows = StockLevel.objects.filter(sku_id=sku_id, warehouse_id=warehouse.pk)
    if quantity < 0:
        rows = rows.filter(on_hand__gte=F("reserved") - quantity)
    else:
        rows = rows.filter(on_hand__lte=MAX_ON_HAND - quantity)
    if not rows.update(on_hand=F("on_hand") + quantity, updated_at=timezone.now()):
        raise InsufficientStock() if quantity < 0 else _too_much()
    [movement] = _record(
        [line],
        warehouse_id=warehouse.pk,
        kind=StockMovement.Kind.ADJUSTMENT,
        actor=actor,
        reason=reason,
        note=note,
    )
    if quantity > 0:
        hooks.stock_arrived([(sku_id, warehouse.pk)])
    else:
        low_stock_emit({(sku_id, warehouse.pk): -quantity})
    return movement


_RESERVE_ROW = (  # StockLevel's table
    "UPDATE inventory_stocklevel SET reserved = reserved + %s, updated_at = %s"
    " WHERE sku_id = %s AND warehouse_id = %s AND on_hand >= reserved + %s"
    " RETURNING on_hand, reserved, reorder_point"
)
_LOCK = " ORDER BY sku_id, warehouse_id FOR UPDATE"  # the stock read's lock (PostgreSQL)
LevelNow = tuple[int, int, int | None]  # (on_hand, reserved, reorder_point) after an UPDATE


def reserve_row(sku_id: int, warehouse_id: int, quantity: int) -> bool:
    """The conditional update that makes overselling impossible: it succeeds only while
    on_hand − reserved ≥ quantity, checked and changed in one statement."""
    return _reserve_row(sku_id, warehouse_id, quantity) is not None


def _reserve_row(sku_id: int, warehouse_id: int, quantity: int) -> LevelNow | None:
    """reserve_row, returning the row as the UPDATE left it (None: not reserved)."""
    # The hottest statement of order placement, written once: building it through the ORM
    # cost more CPU than the database spends running it.
    connection = transaction.get_connection()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE_ROW, [quantity, now, sku_id, warehouse_id, quantity])
        row = cursor.fetchone()
    return (row[0], row[1], row[2]) if row else None


def reservations_insert(rows: Sequence[Any], *, demand_type: str, reference: str) -> None:
    """Open a reservation for each of `rows` (with sku_id, warehouse_id, quantity and
    demand_id), in one INSERT; the caller has raised `reserved` on their stock rows."""
    rows_insert(
        [
            Reservation(
                sku_id=row.sku_id,
                warehouse_id=row.warehouse_id,
                quantity=row.quantity,
                demand_type=demand_type,
                demand_id=row.demand_id,
                reference=reference,
            )
            for row in rows
        ]
    )


def stock_reserve(*, demands: Sequence[Demand], demand_type: str, reference: str = "") -> list[Allocation]:
    """Reserve each demand whole in one warehouse, or not at all (quantity 0: a shortage for
    the caller to decide on). Runs inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_reserve runs inside the caller's transaction")
    if not demands:
        return []
    _check_demands(demands)
    levels, sourcing, codes = _stock_for(demands)
    available = {(sku, wh): free for sku, wh, free in levels}
    plan = domain.plan_reservations(demands, available, sourcing)
    warehouses_by_sku: dict[int, list[int]] = {}
    for sku, wh, _free in levels:
        warehouses_by_sku.setdefault(sku, []).append(wh)
    after: dict[tuple[int, int], LevelNow] = {}
    allocations = [
        Allocation(a.demand_id, a.sku_id, a.warehouse_id, a.quantity, codes.get(a.warehouse_id, ""))
        for a in _execute(plan, warehouses_by_sku, after)
    ]
    reservations_insert(
        [a for a in allocations if a.warehouse_id is not None], demand_type=demand_type, reference=reference
    )
    decreases: dict[tuple[int, int], int] = {}
    for a in allocations:
        if a.warehouse_id is not None:
            decreases[(a.sku_id, a.warehouse_id)] = decreases.get((a.sku_id, a.warehouse_id), 0) + a.quantity
    if low_stock_crossed(decreases, after):  # the rows as our UPDATEs left them (and locked)
        low_stock_emit(decreases)
    return allocations


def _stock_for(
    demands: Sequence[Demand],
) -> tuple[list[tuple[int, int, int]], list[int], dict[int | None, str]]:
    """In one query, locking the rows: (sku_id, warehouse_id, available) of the demands' SKUs
    in active warehouses in ascending order, those warehouses in sourcing order (lower
    priority number first; a warehouse without a row for these SKUs has nothing to offer
    them), and their codes."""
    active = {w["id"]: w for w in selectors.warehouse_facts(active_only=True)}  # the process's copy
    sku_ids = sorted({d.sku_id for d in demands})
    connection = transaction.get_connection()
    with connection.cursor() as cursor:  # hot path: SQL written once, no ORM
        placeholders = ", ".join(["%s"] * len(sku_ids))  # values go as parameters
        # PostgreSQL: the rows are locked here, in ascending (SKU, warehouse) order (the lock
        # order of every writer of stock rows), so the plan below is made from exact figures
        # and its UPDATE can take them in one statement. SQLite's IMMEDIATE transactions
        # already hold the database.
        lock = _LOCK if connection.features.has_select_for_update else ""
        cursor.execute(
            f"SELECT sku_id, warehouse_id, on_hand - reserved FROM inventory_stocklevel WHERE sku_id IN ({placeholders}){lock}",  # noqa: E501, S608
            sku_ids,
        )
        rows = sorted(row for row in cursor.fetchall() if row[1] in active)
    ranks = {wh: (active[wh]["priority"], wh) for _sku, wh, _free in rows}
    codes: dict[int | None, str] = {wh: active[wh]["code"] for _sku, wh, _free in rows}
    levels = [(sku, wh, free) for sku, wh, free in rows]
    return levels, sorted(ranks, key=ranks.__getitem__), codes


def _check_demands(demands: Sequence[Demand]) -> None:
    """Programming errors, refused before anything moves: a quantity below 1 would lower
    `reserved`, and two demands with one id would leave `reserved` unequal to the open
    reservations (allocations are keyed by demand id)."""
    if any(demand.quantity < 1 for demand in demands):
        raise ValueError("every demand needs a quantity of at least 1")
    if len({demand.demand_id for demand in demands}) != len(demands):
        raise ValueError("demand ids must be unique within one call")


def _reserve_rows(totals: dict[tuple[int, int], int]) -> dict[tuple[int, int], LevelNow]:
    """The conditional update of `_reserve_row` for many rows in one statement (quantities by
    (SKU, warehouse)); returns the rows it reserved as it left them. For rows the caller has
    locked: a statement that changes several rows takes their locks in no set order."""
    connection = transaction.get_connection()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    keys = sorted(totals)
    values = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS INTEGER))"] * len(keys))
    params: list[Any] = []
    for sku_id, warehouse_id in keys:
        params += [sku_id, warehouse_id, totals[(sku_id, warehouse_id)]]
    params.append(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH wanted (wanted_sku, wanted_warehouse, wanted_quantity) AS (VALUES {values})"  # noqa: S608 (placeholders only)
            " UPDATE inventory_stocklevel SET reserved = reserved + wanted_quantity, updated_at = %s"
            " FROM wanted WHERE sku_id = wanted_sku AND warehouse_id = wanted_warehouse"
            " AND on_hand >= reserved + wanted_quantity"
            " RETURNING sku_id, warehouse_id, on_hand, reserved, reorder_point",
            params,
        )
        return {(row[0], row[1]): (row[2], row[3], row[4]) for row in cursor.fetchall()}


def _execute(
    plan: Sequence[domain.PlannedReservation],
    warehouses_by_sku: dict[int, list[int]],
    after: dict[tuple[int, int], LevelNow],
) -> list[Allocation]:
    """Run the plan: its planned rows in one UPDATE, then, in ascending (SKU, warehouse)
    order, each demand it left short (or whose row refused) against the SKU's warehouses
    from the one it planned on, keeping the lock order. `after` receives each reserved row
    as its last UPDATE left it."""

    def reserved(sku_id: int, warehouse_id: int, quantity: int) -> bool:
        level = _reserve_row(sku_id, warehouse_id, quantity)
        if level is not None:
            after[(sku_id, warehouse_id)] = level
        return level is not None

    totals: dict[tuple[int, int], int] = {}
    for planned in plan:
        if planned.warehouse_id is not None:
            key = (planned.demand.sku_id, planned.warehouse_id)
            totals[key] = totals.get(key, 0) + planned.demand.quantity
    batch = _reserve_rows(totals) if totals else {}
    after.update(batch)
    floor: dict[int, int] = {}  # per SKU, the warehouse id locked last
    results: dict[str, Allocation] = {}
    for planned in sorted(plan, key=_lock_order):
        demand = planned.demand
        if planned.warehouse_id is not None and (demand.sku_id, planned.warehouse_id) in batch:
            chosen: int | None = planned.warehouse_id
        else:
            candidates = [planned.warehouse_id] if planned.warehouse_id is not None else []
            candidates += [w for w in warehouses_by_sku.get(demand.sku_id, []) if w not in candidates]
            lowest = floor.get(demand.sku_id, 0)
            chosen = next(
                (w for w in candidates if w >= lowest and reserved(demand.sku_id, w, demand.quantity)), None
            )
        if chosen is not None:
            floor[demand.sku_id] = max(chosen, floor.get(demand.sku_id, 0))
        quantity = demand.quantity if chosen is not None else 0
        results[demand.demand_id] = Allocation(demand.demand_id, demand.sku_id, chosen, quantity)
    return [results[p.demand.demand_id] for p in plan]


def _lock_order(planned: domain.PlannedReservation) -> tuple[int, int]:
    return planned.demand.sku_id, planned.warehouse_id if planned.warehouse_id is not None else 1 << 62


@transaction.atomic  # a savepoint: a conflict must not leave rows released but still counted
def reservations_release(*, demand_type: str, demand_ids: Sequence[str]) -> int:
    """Release the open reservations of these demands; returns the units released. Runs in
    the caller's transaction. A concurrent release of the same rows raises
    ReservationConflict instead of releasing twice, and releases nothing."""
    open_rows = list(
        Reservation.objects.filter(
            demand_type=demand_type, demand_id__in=list(demand_ids), status=Reservation.Status.OPEN
        ).values_list("pk", "sku_id", "warehouse_id", "quantity")
    )
    if not open_rows:
        return 0
    closed = Reservation.objects.filter(
        pk__in=[row[0] for row in open_rows], status=Reservation.Status.OPEN
    ).update(status=Reservation.Status.RELEASED, closed_at=timezone.now())
    if closed != len(open_rows):
        raise ReservationConflict()
    totals: dict[tuple[int, int], int] = {}
    for _pk, sku, wh, quantity in open_rows:
        totals[(sku, wh)] = totals.get((sku, wh), 0) + quantity
    for (sku, wh), quantity in sorted(totals.items()):
        StockLevel.objects.filter(sku_id=sku, warehouse_id=wh).update(
            reserved=F("reserved") - quantity, updated_at=timezone.now()
        )
    return sum(totals.values())
