"""Stock services: receipts, adjustments, reservations and releases, with exact counters and
ledger rows; every failure path leaves every table as it was."""

from typing import Any

import pytest
from django.db import transaction

from dingdan.catalog.tests.factories import SkuFactory
from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import OutboxEvent
from dingdan.core.verify import verify_all
from dingdan.inventory import hooks
from dingdan.inventory.exceptions import (
    InsufficientStock,
    ReservationConflict,
    UnknownSku,
    WarehouseInactive,
    WarehouseNotFound,
)
from dingdan.inventory.models import Reservation, StockLevel, StockMovement
from dingdan.inventory.selectors import warehouse_facts
from dingdan.inventory.services import (
    Allocation,
    Demand,
    StockLine,
    reservations_release,
    stock_adjust,
    stock_receive,
    stock_reorder_point_set,
    stock_reserve,
)
from dingdan.inventory.services import stock as stock_services
from dingdan.inventory.services.stock import MAX_ON_HAND

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db

CLERK = Actor(username="wang.fang", user_id=3)


@pytest.fixture
def shirt() -> Any:
    return SkuFactory(code="TEE-BLK-M")


@pytest.fixture
def mug() -> Any:
    return SkuFactory(code="MUG-01")


@pytest.fixture
def shanghai() -> Any:
    return WarehouseFactory(code="sh", priority=10)


@pytest.fixture
def guangzhou() -> Any:
    return WarehouseFactory(code="gz", priority=20)


def level(sku: Any, warehouse: Any) -> tuple[int, int]:
    row = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    return row.on_hand, row.reserved


def everything() -> dict[str, list[Any]]:
    """Every stock row, ledger row and reservation: what a failed write must leave as it was."""
    return {
        "levels": list(
            StockLevel.objects.order_by("pk").values_list("sku_id", "warehouse_id", "on_hand", "reserved")
        ),
        "movements": list(StockMovement.objects.order_by("pk").values_list("pk", "quantity")),
        "reservations": list(Reservation.objects.order_by("pk").values_list("pk", "quantity", "status")),
    }


def receive(warehouse: Any, *lines: tuple[Any, int]) -> list[StockMovement]:
    return stock_receive(
        actor=CLERK, warehouse_id=warehouse.pk, lines=[StockLine(sku.pk, qty) for sku, qty in lines]
    )


def reserve(*demands: tuple[str, Any, int]) -> list[Allocation]:
    with transaction.atomic():
        return stock_reserve(
            demands=[Demand(demand_id, sku.pk, qty) for demand_id, sku, qty in demands],
            demand_type="order_line",
            reference="SO260123-000001",
        )


def no_findings() -> bool:
    return not any(verify_all().values())


# Receipts -----------------------------------------------------------------------------------


def test_a_receipt_raises_on_hand_and_writes_one_ledger_row_per_sku(shanghai, shirt, mug):
    movements = stock_receive(
        actor=CLERK,
        warehouse_id=shanghai.pk,
        lines=[StockLine(mug.pk, 3), StockLine(shirt.pk, 4), StockLine(mug.pk, 2)],
        reference="PO-0001",
        note="首批到货",
    )

    assert level(shirt, shanghai) == (4, 0)
    assert level(mug, shanghai) == (5, 0)
    assert shirt.pk < mug.pk  # the fixtures' order: the ledger rows come in SKU order
    assert [(m.sku_id, m.kind, m.quantity, m.reference, m.note, m.actor) for m in movements] == [
        (shirt.pk, "receipt", 4, "PO-0001", "首批到货", "wang.fang"),
        (mug.pk, "receipt", 5, "PO-0001", "首批到货", "wang.fang"),
    ]
    assert StockMovement.objects.count() == 2
    assert no_findings()


def test_receipts_add_up(shanghai, shirt):
    receive(shanghai, (shirt, 4))
    receive(shanghai, (shirt, 6))

    assert level(shirt, shanghai) == (10, 0)
    assert list(StockMovement.objects.order_by("pk").values_list("quantity", flat=True)) == [4, 6]


def test_a_receipt_tells_the_stock_arrival_hook_in_the_transaction(shanghai, shirt, monkeypatch):
    arrived: list[list[tuple[int, int]]] = []
    monkeypatch.setattr(hooks, "_providers", [lambda keys: arrived.append(list(keys))])

    receive(shanghai, (shirt, 1))

    assert arrived == [[(shirt.pk, shanghai.pk)]]


def test_bad_quantities_are_all_reported_and_nothing_is_written(shanghai, shirt, mug):
    receive(shanghai, (shirt, 1))
    before = everything()

    with pytest.raises(ValidationFailed) as raised:
        stock_receive(
            actor=CLERK,
            warehouse_id=shanghai.pk,
            lines=[StockLine(shirt.pk, 0), StockLine(mug.pk, 5), StockLine(mug.pk, 1_000_001)],
        )

    assert [(e["field"], e["code"]) for e in raised.value.errors] == [
        ("lines.0.quantity", "invalid_quantity"),
        ("lines.2.quantity", "invalid_quantity"),
    ]
    assert everything() == before


def test_a_receipt_without_lines_is_refused(shanghai):
    with pytest.raises(ValidationFailed) as raised:
        stock_receive(actor=CLERK, warehouse_id=shanghai.pk, lines=[])

    assert [(e["field"], e["code"]) for e in raised.value.errors] == [("lines", "required")]


def test_an_unknown_sku_fails_the_whole_receipt(shanghai, shirt):
    before = everything()

    with pytest.raises(UnknownSku) as raised:
        stock_receive(
            actor=CLERK,
            warehouse_id=shanghai.pk,
            lines=[StockLine(shirt.pk, 1), StockLine(shirt.pk + 999, 1)],
        )

    assert raised.value.status == 422
    assert everything() == before


def test_an_inactive_or_unknown_warehouse_receives_nothing(shirt):
    closed = WarehouseFactory(code="old", is_active=False)

    with pytest.raises(WarehouseInactive):
        receive(closed, (shirt, 1))
    with pytest.raises(WarehouseNotFound):
        stock_receive(actor=CLERK, warehouse_id=closed.pk + 999, lines=[StockLine(shirt.pk, 1)])

    assert everything() == {"levels": [], "movements": [], "reservations": []}


def test_a_receipt_that_would_overflow_on_hand_is_refused_and_changes_nothing(shanghai, shirt, mug):
    receive(shanghai, (shirt, 1))
    StockLevel.objects.filter(sku=shirt).update(on_hand=MAX_ON_HAND - 5)
    before = everything()

    with pytest.raises(ValidationFailed) as raised:
        receive(shanghai, (mug, 1), (shirt, 6))

    assert [(e["field"], e["code"]) for e in raised.value.errors] == [("quantity", "on_hand_too_large")]
    assert everything() == before


# Adjustments --------------------------------------------------------------------------------


def test_an_adjustment_moves_on_hand_by_its_signed_quantity_with_its_reason(shanghai, shirt):
    receive(shanghai, (shirt, 10))

    down = stock_adjust(
        actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=-3, reason="damaged", note="破损"
    )
    up = stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=1, reason="found")

    assert level(shirt, shanghai) == (8, 0)
    assert (down.kind, down.quantity, down.reason, down.note) == ("adjustment", -3, "damaged", "破损")
    assert (up.quantity, up.reason) == (1, "found")
    assert no_findings()


def test_an_adjustment_may_take_on_hand_down_to_what_is_reserved(shanghai, shirt):
    receive(shanghai, (shirt, 10))
    reserve(("1", shirt, 4))

    stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=-6, reason="count")

    assert level(shirt, shanghai) == (4, 4)
    assert no_findings()


def test_a_decrease_below_what_is_reserved_is_insufficient_stock_and_changes_nothing(shanghai, shirt):
    receive(shanghai, (shirt, 10))
    reserve(("1", shirt, 4))
    before = everything()

    with pytest.raises(InsufficientStock) as raised:
        stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=-7, reason="count")

    assert (raised.value.status, raised.value.code) == (409, "insufficient_stock")
    assert everything() == before


def test_a_decrease_of_stock_never_received_is_refused_and_leaves_no_stock_row(shanghai, shirt):
    with pytest.raises(InsufficientStock):
        stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=-1, reason="count")

    assert everything() == {"levels": [], "movements": [], "reservations": []}


@pytest.mark.parametrize(
    ("quantity", "reason", "field"),
    [
        (0, "count", "quantity"),
        (1_000_001, "count", "quantity"),
        (-1_000_001, "count", "quantity"),
        (1, "  ", "reason"),
    ],
)
def test_a_zero_or_oversized_quantity_or_a_blank_reason_is_refused(shanghai, shirt, quantity, reason, field):
    receive(shanghai, (shirt, 2))
    before = everything()

    with pytest.raises(ValidationFailed) as raised:
        stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=quantity, reason=reason)

    assert [e["field"] for e in raised.value.errors] == [field]
    assert everything() == before


def test_an_increase_that_would_overflow_on_hand_is_refused(shanghai, shirt):
    receive(shanghai, (shirt, 1))
    StockLevel.objects.filter(sku=shirt).update(on_hand=MAX_ON_HAND)
    before = everything()

    with pytest.raises(ValidationFailed) as raised:
        stock_adjust(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=1, reason="found")

    assert [e["code"] for e in raised.value.errors] == ["on_hand_too_large"]
    assert everything() == before


# Reservations -------------------------------------------------------------------------------


def test_a_reservation_raises_reserved_and_records_an_open_row_per_demand(shanghai, shirt, mug):
    receive(shanghai, (shirt, 10), (mug, 3))

    allocations = reserve(("11", shirt, 2), ("12", mug, 3))

    assert allocations == [
        Allocation("11", shirt.pk, shanghai.pk, 2),
        Allocation("12", mug.pk, shanghai.pk, 3),
    ]
    assert level(shirt, shanghai) == (10, 2)
    assert level(mug, shanghai) == (3, 3)
    assert list(
        Reservation.objects.order_by("demand_id").values_list(
            "demand_type", "demand_id", "sku_id", "quantity", "reference", "status"
        )
    ) == [
        ("order_line", "11", shirt.pk, 2, "SO260123-000001", "open"),
        ("order_line", "12", mug.pk, 3, "SO260123-000001", "open"),
    ]
    assert no_findings()


def test_a_demand_stock_cannot_cover_reserves_nothing_and_is_allocated_zero(shanghai, shirt, mug):
    receive(shanghai, (shirt, 10), (mug, 3))

    allocations = reserve(("11", shirt, 2), ("12", mug, 4))

    assert allocations == [Allocation("11", shirt.pk, shanghai.pk, 2), Allocation("12", mug.pk, None, 0)]
    assert level(mug, shanghai) == (3, 0)
    assert Reservation.objects.filter(demand_id="12").count() == 0


def test_demands_go_to_the_first_warehouse_in_priority_order_that_covers_them(
    shanghai, guangzhou, shirt, mug
):
    receive(shanghai, (shirt, 1))
    receive(guangzhou, (shirt, 5), (mug, 5))

    allocations = reserve(("11", shirt, 1), ("12", mug, 1))

    assert [a.warehouse_id for a in allocations] == [guangzhou.pk, guangzhou.pk]  # one parcel
    assert level(shirt, shanghai) == (1, 0)
    assert level(shirt, guangzhou) == (5, 1)


def test_an_inactive_warehouse_is_never_reserved_from(shirt):
    closed = WarehouseFactory(code="old", priority=1)
    receive(closed, (shirt, 5))
    closed.is_active = False
    closed.save(update_fields=["is_active"])

    assert reserve(("11", shirt, 1)) == [Allocation("11", shirt.pk, None, 0)]
    assert level(shirt, closed) == (5, 0)


def test_a_planned_row_taken_meanwhile_falls_back_to_a_later_warehouse(
    shanghai, guangzhou, shirt, monkeypatch
):
    receive(shanghai, (shirt, 5))
    receive(guangzhou, (shirt, 5))
    reserve(("1", shirt, 5))  # another order took Shanghai's units after this plan read them
    stale = [(shirt.pk, shanghai.pk, 5), (shirt.pk, guangzhou.pk, 5)]
    sourcing, codes = [shanghai.pk, guangzhou.pk], {shanghai.pk: "sh", guangzhou.pk: "gz"}
    monkeypatch.setattr(stock_services, "_stock_for", lambda demands: (stale, sourcing, codes))

    allocations = reserve(("2", shirt, 2))

    assert allocations == [Allocation("2", shirt.pk, guangzhou.pk, 2)]
    assert (level(shirt, shanghai), level(shirt, guangzhou)) == ((5, 5), (5, 2))
    assert no_findings()


def test_a_reservation_that_takes_available_below_the_reorder_point_emits_stock_low_once(
    shanghai, shirt, mug, django_assert_num_queries
):
    receive(shanghai, (shirt, 10), (mug, 10))
    stock_reorder_point_set(actor=CLERK, warehouse_id=shanghai.pk, sku_id=shirt.pk, reorder_point=5)
    low = OutboxEvent.objects.filter(type="stock.low").order_by("pk")

    warehouse_facts()  # the process's copy of the warehouses, made (core.cache)
    # The savepoint and its release, the copy's version, the stock read (locking), one UPDATE
    # of both rows, the reservations: no low-stock read.
    with django_assert_num_queries(6):
        reserve(("1", shirt, 3), ("2", mug, 9))
    assert low.count() == 0
    reserve(("3", shirt, 2), ("4", shirt, 1))  # together from 7 to 4: below 5
    reserve(("5", shirt, 1))  # already below: no second event

    assert [(e.data["sku_code"], e.data["available"], e.data["reorder_point"]) for e in low] == [
        (shirt.code, 4, 5)
    ]
    assert level(shirt, shanghai) == (10, 7)


@pytest.mark.parametrize(
    ("demands", "problem"),
    [([("1", 0)], "quantity"), ([("1", -2)], "quantity"), ([("1", 1), ("1", 2)], "unique")],
)
def test_a_demand_below_one_unit_or_a_repeated_demand_id_is_a_programming_error(
    shanghai, shirt, demands, problem
):
    receive(shanghai, (shirt, 10))
    before = everything()

    with pytest.raises(ValueError, match=problem):
        reserve(*[(demand_id, shirt, quantity) for demand_id, quantity in demands])

    assert everything() == before


@pytest.mark.django_db(transaction=True)
def test_reserving_outside_a_transaction_is_refused(shanghai, shirt):
    receive(shanghai, (shirt, 10))

    with pytest.raises(RuntimeError):
        stock_reserve(demands=[Demand("1", shirt.pk, 1)], demand_type="order_line")

    assert level(shirt, shanghai) == (10, 0)


def test_no_demands_reserve_nothing():
    assert reserve() == []


# Releases -----------------------------------------------------------------------------------


def test_a_release_closes_the_open_reservations_and_lowers_reserved(shanghai, guangzhou, shirt, mug):
    receive(shanghai, (shirt, 10), (mug, 3))
    receive(guangzhou, (mug, 5))
    reserve(("11", shirt, 2), ("12", mug, 3), ("13", shirt, 1))
    reserve(("21", mug, 4))

    released = reservations_release(demand_type="order_line", demand_ids=["11", "12", "21"])

    assert released == 9
    assert (level(shirt, shanghai), level(mug, shanghai), level(mug, guangzhou)) == ((10, 1), (3, 0), (5, 0))
    statuses = dict(Reservation.objects.values_list("demand_id", "status"))
    assert statuses == {"11": "released", "12": "released", "13": "open", "21": "released"}
    assert not Reservation.objects.filter(status="released", closed_at__isnull=True).exists()
    assert no_findings()


def test_releasing_twice_or_unknown_demands_releases_nothing_more(shanghai, shirt):
    receive(shanghai, (shirt, 10))
    reserve(("11", shirt, 2))
    reservations_release(demand_type="order_line", demand_ids=["11"])
    before = everything()

    assert reservations_release(demand_type="order_line", demand_ids=["11", "99"]) == 0
    assert reservations_release(demand_type="transfer", demand_ids=["11"]) == 0
    assert everything() == before


class _Sneaky:
    """A clock whose first reading releases one of the rows being released, the way a
    concurrent release of the same order would between our read and our update."""

    def __init__(self, reservation_pk: int) -> None:
        self.reservation_pk = reservation_pk
        self.fired = False

    def now(self) -> Any:
        from django.utils import timezone

        if not self.fired:
            self.fired = True
            Reservation.objects.filter(pk=self.reservation_pk).update(status="released")
        return timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_release_racing_another_is_a_conflict_that_releases_nothing(shirt, shanghai, monkeypatch):
    receive(shanghai, (shirt, 10))
    reserve(("11", shirt, 2), ("12", shirt, 3))
    first = Reservation.objects.get(demand_id="11")
    before = everything()
    monkeypatch.setattr("dingdan.inventory.services.stock.timezone", _Sneaky(first.pk))

    with pytest.raises(ReservationConflict):
        reservations_release(demand_type="order_line", demand_ids=["11", "12"])  # no caller transaction

    assert everything() == before
    assert no_findings()
