"""Pure rules of the fulfillment context: sourcing, backorder ranking, packing checks,
shipment transitions, tracking numbers, promised dates.

No ORM, clock or settings here: plain data in, plain data out (STYLE rule 2).
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Sourcing ------------------------------------------------------------------------------------

StockKey = tuple[int, int]  # (sku_id, warehouse_id)


class Rule(StrEnum):
    SINGLE_WAREHOUSE = "single_warehouse"  # ship the whole order from one warehouse if one can
    REGION = "region"  # prefer a warehouse in the order's region
    STOCK_BALANCE = "stock_balance"  # prefer the warehouse left with the most stock
    PRIORITY_CUSTOMERS = "priority_customers"  # urgent/VIP orders: nearest first, whatever it costs
    COST = "cost"  # prefer the cheaper warehouse to ship from
    WAREHOUSE_PRIORITY = "warehouse_priority"  # the warehouses' own priority numbers


DEFAULT_RULES = (Rule.SINGLE_WAREHOUSE, Rule.PRIORITY_CUSTOMERS, Rule.REGION, Rule.COST, Rule.STOCK_BALANCE)

# China's provinces in the seven regions warehouses are filed under (inventory.WarehouseRegion).
PROVINCE_REGIONS = {
    **dict.fromkeys(["上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "台湾省"], "east"),
    **dict.fromkeys(["广东省", "广西壮族自治区", "海南省", "香港特别行政区", "澳门特别行政区"], "south"),
    **dict.fromkeys(["北京市", "天津市", "河北省", "山西省", "内蒙古自治区"], "north"),
    **dict.fromkeys(["河南省", "湖北省", "湖南省"], "central"),
    **dict.fromkeys(["重庆市", "四川省", "贵州省", "云南省", "西藏自治区"], "southwest"),
    **dict.fromkeys(["陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"], "northwest"),
    **dict.fromkeys(["辽宁省", "吉林省", "黑龙江省"], "northeast"),
}


def region_of(province: str) -> str:
    """The region of a province, by its full name or its short form (广东 → 广东省); '' if unknown."""
    province = (province or "").strip()
    if province in PROVINCE_REGIONS:
        return PROVINCE_REGIONS[province]
    return next(
        (region for name, region in PROVINCE_REGIONS.items() if province and name.startswith(province)), ""
    )


@dataclass(frozen=True)
class WarehouseFact:
    warehouse_id: int
    code: str
    region: str
    priority: int
    cost: int = 0  # shipping cost from here, in cents (policy)


@dataclass(frozen=True)
class SourcingLine:
    line_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class SourcingRules:
    rules: tuple[str, ...] = tuple(DEFAULT_RULES)
    allow_split: bool = True


@dataclass(frozen=True)
class Assignment:
    line_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Reason:
    rule: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SourcingPlan:
    assignments: tuple[Assignment, ...]
    shortages: tuple[tuple[int, int], ...]  # (line_id, units no warehouse can cover)
    explanation: tuple[Reason, ...]

    def warehouses(self) -> list[int]:
        return sorted({a.warehouse_id for a in self.assignments})


def _rank(
    warehouse: WarehouseFact,
    lines: Sequence[SourcingLine],
    available: Mapping[StockKey, int],
    *,
    rules: Sequence[str],
    order_region: str,
    priority_order: bool,
) -> tuple[int, ...]:
    """A sort key for a warehouse under the rules, in their order (lower is better)."""
    key: list[int] = []
    for rule in rules:
        if rule == Rule.REGION or (rule == Rule.PRIORITY_CUSTOMERS and priority_order):
            key.append(0 if order_region and warehouse.region == order_region else 1)
        elif rule == Rule.COST:
            key.append(warehouse.cost)
        elif rule == Rule.STOCK_BALANCE:
            left = [available.get((line.sku_id, warehouse.warehouse_id), 0) - line.quantity for line in lines]
            key.append(-min(left, default=0))
        elif rule == Rule.WAREHOUSE_PRIORITY:
            key.append(warehouse.priority)
    return (*key, warehouse.priority, warehouse.warehouse_id)


def _covers(warehouse_id: int, lines: Sequence[SourcingLine], available: Mapping[StockKey, int]) -> bool:
    needed: dict[int, int] = {}
    for line in lines:
        needed[line.sku_id] = needed.get(line.sku_id, 0) + line.quantity
    return all(available.get((sku, warehouse_id), 0) >= units for sku, units in needed.items())


def source(
    lines: Sequence[SourcingLine],
    warehouses: Sequence[WarehouseFact],
    available: Mapping[StockKey, int],
    *,
    rules: SourcingRules,
    order_region: str,
    priority_order: bool,
) -> SourcingPlan:
    """Choose warehouses for an order's lines and say why. With the single-warehouse rule, a
    warehouse that can ship everything wins (ranked by the other rules); otherwise, when the
    rules allow a split, each line goes to its best-ranked warehouse that can cover it, and a
    line no warehouse covers alone is split over the ranked warehouses. What nothing covers
    is a shortage. `available` counts units this order may use (free plus its own reserved)."""
    lines = [line for line in lines if line.quantity > 0]

    def ranked(subset: Sequence[SourcingLine]) -> list[WarehouseFact]:
        return sorted(
            warehouses,
            key=lambda w: _rank(
                w,
                subset,
                available,
                rules=rules.rules,
                order_region=order_region,
                priority_order=priority_order,
            ),
        )

    reasons = [
        Reason(
            "rules", {"rules": list(rules.rules), "region": order_region, "priority_order": priority_order}
        )
    ]
    order_ranking = ranked(lines)
    whole = next((w for w in order_ranking if _covers(w.warehouse_id, lines, available)), None)
    if whole is not None and (Rule.SINGLE_WAREHOUSE in rules.rules or not rules.allow_split):
        reasons.append(Reason(Rule.SINGLE_WAREHOUSE, {"warehouse": whole.code}))
        return SourcingPlan(
            tuple(Assignment(line.line_id, whole.warehouse_id, line.quantity) for line in lines),
            (),
            tuple(reasons),
        )
    if not rules.allow_split:
        reasons.append(Reason("no_single_warehouse", {}))
        return SourcingPlan((), tuple((line.line_id, line.quantity) for line in lines), tuple(reasons))
    return _split(lines, ranked, available, reasons)


def _split(
    lines: Sequence[SourcingLine],
    ranked: object,
    available: Mapping[StockKey, int],
    reasons: list[Reason],
) -> SourcingPlan:
    remaining = dict(available)
    assignments: list[Assignment] = []
    shortages: list[tuple[int, int]] = []
    for line in lines:
        order = ranked([line])  # type: ignore[operator]
        best = next(
            (w for w in order if remaining.get((line.sku_id, w.warehouse_id), 0) >= line.quantity), None
        )
        if best is not None:
            remaining[(line.sku_id, best.warehouse_id)] -= line.quantity
            assignments.append(Assignment(line.line_id, best.warehouse_id, line.quantity))
            reasons.append(Reason("line_warehouse", {"line_id": line.line_id, "warehouse": best.code}))
            continue
        left = line.quantity
        for warehouse in order:
            take = min(left, remaining.get((line.sku_id, warehouse.warehouse_id), 0))
            if take > 0:
                remaining[(line.sku_id, warehouse.warehouse_id)] -= take
                assignments.append(Assignment(line.line_id, warehouse.warehouse_id, take))
                left -= take
        reasons.append(Reason("line_split", {"line_id": line.line_id, "short": left}))
        if left:
            shortages.append((line.line_id, left))
    return SourcingPlan(tuple(assignments), tuple(shortages), tuple(reasons))


# Backorders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackorderFacts:
    line_id: int
    priority: str
    customer_grade: str
    promised_date: dt.date | None
    submitted_at: dt.datetime | None


def backorder_rank(
    facts: BackorderFacts, *, vip_grades: frozenset[str] = frozenset({"vip"})
) -> tuple[int, int, dt.date, dt.datetime, int]:
    """Who gets arriving stock first: urgent orders, then VIP customers, then the earliest
    promised date, then first come (submission time), then the line id."""
    return (
        0 if facts.priority == "urgent" else 1,
        0 if facts.customer_grade in vip_grades else 1,
        facts.promised_date or dt.date.max,
        facts.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC),
        facts.line_id,
    )


# Packing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentDifference:
    sku_code: str
    expected: int
    packed: int


def packing_differences(expected: Mapping[str, int], packed: Mapping[str, int]) -> list[ContentDifference]:
    """What the packages hold that the picked order does not, per SKU (empty: they match)."""
    codes = sorted(set(expected) | set(packed))
    return [
        ContentDifference(code, expected.get(code, 0), packed.get(code, 0))
        for code in codes
        if expected.get(code, 0) != packed.get(code, 0)
    ]


# Shipments -----------------------------------------------------------------------------------


class ShipmentStatus(StrEnum):
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    RETURNED = "returned"
    LOST = "lost"


SS = ShipmentStatus
# Tracking event kind → the shipment status it leads to.
EVENT_STATUS = {
    "picked_up": SS.IN_TRANSIT,
    "in_transit": SS.IN_TRANSIT,
    "out_for_delivery": SS.OUT_FOR_DELIVERY,
    "delivered": SS.DELIVERED,
    "failed_attempt": SS.FAILED_ATTEMPT,
    "returned_to_sender": SS.RETURNED,
    "lost": SS.LOST,
}
SHIPMENT_TERMINAL = frozenset({SS.DELIVERED, SS.RETURNED, SS.LOST})
# From → the statuses a tracking event may move a shipment to.
SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    SS.SHIPPED: frozenset(set(SS) - {SS.SHIPPED}),
    SS.IN_TRANSIT: frozenset(set(SS) - {SS.SHIPPED}),
    SS.OUT_FOR_DELIVERY: frozenset(
        {SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED, SS.FAILED_ATTEMPT, SS.RETURNED, SS.LOST}
    ),
    SS.FAILED_ATTEMPT: frozenset(
        {SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED, SS.FAILED_ATTEMPT, SS.RETURNED, SS.LOST}
    ),
    SS.DELIVERED: frozenset(),
    SS.RETURNED: frozenset(),
    SS.LOST: frozenset(),
}
# Events that open an exception case for the logistics team.
EXCEPTION_EVENTS = {
    "failed_attempt": "delivery_failure",
    "lost": "delivery_failure",
    "returned_to_sender": "delivery_failure",
}


def shipment_status_after(current: str, event_kind: str) -> ShipmentStatus | None:
    """The shipment's status after a tracking event, or None when the event cannot apply
    (the shipment is past it, e.g. an in-transit scan after delivery)."""
    target = EVENT_STATUS.get(event_kind)
    if target is None or target not in SHIPMENT_TRANSITIONS.get(SS(current), frozenset()):
        return None
    return target


def tracking_number_valid(number: str, pattern: str) -> bool:
    """A tracking number matches its carrier's pattern (any number when none is known)."""
    if not number or len(number) > 40 or not re.fullmatch(r"[A-Za-z0-9-]+", number):
        return False
    return not pattern or re.fullmatch(pattern, number) is not None


def tracking_url(template: str, number: str) -> str:
    return template.replace("{number}", number) if template else ""


# Promised dates ------------------------------------------------------------------------------


def promised_ship_date(
    *,
    business_date: dt.date,
    local_time: dt.time,
    sla_hours: int,
    cutoff: dt.time | None,
    urgent: bool,
) -> dt.date:
    """The date an order promises to ship: the channel's SLA in whole days from the business
    date, counted from tomorrow when the order came after the warehouse's cut-off, one day
    sooner (never before the start) for urgent orders."""
    start = business_date
    if cutoff is not None and local_time >= cutoff:
        start += dt.timedelta(days=1)
    days = max(0, -(-sla_hours // 24))
    if urgent:
        days = max(0, days - 1)
    return start + dt.timedelta(days=days)


@dataclass(frozen=True)
class RiskFacts:
    promised_date: dt.date | None
    shipped_all: bool
    backordered: bool
    picked: bool


def at_risk_reason(facts: RiskFacts, *, today: dt.date, after_cutoff: bool) -> str | None:
    """Why an unshipped order is likely to miss its promised ship date, or None: already
    late; due today and not picked after the cut-off; due by tomorrow with a backorder; due
    today or tomorrow and not even picked yet."""
    if facts.shipped_all or facts.promised_date is None:
        return None
    days_left = (facts.promised_date - today).days
    if days_left < 0:
        return "late"
    if days_left <= 1 and facts.backordered:
        return "backordered"
    if days_left == 0 and after_cutoff and not facts.picked:
        return "past_cutoff"
    if days_left <= 1 and not facts.picked:
        return "not_picked"
    return None
