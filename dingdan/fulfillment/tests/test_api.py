"""The fulfilment API: scopes, idempotent creates, 4xx that change nothing, list queries."""

import io
from decimal import Decimal

from dingdan.core.actors import SYSTEM
from dingdan.fulfillment import services
from dingdan.fulfillment.models import Package, PickList, Shipment, TrackingEvent
from dingdan.inventory.models import StockMovement


def shipped(shop, n: int) -> list[Shipment]:
    made = []
    for index in range(n):
        order = shop.order((shop.tee, 1))
        pick = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
        services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
        [package] = services.packages_create(
            actor=SYSTEM,
            pick_list_id=pick.pk,
            order_id=order.pk,
            packages=[services.PackageSpec({"TEE-BLK-M": 1}, Decimal("1"))],
        )
        made.append(
            services.shipment_create(
                actor=SYSTEM,
                package_ids=[package.pk],
                carrier_code="sf",
                tracking_number=f"SF12345678900{index}",
            )
        )
    return made


def test_pick_lists_need_the_pick_scope_and_a_replayed_create_returns_the_same_list(shop, api_as):
    order = shop.order((shop.tee, 2))
    body = {"warehouse": "sh", "orders": [order.pk]}
    assert (
        api_as("customer_service")
        .post("/fulfillment/pick-lists", body, headers={"Idempotency-Key": "k"})
        .status_code
        == 403
    )
    warehouse = api_as("warehouse")
    first = warehouse.post("/fulfillment/pick-lists", body, headers={"Idempotency-Key": "k1"})
    again = warehouse.post("/fulfillment/pick-lists", body, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 201, first.json()["id"])
    assert PickList.objects.count() == 1
    nothing = warehouse.post("/fulfillment/pick-lists", body, headers={"Idempotency-Key": "k2"})
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_pick")
    unknown = warehouse.post(
        "/fulfillment/pick-lists",
        {"warehouse": "nope", "orders": [order.pk]},
        headers={"Idempotency-Key": "k3"},
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown_warehouse")
    assert PickList.objects.count() == 1


def test_a_bad_shipment_is_refused_with_a_problem_and_changes_nothing(shop, api_as):
    order = shop.order((shop.tee, 1))
    pick = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
    services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
    [package] = services.packages_create(
        actor=SYSTEM,
        pick_list_id=pick.pk,
        order_id=order.pk,
        packages=[services.PackageSpec({"TEE-BLK-M": 1}, Decimal("1"))],
    )
    logistics = api_as("logistics")
    bad = logistics.post(
        "/fulfillment/shipments",
        {"packages": [package.pk], "carrier": "sf", "tracking_number": "123"},
        headers={"Idempotency-Key": "s1"},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_tracking_number")
    unknown = logistics.post(
        "/fulfillment/shipments",
        {"packages": [package.pk], "carrier": "pigeon", "tracking_number": "123"},
        headers={"Idempotency-Key": "s2"},
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "carrier_not_found")
    assert (Shipment.objects.count(), StockMovement.objects.filter(kind="shipment").count()) == (0, 0)
    assert Package.objects.get().shipment_id is None


def test_the_shipment_list_reads_in_a_fixed_number_of_queries(shop, api_as, django_assert_max_num_queries):
    shipped(shop, 3)
    logistics = api_as("logistics")
    with django_assert_max_num_queries(6):
        response = logistics.get("/fulfillment/shipments")
    assert [s["tracking_number"] for s in response.json()["items"]] == [
        "SF123456789002",
        "SF123456789001",
        "SF123456789000",
    ]
    with django_assert_max_num_queries(6):
        assert len(logistics.get("/fulfillment/pick-lists").json()["items"]) == 3


def test_tracking_events_upload_as_a_file_by_hand_and_replays_are_duplicates(shop, api_as):
    [shipment] = shipped(shop, 1)
    logistics = api_as("logistics")
    csv = (
        "carrier,tracking_number,event_id,kind,occurred_at\n"
        f"sf,{shipment.tracking_number},u1,in_transit,2026-11-24T08:00:00+08:00\n"
    )
    upload = logistics.client.post(
        "/api/v1/fulfillment/tracking/uploads", {"file": io.BytesIO(csv.encode())}, headers=logistics.headers
    )
    assert upload.json() == {"recorded": 1, "duplicates": 0}
    by_hand = logistics.post(
        f"/fulfillment/shipments/{shipment.pk}/events",
        {"event_id": "scan-7", "kind": "out_for_delivery", "occurred_at": "2026-11-24T09:00:00+08:00"},
        headers={"Idempotency-Key": "t1"},
    )
    assert by_hand.json() == {
        "event_id": "manual:scan-7",
        "shipment_id": shipment.pk,
        "kind": "out_for_delivery",
        "applied": True,
        "duplicate": False,
    }
    detail = logistics.get(f"/fulfillment/shipments/{shipment.pk}").json()
    assert (detail["status"], [e["kind"] for e in detail["events"]]) == (
        "out_for_delivery",
        ["in_transit", "out_for_delivery"],
    )
    assert TrackingEvent.objects.count() == 2


def test_documents_come_as_pdf(shop, api_as):
    [shipment] = shipped(shop, 1)
    reader = api_as("warehouse")
    response = reader.get(f"/fulfillment/orders/{shipment.order_id}/delivery-note")
    assert (response.status_code, response["Content-Type"], response.content[:4]) == (
        200,
        "application/pdf",
        b"%PDF",
    )
    missing = reader.get("/fulfillment/orders/999999/delivery-note")
    assert (missing.status_code, missing.json()["code"]) == (404, "order_not_found")
