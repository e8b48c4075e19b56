"""Pure rules: sourcing, backorder ranking, packing, shipment transitions, promises."""

import datetime as dt

from dingdan.fulfillment import domain
from dingdan.fulfillment.domain import Assignment, SourcingLine, SourcingRules, WarehouseFact

SH = WarehouseFact(1, "sh", "east", 10, cost=800)
GZ = WarehouseFact(2, "gz", "south", 20, cost=1200)
BJ = WarehouseFact(3, "bj", "north", 30, cost=500)
TEE, MUG = 101, 102


def plan(lines, available, **kwargs):
    kwargs.setdefault("rules", SourcingRules())
    kwargs.setdefault("order_region", "south")
    kwargs.setdefault("priority_order", False)
    return domain.source(lines, [SH, GZ, BJ], available, **kwargs)


def test_one_warehouse_that_has_everything_ships_the_whole_order_ranked_by_region():
    result = plan(
        [SourcingLine(1, TEE, 2), SourcingLine(2, MUG, 1)],
        {(TEE, 1): 5, (MUG, 1): 5, (TEE, 2): 5, (MUG, 2): 5},
    )
    assert result.assignments == (Assignment(1, 2, 2), Assignment(2, 2, 1))
    assert result.explanation[-1] == domain.Reason("single_warehouse", {"warehouse": "gz"})


def test_the_cost_rule_first_picks_the_cheapest_warehouse_that_covers_the_order():
    rules = SourcingRules(rules=("single_warehouse", "cost"))
    result = plan([SourcingLine(1, TEE, 2)], {(TEE, 1): 5, (TEE, 3): 5}, rules=rules)
    assert result.assignments == (Assignment(1, 3, 2),)


def test_priority_customers_go_to_the_nearest_warehouse_even_when_it_costs_more():
    rules = SourcingRules(rules=("single_warehouse", "priority_customers", "cost"))
    available = {(TEE, 2): 5, (TEE, 3): 5}
    assert plan([SourcingLine(1, TEE, 1)], available, rules=rules, priority_order=False).assignments == (
        Assignment(1, 3, 1),
    )
    assert plan([SourcingLine(1, TEE, 1)], available, rules=rules, priority_order=True).assignments == (
        Assignment(1, 2, 1),
    )


def test_without_a_single_warehouse_each_line_goes_where_it_is_and_a_line_too_big_for_one_is_split():
    result = plan([SourcingLine(1, TEE, 3), SourcingLine(2, MUG, 6)], {(TEE, 1): 3, (MUG, 2): 4, (MUG, 3): 4})
    assert result.assignments == (Assignment(1, 1, 3), Assignment(2, 2, 4), Assignment(2, 3, 2))
    assert result.shortages == ()
    assert [r.rule for r in result.explanation] == ["rules", "line_warehouse", "line_split"]


def test_what_no_warehouse_has_is_a_shortage_and_no_split_means_no_plan():
    assert plan([SourcingLine(1, TEE, 9)], {(TEE, 1): 3}).shortages == ((1, 6),)
    no_split = plan(
        [SourcingLine(1, TEE, 2), SourcingLine(2, MUG, 1)],
        {(TEE, 1): 2, (MUG, 2): 1},
        rules=SourcingRules(allow_split=False),
    )
    assert (no_split.assignments, no_split.shortages) == ((), ((1, 2), (2, 1)))


def test_provinces_map_to_regions_by_full_or_short_name():
    assert (
        domain.region_of("广东省"),
        domain.region_of("广东"),
        domain.region_of("上海市"),
        domain.region_of("火星"),
    ) == ("south", "south", "east", "")


def test_backorders_rank_urgent_then_vip_then_promised_date_then_first_come():
    t = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    facts = [
        domain.BackorderFacts(1, "normal", "", dt.date(2026, 11, 5), t),
        domain.BackorderFacts(2, "normal", "vip", dt.date(2026, 11, 9), t),
        domain.BackorderFacts(3, "urgent", "", None, t),
        domain.BackorderFacts(4, "normal", "", dt.date(2026, 11, 5), t - dt.timedelta(hours=1)),
        domain.BackorderFacts(5, "normal", "", None, t),
    ]
    assert [f.line_id for f in sorted(facts, key=domain.backorder_rank)] == [3, 2, 4, 1, 5]


def test_packing_differences_name_each_sku_that_differs():
    assert domain.packing_differences({"A": 2, "B": 1}, {"A": 2, "B": 1}) == []
    assert domain.packing_differences({"A": 2, "B": 1}, {"A": 1, "C": 1}) == [
        domain.ContentDifference("A", 2, 1),
        domain.ContentDifference("B", 1, 0),
        domain.ContentDifference("C", 0, 1),
    ]


def test_tracking_events_move_shipments_forward_only():
    assert domain.shipment_status_after("shipped", "picked_up") == "in_transit"
    assert domain.shipment_status_after("failed_attempt", "out_for_delivery") == "out_for_delivery"
    assert domain.shipment_status_after("delivered", "in_transit") is None
    assert domain.shipment_status_after("lost", "delivered") is None
    assert domain.shipment_status_after("shipped", "teleported") is None


def test_tracking_numbers_follow_their_carriers_pattern():
    assert domain.tracking_number_valid("SF1234567890123", r"SF\d{12,13}")
    assert not domain.tracking_number_valid("SF12", r"SF\d{12,13}")
    assert not domain.tracking_number_valid("SF 1234567890123", "")
    assert domain.tracking_number_valid("ANY-123", "")
    assert domain.tracking_url("https://x/{number}", "SF1") == "https://x/SF1"


def test_the_promised_ship_date_counts_the_sla_from_the_cutoff_and_urgent_orders_a_day_sooner():
    day = dt.date(2026, 11, 24)
    promise = {"business_date": day, "sla_hours": 48, "cutoff": dt.time(16)}
    assert domain.promised_ship_date(local_time=dt.time(10), urgent=False, **promise) == dt.date(2026, 11, 26)
    assert domain.promised_ship_date(local_time=dt.time(17), urgent=False, **promise) == dt.date(2026, 11, 27)
    assert domain.promised_ship_date(local_time=dt.time(10), urgent=True, **promise) == dt.date(2026, 11, 25)


def test_orders_at_risk_are_late_backordered_past_the_cutoff_or_not_picked_in_time():
    today = dt.date(2026, 11, 24)

    def reason(promised, *, backordered=False, picked=False, after_cutoff=False, shipped=False):
        facts = domain.RiskFacts(promised, shipped, backordered, picked)
        return domain.at_risk_reason(facts, today=today, after_cutoff=after_cutoff)

    assert reason(dt.date(2026, 11, 23), picked=True) == "late"
    assert reason(dt.date(2026, 11, 25), backordered=True, picked=True) == "backordered"
    assert reason(today, after_cutoff=True) == "past_cutoff"
    assert reason(dt.date(2026, 11, 25)) == "not_picked"
    assert reason(dt.date(2026, 11, 25), picked=True) is None
    assert reason(dt.date(2026, 11, 28)) is None
    assert reason(dt.date(2026, 11, 20), shipped=True) is None
