"""Pure decisions of inventory: where a demand is reserved.

No ORM, clock or settings here: plain data in, plain data out (STYLE rule 2).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

StockKey = tuple[int, int]  # (sku_id, warehouse_id)


@dataclass(frozen=True)
class Demand:
    demand_id: str
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class PlannedReservation:
    demand: Demand
    warehouse_id: int | None  # None: no warehouse can cover the demand now


def plan_reservations(
    demands: Sequence[Demand], available: Mapping[StockKey, int], warehouse_order: Sequence[int]
) -> list[PlannedReservation]:
    """Choose a warehouse for each demand: the first warehouse in `warehouse_order` that can
    cover every demand, else per demand the first that can cover it, taking earlier demands
    of the same plan into account. A demand is never split across warehouses here (sourcing
    across warehouses belongs to fulfilment)."""
    remaining = dict(available)
    whole = _single_warehouse(demands, remaining, warehouse_order)
    plan = []
    for demand in demands:
        choices = [whole] if whole is not None else warehouse_order
        chosen = next((w for w in choices if remaining.get((demand.sku_id, w), 0) >= demand.quantity), None)
        if chosen is not None:
            remaining[(demand.sku_id, chosen)] -= demand.quantity
        plan.append(PlannedReservation(demand, chosen))
    return plan


def _single_warehouse(
    demands: Sequence[Demand], available: Mapping[StockKey, int], warehouse_order: Sequence[int]
) -> int | None:
    needed: dict[int, int] = {}
    for demand in demands:
        needed[demand.sku_id] = needed.get(demand.sku_id, 0) + demand.quantity
    for warehouse_id in warehouse_order:
        if all(available.get((sku, warehouse_id), 0) >= qty for sku, qty in needed.items()):
            return warehouse_id
    return None
