"""Order to delivery over the API: an order placed and confirmed, sourced from two
warehouses, picked, packed, shipped in two shipments and tracked to delivered (one event by
hand, one by the carrier's signed webhook). After every step the stock ledger and
`dingdan verify` agree."""

import json
import time
from typing import Any

import pytest
from django.db.models import Sum

from dingdan.core.verify import verify_all
from dingdan.fulfillment.models import Carrier
from dingdan.fulfillment.services import signature_header
from dingdan.fulfillment.tests.shop import Shop, build_shop
from dingdan.inventory.models import StockLevel, StockMovement

SECRET = "zto-webhook-secret"


@pytest.fixture
def shop(db: None) -> Shop:
    return build_shop()


def stock() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (row.sku.code, row.warehouse.code): (row.on_hand, row.reserved)
        for row in StockLevel.objects.select_related("sku", "warehouse")
    }


CHECKPOINTS: list[str] = []


def agree(expected: dict[tuple[str, str], tuple[int, int]]) -> None:
    """The counters are as expected, each on_hand is its ledger's sum, `verify` is clean."""
    CHECKPOINTS.append(str(expected))
    assert stock() == expected
    for (sku, warehouse), (on_hand, _reserved) in expected.items():
        ledger = StockMovement.objects.filter(sku__code=sku, warehouse__code=warehouse).aggregate(
            total=Sum("quantity")
        )
        assert ledger["total"] == on_hand
    assert {name: findings for name, findings in verify_all().items() if findings} == {}


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    return response.json()


def test_an_order_travels_from_two_warehouses_to_the_customers_door(
    shop: Shop, api_as: Any, record_property: Any
) -> None:
    CHECKPOINTS.clear()
    clerk, warehouse, logistics = api_as("order_clerk"), api_as("warehouse"), api_as("logistics")
    Carrier.objects.filter(code="zto").update(webhook_secret=SECRET)

    order = created(
        clerk.post(
            "/orders",
            {
                "channel": "b2b",
                "customer_id": shop.customer.pk,
                "lines": [{"sku": "TEE-BLK-M", "quantity": 3}, {"sku": "MUG-01", "quantity": 2}],
            },
            headers={"Idempotency-Key": "order-1"},
        )
    )
    assert (order["status"], order["fulfillment_status"]) == ("confirmed", "unfulfilled")
    agree({("TEE-BLK-M", "sh"): (10, 3), ("MUG-01", "gz"): (5, 2)})
    tee_line, mug_line = (line["id"] for line in order["lines"])

    preview = warehouse.get(f"/fulfillment/orders/{order['id']}/sourcing").json()
    assert [(a["line_id"], a["warehouse"], a["quantity"]) for a in preview["proposed"]] == [
        (tee_line, "sh", 3),
        (mug_line, "gz", 2),
    ]
    decision = created(
        warehouse.post(
            f"/fulfillment/orders/{order['id']}/sourcing", {}, headers={"Idempotency-Key": "source-1"}
        )
    )
    assert sorted(p["warehouse_id"] for p in decision["plan"]) == sorted(
        [shop.shanghai.pk, shop.guangzhou.pk]
    )
    agree({("TEE-BLK-M", "sh"): (10, 3), ("MUG-01", "gz"): (5, 2)})

    shipments = []
    for code, sku, units, carrier, tracking in (
        ("sh", "TEE-BLK-M", 3, "sf", "SF1234567890123"),
        ("gz", "MUG-01", 2, "zto", "731234567890123"),
    ):
        pick = created(
            warehouse.post(
                "/fulfillment/pick-lists",
                {"warehouse": code, "orders": [order["id"]]},
                headers={"Idempotency-Key": f"pick-{code}"},
            )
        )
        assert [(line["sku_code"], line["quantity"]) for line in pick["lines"]] == [(sku, units)]
        confirmed = warehouse.post(f"/fulfillment/pick-lists/{pick['id']}/confirm", {"lines": []})
        assert confirmed.json()["status"] == "picked"
        wrong = warehouse.post(
            f"/fulfillment/pick-lists/{pick['id']}/packages",
            {
                "order_id": order["id"],
                "packages": [{"contents": [{"sku": sku, "quantity": units - 1}], "weight_kg": "1.000"}],
            },
            headers={"Idempotency-Key": f"pack-wrong-{code}"},
        )
        assert (wrong.status_code, wrong.json()["code"]) == (422, "packing_mismatch")
        assert wrong.json()["errors"][0]["field"] == f"contents.{sku}"
        [package] = created(
            warehouse.post(
                f"/fulfillment/pick-lists/{pick['id']}/packages",
                {
                    "order_id": order["id"],
                    "packages": [
                        {
                            "contents": [{"sku": sku, "quantity": units}],
                            "weight_kg": "1.250",
                            "length_cm": "30",
                        }
                    ],
                },
                headers={"Idempotency-Key": f"pack-{code}"},
            )
        )
        agree(stock())  # packing moves no stock
        shipment = created(
            logistics.post(
                "/fulfillment/shipments",
                {
                    "packages": [package["id"]],
                    "carrier": carrier,
                    "tracking_number": tracking,
                    "cost": "12.50",
                },
                headers={"Idempotency-Key": f"ship-{code}"},
            )
        )
        assert shipment["lines"] == [
            {
                "order_line_id": tee_line if sku == "TEE-BLK-M" else mug_line,
                "sku_code": sku,
                "quantity": units,
            }
        ]
        shipments.append(shipment)
        status = clerk.get(f"/orders/{order['id']}").json()["fulfillment_status"]
        assert status == ("partially_shipped" if code == "sh" else "shipped")
    agree({("TEE-BLK-M", "sh"): (7, 0), ("MUG-01", "gz"): (3, 0)})
    assert shipments[0]["tracking_url"].endswith("SF1234567890123")

    by_hand = logistics.post(
        f"/fulfillment/shipments/{shipments[0]['id']}/events",
        {"kind": "delivered", "occurred_at": "2026-11-25T10:00:00+08:00", "location": "深圳南山"},
        headers={"Idempotency-Key": "track-1"},
    )
    assert created(by_hand)["applied"] is True
    assert (
        clerk.get(f"/orders/{order['id']}").json()["fulfillment_status"] == "shipped"
    )  # one of two delivered

    body = json.dumps(
        {
            "id": "evt-1",
            "type": "tracking.event",
            "data": {
                "tracking_number": "731234567890123",
                "kind": "delivered",
                "occurred_at": "2026-11-25T11:00:00+08:00",
                "location": "深圳",
            },
        }
    ).encode()
    signed = {"X-Dingdan-Signature": signature_header(secret=SECRET, body=body, at=int(time.time()))}
    hook = "/api/v1/fulfillment/tracking/webhooks/zto"
    forged = {"X-Dingdan-Signature": signature_header(secret="wrong", body=body, at=int(time.time()))}
    assert anonymous_post(hook, body, forged).status_code == 401
    first = anonymous_post(hook, body, signed)
    assert (first.status_code, first.json()["duplicate"]) == (200, False)
    replay = anonymous_post(hook, body, signed)
    assert (replay.status_code, replay.json()["duplicate"]) == (200, True)

    final = clerk.get(f"/orders/{order['id']}").json()
    assert (final["status"], final["fulfillment_status"]) == ("completed", "delivered")
    assert [
        s["status"] for s in logistics.get("/fulfillment/shipments", order_id=order["id"]).json()["items"]
    ] == ["delivered", "delivered"]
    agree({("TEE-BLK-M", "sh"): (7, 0), ("MUG-01", "gz"): (3, 0)})
    figure = (
        f"e2e order to delivery: 1 order shipped from 2 warehouses in {len(shipments)} shipments, delivered; "
        f"ledger and verify agree at {len(CHECKPOINTS)} checkpoints"
    )
    print(figure)
    record_property("figures", figure)


def anonymous_post(path: str, body: bytes, headers: dict[str, str]) -> Any:
    from django.test import Client

    return Client().post(path, data=body, content_type="application/json", headers=headers)
