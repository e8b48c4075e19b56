"""What fulfilment plugs into the lower contexts at app start (ARCHITECTURE §3): the
promised-date provider, the stock-arrival allocation of backorders and the shortage options
(take from other warehouses; ship what is there)."""

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext_lazy

from dingdan.core.actors import Actor
from dingdan.inventory import selectors as inventory_selectors
from dingdan.inventory import services as inventory
from dingdan.orders import providers as order_providers
from dingdan.orders import services as orders
from dingdan.orders.exceptions import ShortageOptionUnavailable

from .. import domain
from .common import DEMAND

ALLOCATOR = Actor(username="fulfilment", via="system")
VIP_GRADES = frozenset({"vip"})


def _cutoff_for(province: str) -> dt.time | None:
    """The cut-off of the warehouse that would ship to the province: one in its region, else
    the first by priority."""
    facts = inventory_selectors.warehouse_facts()
    region = domain.region_of(province)
    chosen = next((w for w in facts if region and w["region"] == region), facts[0] if facts else None)
    return chosen["cutoff_time"] if chosen else None  # type: ignore[return-value]


def promised_date_provider(facts: order_providers.PromiseFacts) -> dt.date:
    """The promised ship date at submit: the channel's SLA, the warehouse's cut-off time and
    the order's priority (domain.promised_ship_date)."""
    return domain.promised_ship_date(
        business_date=facts.business_date,
        local_time=timezone.localtime().time(),
        sla_hours=facts.channel_sla_hours,
        cutoff=_cutoff_for(facts.shipping_province),
        urgent=facts.priority == "urgent",
    )


def backorders_allocate(keys: Sequence[tuple[int, int]]) -> None:
    """Stock arrived for these (SKU, warehouse) pairs: reserve it for backordered lines, per
    SKU in ascending order (the stock rows' lock order), within a SKU by priority (urgent,
    VIP, promised date, first come)."""
    sku_ids = sorted({sku for sku, _wh in keys})
    candidates = orders.backordered_lines(sku_ids=sku_ids)
    if not candidates:
        return
    ranked = sorted(
        candidates,
        key=lambda line: (
            line.sku_id,
            domain.backorder_rank(
                domain.BackorderFacts(
                    line.line_id, line.priority, line.customer_grade, line.promised_date, line.submitted_at
                ),
                vip_grades=VIP_GRADES,
            ),
        ),
    )
    orders.order_backorders_allocate(actor=ALLOCATOR, lines=ranked)


def _free_by_warehouse(sku_id: int) -> list[tuple[int, int]]:
    order = inventory_selectors.warehouse_sourcing_order()
    free = {
        wh: units
        for sku, wh, units in inventory_selectors.stock_available(sku_ids=[sku_id])
        if sku == sku_id and units > 0
    }
    return [(wh, free[wh]) for wh in order if wh in free]


def _spread(sku_id: int, units: int) -> list[tuple[int, int]]:
    taken, left = [], units
    for wh, free in _free_by_warehouse(sku_id):
        take = min(left, free)
        if take:
            taken.append((wh, take))
            left -= take
    return taken


class _Spread:
    """Reserve a short line's missing units across warehouses (several reservations)."""

    code = ""
    label = ""

    def applies(self, free: int, short: int) -> bool:
        raise NotImplementedError

    def offer(self, facts: order_providers.ShortageFacts) -> order_providers.ShortageOption | None:
        if facts.short_quantity < 1:
            return None
        spread = _spread(facts.sku_id, facts.short_quantity)
        free = sum(units for _wh, units in spread)
        if not self.applies(free, facts.short_quantity):
            return None
        return order_providers.ShortageOption(
            self.code, str(self.label), {"warehouses": [[wh, units] for wh, units in spread], "covered": free}
        )

    def carry_out(
        self, facts: order_providers.ShortageFacts, *, option: order_providers.ShortageOption, actor: Actor
    ) -> None:
        spread = _spread(facts.sku_id, facts.short_quantity)
        covered = sum(units for _wh, units in spread)
        if not spread or not self.applies(covered, facts.short_quantity):
            raise ShortageOptionUnavailable()
        current = inventory_selectors.open_reservations(demand_type=DEMAND, demand_ids=[str(facts.line_id)])
        placements: dict[int, int] = {wh: units for _d, _sku, wh, units in current}
        for wh, units in spread:
            placements[wh] = placements.get(wh, 0) + units
        inventory.reservations_replace(
            demand_type=DEMAND,
            demand_ids=[str(facts.line_id)],
            placements=[
                inventory.Placement(str(facts.line_id), facts.sku_id, wh, units)
                for wh, units in sorted(placements.items())
            ],
            reference=facts.order_number,
        )
        orders.order_line_backorder_cover(
            actor=actor, order_id=facts.order_id, line_id=facts.line_id, covered=covered
        )


class OtherWarehouses(_Spread):
    """Take the missing units from other warehouses (the line ships from several)."""

    code = "other_warehouses"
    label = gettext_lazy("Take the missing units from other warehouses")  # type: ignore[assignment]

    def applies(self, free: int, short: int) -> bool:
        return free >= short


class ShipAvailable(_Spread):
    """Reserve what is there now and ship it; the rest stays backordered (a split shipment)."""

    code = "ship_available"
    label = gettext_lazy("Ship what is in stock now, the rest later")  # type: ignore[assignment]

    def applies(self, free: int, short: int) -> bool:
        return 0 < free < short


def register_all() -> None:
    from dingdan.inventory.hooks import register_stock_arrival

    order_providers.register_promised_date_provider(promised_date_provider)
    register_stock_arrival(backorders_allocate)
    order_providers.register_shortage_option(OtherWarehouses.code, OtherWarehouses())
    order_providers.register_shortage_option(ShipAvailable.code, ShipAvailable())
