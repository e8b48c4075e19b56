"""Services end to end on one order: source, pick, pack, ship, track."""

import datetime as dt
from decimal import Decimal

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.core.verify import verify_all
from dingdan.fulfillment import services
from dingdan.fulfillment.exceptions import PackingMismatch, PickListNotOpen
from dingdan.fulfillment.models import PackageLine, PickList, Shipment
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.orders.models import ExceptionCase, Order


def clean() -> None:
    assert {name: findings for name, findings in verify_all().items() if findings} == {}


def levels() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (row.sku.code, row.warehouse.code): (row.on_hand, row.reserved)
        for row in StockLevel.objects.select_related("sku", "warehouse")
    }


def test_an_order_is_sourced_from_two_warehouses_picked_packed_shipped_and_delivered(shop) -> None:
    order = shop.order((shop.tee, 3), (shop.mug, 2))
    assert order.status == "confirmed"
    decision = services.order_source(actor=SYSTEM, order_id=order.pk)
    assert sorted((p["warehouse_id"], p["quantity"]) for p in decision.plan) == [
        (shop.shanghai.pk, 3),
        (shop.guangzhou.pk, 2),
    ]
    assert [r["rule"] for r in decision.explanation][-2:] == ["line_warehouse", "line_warehouse"]
    clean()

    pick = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
    assert [(line.sku_code, line.quantity) for line in pick.lines.all()] == [("TEE-BLK-M", 3)]
    services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
    with pytest.raises(PickListNotOpen):
        services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
    with pytest.raises(PackingMismatch) as mismatch:
        services.packages_create(
            actor=SYSTEM,
            pick_list_id=pick.pk,
            order_id=order.pk,
            packages=[services.PackageSpec({"TEE-BLK-M": 2, "MUG-01": 1}, Decimal("1.2"))],
        )
    assert [(e["field"], e["code"]) for e in mismatch.value.errors] == [
        ("contents.MUG-01", "extra"),
        ("contents.TEE-BLK-M", "missing"),
    ]
    assert PackageLine.objects.count() == 0
    [package] = services.packages_create(
        actor=SYSTEM,
        pick_list_id=pick.pk,
        order_id=order.pk,
        packages=[services.PackageSpec({"TEE-BLK-M": 3}, Decimal("1.2"))],
    )
    first = services.shipment_create(
        actor=SYSTEM,
        package_ids=[package.pk],
        carrier_code="sf",
        tracking_number="SF1234567890123",
        cost=Decimal("12.00"),
    )
    order.refresh_from_db()
    assert order.fulfillment_status == "partially_shipped"
    assert levels()[("TEE-BLK-M", "sh")] == (7, 0)
    clean()

    pick2 = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.guangzhou.pk, order_ids=[order.pk])
    services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick2.pk)
    [package2] = services.packages_create(
        actor=SYSTEM,
        pick_list_id=pick2.pk,
        order_id=order.pk,
        packages=[services.PackageSpec({"MUG-01": 2}, Decimal("0.8"))],
    )
    second = services.shipment_create(
        actor=SYSTEM, package_ids=[package2.pk], carrier_code="zto", tracking_number="731234567890123"
    )
    order.refresh_from_db()
    assert order.fulfillment_status == "shipped"
    assert levels()[("MUG-01", "gz")] == (3, 0)
    clean()

    now = dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)
    for shipment in (first, second):
        services.tracking_event_record(
            actor=SYSTEM,
            update=services.TrackingUpdate(
                shipment.carrier.code, shipment.tracking_number, f"e-{shipment.pk}", "delivered", now
            ),
            source="manual",
        )
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("completed", "delivered")
    assert set(Shipment.objects.values_list("status", flat=True)) == {"delivered"}
    assert Reservation.objects.filter(status="open").count() == 0
    clean()


def test_a_short_pick_opens_a_stock_shortage_case(shop) -> None:
    order = shop.order((shop.tee, 3))
    pick = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
    line = pick.lines.get()
    services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk, picked={line.pk: 1})
    case = ExceptionCase.objects.get(order=order)
    assert (case.kind, case.line_number, case.owner_role) == ("stock_shortage", 1, "warehouse")
    assert PickList.objects.get(pk=pick.pk).status == "picked"
    assert Order.objects.get(pk=order.pk).status == "confirmed"
