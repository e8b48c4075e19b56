"""plan_reservations: a pure decision over plain data, tested without a database."""

from dingdan.inventory.domain import Demand, PlannedReservation, plan_reservations

SHIRT, MUG = 1, 2
SHANGHAI, GUANGZHOU, BEIJING = 10, 20, 30


def chosen(plan: list[PlannedReservation]) -> list[tuple[str, int | None]]:
    return [(p.demand.demand_id, p.warehouse_id) for p in plan]


def test_one_warehouse_that_covers_every_demand_is_preferred_over_splitting_the_order():
    demands = [Demand("a", SHIRT, 2), Demand("b", MUG, 1)]
    available = {(SHIRT, SHANGHAI): 5, (MUG, GUANGZHOU): 5, (SHIRT, GUANGZHOU): 2}

    plan = plan_reservations(demands, available, [SHANGHAI, GUANGZHOU])

    assert chosen(plan) == [("a", GUANGZHOU), ("b", GUANGZHOU)]


def test_the_first_covering_warehouse_in_sourcing_order_wins():
    demands = [Demand("a", SHIRT, 1)]
    available = {(SHIRT, SHANGHAI): 1, (SHIRT, GUANGZHOU): 9}

    assert chosen(plan_reservations(demands, available, [GUANGZHOU, SHANGHAI])) == [("a", GUANGZHOU)]
    assert chosen(plan_reservations(demands, available, [SHANGHAI, GUANGZHOU])) == [("a", SHANGHAI)]


def test_without_a_single_warehouse_each_demand_falls_back_to_its_own_first_covering_warehouse():
    demands = [Demand("a", SHIRT, 3), Demand("b", MUG, 2)]
    available = {(SHIRT, SHANGHAI): 3, (MUG, GUANGZHOU): 2}

    plan = plan_reservations(demands, available, [SHANGHAI, GUANGZHOU])

    assert chosen(plan) == [("a", SHANGHAI), ("b", GUANGZHOU)]


def test_a_single_warehouse_needs_the_sum_of_all_demands_of_a_sku():
    demands = [Demand("a", SHIRT, 3), Demand("b", SHIRT, 3)]
    available = {(SHIRT, SHANGHAI): 5, (SHIRT, GUANGZHOU): 3}

    plan = plan_reservations(demands, available, [SHANGHAI, GUANGZHOU])

    assert chosen(plan) == [("a", SHANGHAI), ("b", GUANGZHOU)]


def test_earlier_demands_of_the_plan_use_up_what_later_ones_can_take():
    demands = [Demand("a", SHIRT, 4), Demand("b", SHIRT, 4), Demand("c", SHIRT, 4)]
    available = {(SHIRT, SHANGHAI): 5, (SHIRT, GUANGZHOU): 4, (SHIRT, BEIJING): 3}

    plan = plan_reservations(demands, available, [SHANGHAI, GUANGZHOU, BEIJING])

    assert chosen(plan) == [("a", SHANGHAI), ("b", GUANGZHOU), ("c", None)]


def test_a_demand_is_never_split_across_warehouses():
    demands = [Demand("a", SHIRT, 5)]
    available = {(SHIRT, SHANGHAI): 3, (SHIRT, GUANGZHOU): 3}

    assert chosen(plan_reservations(demands, available, [SHANGHAI, GUANGZHOU])) == [("a", None)]


def test_nothing_available_plans_none_for_every_demand_in_the_given_order():
    demands = [Demand("b", MUG, 1), Demand("a", SHIRT, 1)]

    plan = plan_reservations(demands, {}, [SHANGHAI])

    assert plan == [PlannedReservation(demands[0], None), PlannedReservation(demands[1], None)]


def test_a_warehouse_outside_the_sourcing_order_is_never_chosen():
    demands = [Demand("a", SHIRT, 1)]
    available = {(SHIRT, BEIJING): 10}  # e.g. an inactive warehouse

    assert chosen(plan_reservations(demands, available, [SHANGHAI])) == [("a", None)]


def test_the_plan_leaves_the_callers_figures_untouched():
    available = {(SHIRT, SHANGHAI): 2}

    plan_reservations([Demand("a", SHIRT, 2)], available, [SHANGHAI])

    assert available == {(SHIRT, SHANGHAI): 2}


def test_no_demands_make_an_empty_plan():
    assert plan_reservations([], {(SHIRT, SHANGHAI): 2}, [SHANGHAI]) == []
