"""Outbound stock for fulfilment: shipping consumes reservations and writes the ledger;
sourcing moves a demand's reservations to other warehouses. Both run in the caller's
transaction and change stock rows in ascending (SKU, warehouse) order."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from dingdan.core.actors import Actor

from ..exceptions import InsufficientStock, NotReserved, ReservationConflict
from ..models import BinStock, Reservation, StockLevel, StockMovement
from .low import low_stock_emit
from .stock import reservations_insert, reserve_row


@dataclass(frozen=True)
class ShipLine:
    demand_id: str
    sku_id: int
    quantity: int
    bin_id: int | None = None  # where the picker took the units from, when known


@dataclass(frozen=True)
class Placement:
    demand_id: str
    sku_id: int
    warehouse_id: int
    quantity: int


def _consume(demand_type: str, warehouse_id: int, line: ShipLine) -> None:
    """Consume `line.quantity` of the demand's open reservations in the warehouse, oldest
    first; a row consumed in part is split. A row another transaction changed meanwhile
    raises ReservationConflict (so a line is never shipped twice)."""
    rows = list(
        Reservation.objects.filter(
            demand_type=demand_type,
            demand_id=line.demand_id,
            sku_id=line.sku_id,
            warehouse_id=warehouse_id,
            status=Reservation.Status.OPEN,
        )
        .order_by("pk")
        .values_list("pk", "quantity", "reference")
    )
    if sum(quantity for _pk, quantity, _ref in rows) < line.quantity:
        raise NotReserved()
    remaining, now = line.quantity, timezone.now()
    for pk, quantity, reference in rows:
        if remaining == 0:
            break
        take = min(remaining, quantity)
        same = Reservation.objects.filter(pk=pk, status=Reservation.Status.OPEN, quantity=quantity)
        if take == quantity:
            changed = same.update(status=Reservation.Status.CONSUMED, closed_at=now)
        else:
            changed = same.update(quantity=quantity - take)
            Reservation.objects.create(
                sku_id=line.sku_id,
                warehouse_id=warehouse_id,
                quantity=take,
                demand_type=demand_type,
                demand_id=line.demand_id,
                reference=reference,
                status=Reservation.Status.CONSUMED,
                closed_at=now,
            )
        if not changed:
            raise ReservationConflict()
        remaining -= take


def bins_after_outbound(sku_id: int, warehouse_id: int, quantity: int, preferred_bin_id: int | None) -> None:
    """Units left the warehouse: take them from the bin they were picked from, then keep the
    bins' total within on_hand by taking from the other bins in code order. Runs after the
    stock row was updated, so the row lock serialises every bin change of the pair."""
    if preferred_bin_id is not None:
        row = BinStock.objects.filter(bin_id=preferred_bin_id, sku_id=sku_id).first()
        if row is not None and row.quantity > 0:
            take = min(quantity, row.quantity)
            BinStock.objects.filter(pk=row.pk).update(quantity=F("quantity") - take)
    on_hand = StockLevel.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).values_list(
        "on_hand", flat=True
    )
    bins = BinStock.objects.filter(sku_id=sku_id, bin__warehouse_id=warehouse_id, quantity__gt=0)
    excess = (bins.aggregate(total=Sum("quantity"))["total"] or 0) - (on_hand.first() or 0)
    for pk, held in bins.order_by("bin__code").values_list("pk", "quantity"):
        if excess <= 0:
            break
        take = min(excess, held)
        BinStock.objects.filter(pk=pk).update(quantity=F("quantity") - take)
        excess -= take


@transaction.atomic  # a savepoint: a refused line leaves nothing consumed
def stock_ship(
    *, actor: Actor, warehouse_id: int, demand_type: str, lines: Sequence[ShipLine], reference: str
) -> list[StockMovement]:
    """Goods out for reserved demands: consume the reservations, lower on_hand and reserved
    together and write one `shipment` ledger row per line. Raises NotReserved when a line
    asks for more than is reserved for it here, ReservationConflict when a concurrent
    shipment consumed the same reservation; nothing changes then."""
    if any(line.quantity < 1 for line in lines):
        raise ValueError("every shipped line needs a quantity of at least 1")
    ordered = sorted(lines, key=lambda line: (line.sku_id, line.demand_id))
    for line in ordered:
        _consume(demand_type, warehouse_id, line)
    totals: dict[int, int] = {}
    for line in ordered:
        totals[line.sku_id] = totals.get(line.sku_id, 0) + line.quantity
    for sku_id, quantity in sorted(totals.items()):  # ascending SKU: the lock order
        changed = StockLevel.objects.filter(
            sku_id=sku_id, warehouse_id=warehouse_id, on_hand__gte=quantity, reserved__gte=quantity
        ).update(
            on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity, updated_at=timezone.now()
        )
        if not changed:
            raise InsufficientStock()
    for line in ordered:
        bins_after_outbound(line.sku_id, warehouse_id, line.quantity, line.bin_id)
    now = timezone.now()
    return StockMovement.objects.bulk_create(
        StockMovement(
            sku_id=line.sku_id,
            warehouse_id=warehouse_id,
            kind=StockMovement.Kind.SHIPMENT,
            quantity=-line.quantity,
            reference=reference,
            actor=str(actor),
            at=now,
        )
        for line in ordered
    )


@transaction.atomic  # a savepoint: a warehouse without the units leaves the old reservations
def reservations_replace(
    *, demand_type: str, demand_ids: Sequence[str], placements: Sequence[Placement], reference: str = ""
) -> None:
    """Replace the open reservations of these demands with `placements` (sourcing chose other
    warehouses, or split a demand). Only the difference per (SKU, warehouse) moves, in
    ascending order; a warehouse that cannot cover its increase raises InsufficientStock."""
    if any(p.quantity < 1 or p.demand_id not in demand_ids for p in placements):
        raise ValueError("placements need a quantity of at least 1 and one of the demand ids")
    old = list(
        Reservation.objects.filter(
            demand_type=demand_type, demand_id__in=list(demand_ids), status=Reservation.Status.OPEN
        ).values_list("pk", "sku_id", "warehouse_id", "quantity")
    )
    closed = Reservation.objects.filter(
        pk__in=[row[0] for row in old], status=Reservation.Status.OPEN
    ).update(status=Reservation.Status.RELEASED, closed_at=timezone.now())
    if closed != len(old):
        raise ReservationConflict()
    delta: dict[tuple[int, int], int] = {}
    for _pk, sku, wh, quantity in old:
        delta[(sku, wh)] = delta.get((sku, wh), 0) - quantity
    for p in placements:
        delta[(p.sku_id, p.warehouse_id)] = delta.get((p.sku_id, p.warehouse_id), 0) + p.quantity
    for (sku, wh), change in sorted(delta.items()):
        if change < 0:
            StockLevel.objects.filter(sku_id=sku, warehouse_id=wh).update(
                reserved=F("reserved") + change, updated_at=timezone.now()
            )
        elif change > 0 and not reserve_row(sku, wh, change):
            raise InsufficientStock()
    reservations_insert(placements, demand_type=demand_type, reference=reference)
    low_stock_emit({key: change for key, change in delta.items() if change > 0})
