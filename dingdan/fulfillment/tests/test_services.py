"""Fulfilment services: sourcing overrides, allocation of backorders on arrival, shortage
options, shipping refusals, tracking by webhook, upload and hand, orders at risk."""

import datetime as dt
import json
import time

import openpyxl
import pytest
from django.utils import timezone

from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import OutboxEvent
from dingdan.core.verify import verify_all
from dingdan.fulfillment import domain, selectors, services
from dingdan.fulfillment.exceptions import (
    InvalidSignature,
    InvalidSourcing,
    InvalidTrackingNumber,
    PackageAlreadyShipped,
    SourcingLocked,
)
from dingdan.fulfillment.models import Carrier, Shipment, TrackingEvent
from dingdan.fulfillment.services.providers import OtherWarehouses, ShipAvailable
from dingdan.inventory.models import Reservation, StockLevel, StockMovement
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.orders.models import ExceptionCase, Order, OrderLine
from dingdan.orders.services.shortage import shortage_facts

NOW = dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)


def ship_one(shop, order, *, tracking="SF1234567890123"):
    return shop.ship(order, tracking=tracking)


def reserved_at(order):
    return sorted(
        Reservation.objects.filter(reference=order.number, status="open").values_list(
            "warehouse__code", "quantity"
        )
    )


def test_staff_override_the_sourcing_with_a_reason_and_the_reservations_move(shop):
    stock_receive(actor=SYSTEM, warehouse_id=shop.guangzhou.pk, lines=[StockLine(shop.tee.pk, 4)])
    order = shop.order((shop.tee, 3))
    [line] = order.lines.all()
    assert reserved_at(order) == [("sh", 3)]
    with pytest.raises(InvalidSourcing) as refused:
        services.order_source(
            actor=SYSTEM, order_id=order.pk, override=[domain.Assignment(line.pk, shop.guangzhou.pk, 3)]
        )
    assert [e["code"] for e in refused.value.errors] == ["required"]
    assert reserved_at(order) == [("sh", 3)]
    decision = services.order_source(
        actor=SYSTEM,
        order_id=order.pk,
        override=[
            domain.Assignment(line.pk, shop.guangzhou.pk, 2),
            domain.Assignment(line.pk, shop.shanghai.pk, 1),
        ],
        reason="广州仓更近",
    )
    assert (decision.is_override, decision.reason) == (True, "广州仓更近")
    assert reserved_at(order) == [("gz", 2), ("sh", 1)]
    assert {name: f for name, f in verify_all().items() if f} == {}


def test_an_order_on_a_pick_list_cannot_be_resourced(shop):
    order = shop.order((shop.tee, 1))
    services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
    with pytest.raises(SourcingLocked):
        services.order_source(actor=SYSTEM, order_id=order.pk)


def test_arriving_stock_goes_to_backorders_urgent_first_and_releases_their_holds(shop):
    shop.order((shop.tee, 8))  # 2 left
    normal = shop.order((shop.tee, 5))
    urgent = shop.order((shop.tee, 5), priority="urgent")
    assert (normal.status, urgent.status) == ("on_hold", "on_hold")
    stock_receive(actor=SYSTEM, warehouse_id=shop.shanghai.pk, lines=[StockLine(shop.tee.pk, 3)])
    normal.refresh_from_db()
    urgent.refresh_from_db()
    assert (urgent.status, urgent.lines.get().backorder_quantity) == ("confirmed", 0)
    assert (normal.status, normal.lines.get().backorder_quantity) == ("on_hold", 5)
    assert (
        OutboxEvent.objects.filter(type="order.backorder_allocated", aggregate_id=str(urgent.pk)).count() == 1
    )
    stock_receive(actor=SYSTEM, warehouse_id=shop.shanghai.pk, lines=[StockLine(shop.tee.pk, 5)])
    normal.refresh_from_db()
    assert (normal.status, normal.lines.get().backorder_quantity) == ("confirmed", 0)
    assert {name: f for name, f in verify_all().items() if f} == {}


def test_a_short_line_can_take_the_missing_units_from_other_warehouses_or_ship_what_is_there(shop):
    stock_receive(actor=SYSTEM, warehouse_id=shop.guangzhou.pk, lines=[StockLine(shop.tee.pk, 4)])
    order = shop.order((shop.tee, 12))  # 10 in sh + 4 in gz: neither alone
    line = order.lines.get()
    assert line.backorder_quantity == 12
    facts = shortage_facts(Order.objects.get(pk=order.pk), 1)
    assert ShipAvailable().offer(facts) is None
    option = OtherWarehouses().offer(facts)
    assert option.details["covered"] == 12
    OtherWarehouses().carry_out(facts, option=option, actor=SYSTEM)
    assert reserved_at(order) == [("gz", 2), ("sh", 10)]
    assert OrderLine.objects.get(pk=line.pk).backorder_quantity == 0
    assert {name: f for name, f in verify_all().items() if f} == {}


def test_shipping_refuses_a_bad_tracking_number_and_a_package_shipped_before(shop):
    order = shop.order((shop.tee, 1))
    shipment = ship_one(shop, order)
    package = shipment.packages.get()
    with pytest.raises(InvalidTrackingNumber):
        services.shipment_create(
            actor=SYSTEM, package_ids=[package.pk], carrier_code="sf", tracking_number="XX1"
        )
    with pytest.raises(PackageAlreadyShipped):
        services.shipment_create(
            actor=SYSTEM, package_ids=[package.pk], carrier_code="sf", tracking_number="SF1234567890999"
        )
    assert Shipment.objects.count() == 1
    assert StockMovement.objects.filter(kind="shipment").count() == 1
    assert OrderLine.objects.get(order=order).quantity_shipped == 1


def signed(secret: str, payload: dict, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, services.signature_header(secret=secret, body=body, at=at or int(time.time()))


def test_a_webhook_must_be_signed_recently_and_a_failed_delivery_opens_a_case_for_logistics(shop):
    Carrier.objects.filter(code="sf").update(webhook_secret="s3cret")
    order = shop.order((shop.tee, 1))
    shipment = ship_one(shop, order)
    payload = {
        "id": "1",
        "type": "tracking.event",
        "data": {
            "tracking_number": shipment.tracking_number,
            "kind": "failed_attempt",
            "occurred_at": NOW.isoformat(),
            "location": "深圳",
        },
    }
    body, header = signed("s3cret", payload, at=int(time.time()) - 600)
    with pytest.raises(InvalidSignature):
        services.tracking_webhook_receive(carrier_code="sf", body=body, signature=header, actor=SYSTEM)
    with pytest.raises(InvalidSignature):
        services.tracking_webhook_receive(
            carrier_code="sf", body=body + b" ", signature=signed("s3cret", payload)[1], actor=SYSTEM
        )
    assert TrackingEvent.objects.count() == 0
    body, header = signed("s3cret", payload)
    recorded = services.tracking_webhook_receive(carrier_code="sf", body=body, signature=header, actor=SYSTEM)
    assert (recorded.duplicate, Shipment.objects.get().status) == (False, "failed_attempt")
    case = ExceptionCase.objects.get(order=order)
    assert (case.kind, case.owner_role) == ("delivery_failure", "logistics")
    again = services.tracking_webhook_receive(carrier_code="sf", body=body, signature=header, actor=SYSTEM)
    assert again.duplicate is True
    assert (TrackingEvent.objects.count(), ExceptionCase.objects.count()) == (1, 1)


def test_tracking_events_come_from_csv_and_excel_and_a_bad_row_refuses_the_file(shop):
    order = shop.order((shop.tee, 1))
    shipment = ship_one(shop, order)
    csv = (
        "carrier,tracking_number,event_id,kind,occurred_at,location\n"
        f"sf,{shipment.tracking_number},c1,picked_up,2026-11-24T08:00:00+08:00,上海\n"
    )
    updates = services.tracking_file_read(content=csv.encode(), filename="track.csv")
    services.tracking_events_upload(actor=SYSTEM, updates=updates)
    assert Shipment.objects.get().status == "in_transit"
    book = openpyxl.Workbook()
    book.active.append(["carrier", "tracking_number", "event_id", "kind", "occurred_at"])
    book.active.append(["sf", shipment.tracking_number, "x1", "delivered", "2026-11-25T08:00:00+08:00"])
    book.active.append(["sf", shipment.tracking_number, "x2", "exploded", "2026-11-25T09:00:00+08:00"])
    import io

    stream = io.BytesIO()
    book.save(stream)
    with pytest.raises(ValidationFailed) as refused:
        services.tracking_file_read(content=stream.getvalue(), filename="track.xlsx")
    assert [e["field"] for e in refused.value.errors] == ["rows.3.kind"]
    assert Shipment.objects.get().status == "in_transit"
    assert TrackingEvent.objects.count() == 1


def test_delivered_orders_leave_the_at_risk_list_and_late_ones_are_on_it(shop):
    late = shop.order((shop.tee, 1))
    soon = shop.order((shop.tee, 1))
    Order.objects.filter(pk=late.pk).update(promised_date=dt.date(2026, 11, 20))
    Order.objects.filter(pk=soon.pk).update(promised_date=dt.date(2026, 11, 30))
    now = timezone.make_aware(dt.datetime(2026, 11, 24, 10))
    assert [(r.order_id, r.reason) for r in selectors.orders_at_risk(now=now)] == [(late.pk, "late")]
    ship_one(shop, late)
    assert selectors.orders_at_risk(now=now) == []


def test_stock_low_fires_once_when_available_stock_crosses_the_reorder_point(shop):
    level = StockLevel.objects.get(sku=shop.tee, warehouse=shop.shanghai)
    StockLevel.objects.filter(pk=level.pk).update(reorder_point=8)
    shop.order((shop.tee, 2))  # available 8: not below
    assert OutboxEvent.objects.filter(type="stock.low").count() == 0
    shop.order((shop.tee, 1))  # available 7: crossed
    shop.order((shop.tee, 1))  # still below: no second event
    [event] = OutboxEvent.objects.filter(type="stock.low")
    assert event.data == {
        "aggregate_id": f"{shop.tee.pk}:{shop.shanghai.pk}",
        "warehouse_id": shop.shanghai.pk,
        "warehouse_code": "sh",
        "sku_id": shop.tee.pk,
        "sku_code": "TEE-BLK-M",
        "available": 7,
        "reorder_point": 8,
    }
