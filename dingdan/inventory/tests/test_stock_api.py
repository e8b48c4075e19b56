"""/api/v1/inventory: stock levels, receipts, adjustments and the movement ledger over HTTP."""

import datetime as dt
from typing import Any, get_args

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dingdan.catalog.tests.factories import SkuFactory
from dingdan.core.actors import SYSTEM
from dingdan.inventory.models import Reservation, StockLevel, StockMovement
from dingdan.inventory.schemas import MovementKind
from dingdan.inventory.services import Demand, StockLine, stock_receive, stock_reserve

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> dict[str, Any]:
    """Two warehouses, a shirt and a mug, nothing in stock."""
    return {
        "sh": WarehouseFactory(code="sh", priority=10),
        "gz": WarehouseFactory(code="gz", priority=20),
        "TEE": SkuFactory(code="TEE-BLK-M"),
        "MUG": SkuFactory(code="MUG-01"),
    }


def receive(warehouse: Any, *lines: tuple[Any, int], reference: str = "") -> None:
    stock_receive(
        actor=SYSTEM,
        warehouse_id=warehouse.pk,
        lines=[StockLine(sku.pk, qty) for sku, qty in lines],
        reference=reference,
    )


def reserve(sku: Any, quantity: int, demand_id: str = "1") -> None:
    with transaction.atomic():
        stock_reserve(demands=[Demand(demand_id, sku.pk, quantity)], demand_type="order_line")


def levels() -> list[tuple[str, str, int, int]]:
    return list(
        StockLevel.objects.order_by("sku_id", "warehouse_id").values_list(
            "sku__code", "warehouse__code", "on_hand", "reserved"
        )
    )


def everything() -> tuple[list[Any], int, int]:
    return levels(), StockMovement.objects.count(), Reservation.objects.count()


def fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


RECEIPT = {
    "warehouse": "sh",
    "reference": "PO-0001",
    "note": "首批到货",
    "lines": [
        {"sku": "TEE-BLK-M", "quantity": 4},
        {"sku": "MUG-01", "quantity": 3},
        {"sku": "TEE-BLK-M", "quantity": 1},
    ],
}


# Receipts -----------------------------------------------------------------------------------


def test_the_warehouse_role_receives_goods_and_gets_the_ledger_rows_back(api_as, shop):
    response = api_as("warehouse").post("/inventory/receipts", RECEIPT)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["warehouse"], body["reference"]) == ("sh", "PO-0001")
    assert [
        (m["sku"], m["sku_id"], m["warehouse"], m["kind"], m["quantity"], m["reference"], m["note"])
        for m in body["movements"]
    ] == [
        ("TEE-BLK-M", shop["TEE"].pk, "sh", "receipt", 5, "PO-0001", "首批到货"),
        ("MUG-01", shop["MUG"].pk, "sh", "receipt", 3, "PO-0001", "首批到货"),
    ]
    assert body["movements"][0]["actor"].startswith("user")
    assert levels() == [("TEE-BLK-M", "sh", 5, 0), ("MUG-01", "sh", 3, 0)]


def test_unknown_codes_in_a_receipt_are_one_422_naming_each_field_and_write_nothing(admin_api, shop):
    body = {
        **RECEIPT,
        "warehouse": "bj",
        "lines": [{"sku": "TEE-BLK-M", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
    }

    response = admin_api.post("/inventory/receipts", body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert fields(response) == {"warehouse": "unknown_warehouse", "lines.1.sku": "unknown_sku"}
    assert everything() == ([], 0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "TEE-BLK-M", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "TEE-BLK-M", "quantity": 1_000_001}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "TEE-BLK-M", "quantity": "2"}]}, "lines.0.quantity"),
        ({"warehouse": "SH 1"}, "warehouse"),
        ({"on_hand": 5}, "on_hand"),
    ],
)
def test_a_malformed_receipt_is_422_and_writes_nothing(admin_api, shop, change, field):
    response = admin_api.post("/inventory/receipts", {**RECEIPT, **change})

    assert response.status_code == 422
    assert field in fields(response)
    assert everything() == ([], 0, 0)


def test_an_inactive_warehouse_receives_nothing(admin_api, shop):
    WarehouseFactory(code="old", is_active=False)

    response = admin_api.post("/inventory/receipts", {**RECEIPT, "warehouse": "old"})

    assert response.status_code == 422
    assert response.json()["code"] == "warehouse_inactive"
    assert everything() == ([], 0, 0)


def test_a_replayed_receipt_returns_the_first_answer_and_receives_once(admin_api, shop):
    headers = {"Idempotency-Key": "receipt-po-0001"}

    first = admin_api.post("/inventory/receipts", RECEIPT, headers=headers)
    again = admin_api.post("/inventory/receipts", RECEIPT, headers=headers)
    other = admin_api.post("/inventory/receipts", {**RECEIPT, "reference": "PO-0002"}, headers=headers)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert other.json()["code"] == "idempotency_key_reused"
    assert levels() == [("TEE-BLK-M", "sh", 5, 0), ("MUG-01", "sh", 3, 0)]
    assert StockMovement.objects.count() == 2


# Adjustments --------------------------------------------------------------------------------


def test_an_adjustment_is_201_with_its_ledger_row(api_as, shop):
    receive(shop["sh"], (shop["TEE"], 10))
    body = {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": -2, "reason": "damaged", "note": "水渍"}

    response = api_as("warehouse").post("/inventory/adjustments", body)

    assert response.status_code == 201, response.content
    movement = response.json()
    assert {k: movement[k] for k in ("sku", "warehouse", "kind", "quantity", "reason", "note")} == {
        "sku": "TEE-BLK-M",
        "warehouse": "sh",
        "kind": "adjustment",
        "quantity": -2,
        "reason": "damaged",
        "note": "水渍",
    }
    assert levels() == [("TEE-BLK-M", "sh", 8, 0)]


def test_a_decrease_below_what_is_reserved_is_409_insufficient_stock_and_changes_nothing(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 10))
    reserve(shop["TEE"], 4)
    before = everything()

    response = admin_api.post(
        "/inventory/adjustments", {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": -7, "reason": "count"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert everything() == before


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"quantity": 0}, "quantity", "invalid_quantity"),
        ({"quantity": -1_000_001}, "quantity", "greater_than_equal"),
        ({"reason": "   "}, "reason", "string_pattern_mismatch"),
        ({"reason": None}, "reason", "string_type"),
        ({"sku": "NOPE"}, "sku", "unknown_sku"),
        ({"warehouse": "bj"}, "warehouse", "unknown_warehouse"),
    ],
)
def test_a_bad_adjustment_is_422_naming_the_field_and_changes_nothing(admin_api, shop, change, field, code):
    receive(shop["sh"], (shop["TEE"], 10))
    before = everything()
    body = {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": 1, "reason": "found", **change}

    response = admin_api.post("/inventory/adjustments", body)

    assert response.status_code == 422
    assert fields(response) == {field: code}
    assert everything() == before


def test_a_replayed_adjustment_adjusts_once(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 10))
    body = {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": 3, "reason": "found"}
    headers = {"Idempotency-Key": "count-2026-01-23"}

    first = admin_api.post("/inventory/adjustments", body, headers=headers)
    again = admin_api.post("/inventory/adjustments", body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert levels() == [("TEE-BLK-M", "sh", 13, 0)]


# Permissions --------------------------------------------------------------------------------


def test_an_order_clerk_reads_stock_and_movements_but_cannot_receive_or_adjust(api_as, shop):
    receive(shop["sh"], (shop["TEE"], 10))
    clerk = api_as("order_clerk")
    before = everything()

    reads = [clerk.get("/inventory/stock").status_code, clerk.get("/inventory/movements").status_code]
    received = clerk.post("/inventory/receipts", RECEIPT)
    adjusted = clerk.post(
        "/inventory/adjustments", {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": 1, "reason": "found"}
    )

    assert reads == [200, 200]
    assert (received.status_code, adjusted.status_code) == (403, 403)
    assert received.json()["code"] == "permission_denied"
    assert everything() == before


def test_finance_cannot_read_stock_and_anonymous_callers_get_401(api_as, anonymous_api, shop):
    finance = api_as("finance")

    assert finance.get("/inventory/stock").status_code == 403
    assert finance.get("/inventory/movements").status_code == 403
    assert anonymous_api.get("/inventory/stock").status_code == 401
    assert anonymous_api.post("/inventory/receipts", RECEIPT).status_code == 401


def test_a_token_without_the_write_scope_cannot_receive_even_for_a_warehouse_user(api_as, shop):
    reader = api_as("warehouse", scopes=["inventory:read"])

    assert reader.get("/inventory/stock").status_code == 200
    assert reader.post("/inventory/receipts", RECEIPT).status_code == 403
    assert everything() == ([], 0, 0)


# Stock list ---------------------------------------------------------------------------------


def test_the_stock_list_shows_codes_counters_and_available_units(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 10), (shop["MUG"], 3))
    reserve(shop["TEE"], 4)

    response = admin_api.get("/inventory/stock")

    assert response.status_code == 200
    assert [
        {
            k: item[k]
            for k in ("sku", "sku_id", "warehouse", "on_hand", "reserved", "available", "reorder_point")
        }
        for item in response.json()["items"]
    ] == [
        {
            "sku": "TEE-BLK-M",
            "sku_id": shop["TEE"].pk,
            "warehouse": "sh",
            "on_hand": 10,
            "reserved": 4,
            "available": 6,
            "reorder_point": None,
        },
        {
            "sku": "MUG-01",
            "sku_id": shop["MUG"].pk,
            "warehouse": "sh",
            "on_hand": 3,
            "reserved": 0,
            "available": 3,
            "reorder_point": None,
        },
    ]
    updated_at = dt.datetime.fromisoformat(response.json()["items"][0]["updated_at"])
    assert updated_at.utcoffset() == dt.timedelta(0)
    assert response.json()["next"] is None


def test_the_stock_list_filters_by_sku_warehouse_reorder_point_and_availability(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 10), (shop["MUG"], 3))
    receive(shop["gz"], (shop["TEE"], 2))
    reserve(shop["MUG"], 3)
    StockLevel.objects.filter(warehouse=shop["sh"], sku=shop["TEE"]).update(reorder_point=5)
    StockLevel.objects.filter(warehouse=shop["gz"]).update(reorder_point=2)
    StockLevel.objects.filter(sku=shop["MUG"]).update(reorder_point=0)  # 3 on hand, none available

    def listed(**params: Any) -> list[tuple[str, str]]:
        response = admin_api.get("/inventory/stock", **params)
        assert response.status_code == 200, response.content
        return [(item["sku"], item["warehouse"]) for item in response.json()["items"]]

    assert listed(sku="TEE-BLK-M") == [("TEE-BLK-M", "sh"), ("TEE-BLK-M", "gz")]
    assert listed(sku_id=shop["MUG"].pk) == [("MUG-01", "sh")]
    assert listed(warehouse="gz") == [("TEE-BLK-M", "gz")]
    assert listed(below_reorder_point="true") == [("TEE-BLK-M", "gz"), ("MUG-01", "sh")]
    assert listed(available_only="true") == [("TEE-BLK-M", "sh"), ("TEE-BLK-M", "gz")]
    assert listed(sku="NOPE") == []
    assert admin_api.get("/inventory/stock", warehouse="Not a code").status_code == 422


def test_the_stock_list_pages_with_a_cursor_in_sku_then_warehouse_order(admin_api, shop):
    receive(shop["gz"], (shop["MUG"], 1), (shop["TEE"], 1))
    receive(shop["sh"], (shop["MUG"], 1), (shop["TEE"], 1))

    pages, cursor = [], None
    for _ in range(2):
        page = admin_api.get("/inventory/stock", limit=3, **({"cursor": cursor} if cursor else {})).json()
        pages.append([(item["sku"], item["warehouse"]) for item in page["items"]])
        cursor = page["next"]

    assert pages == [[("TEE-BLK-M", "sh"), ("TEE-BLK-M", "gz"), ("MUG-01", "sh")], [("MUG-01", "gz")]]
    assert cursor is None
    assert admin_api.get("/inventory/stock", cursor="garbage").json()["code"] == "invalid_cursor"


def queries_for(api: Any, path: str) -> int:
    api.get(path)  # warm the token's last-used stamp
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, limit=200)
    assert response.status_code == 200
    return len(captured)


def test_the_stock_list_costs_the_same_queries_for_two_or_thirty_rows(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 1), (shop["MUG"], 1))
    few = queries_for(admin_api, "/inventory/stock")
    for sku in SkuFactory.create_batch(14):
        receive(shop["sh"], (sku, 1))
        receive(shop["gz"], (sku, 1))

    assert len(admin_api.get("/inventory/stock", limit=200).json()["items"]) == 30
    assert queries_for(admin_api, "/inventory/stock") == few


# Movements ----------------------------------------------------------------------------------


def test_movements_are_listed_newest_first_and_filtered(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 10), reference="PO-1")
    receive(shop["gz"], (shop["MUG"], 5), reference="PO-2")
    admin_api.post(
        "/inventory/adjustments", {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": -1, "reason": "damaged"}
    )

    def listed(**params: Any) -> list[tuple[str, str, str, int]]:
        response = admin_api.get("/inventory/movements", **params)
        assert response.status_code == 200, response.content
        return [(m["kind"], m["sku"], m["warehouse"], m["quantity"]) for m in response.json()["items"]]

    assert listed() == [
        ("adjustment", "TEE-BLK-M", "sh", -1),
        ("receipt", "MUG-01", "gz", 5),
        ("receipt", "TEE-BLK-M", "sh", 10),
    ]
    assert listed(sku="TEE-BLK-M") == [
        ("adjustment", "TEE-BLK-M", "sh", -1),
        ("receipt", "TEE-BLK-M", "sh", 10),
    ]
    assert listed(sku_id=shop["MUG"].pk) == [("receipt", "MUG-01", "gz", 5)]
    assert listed(warehouse="gz", kind="receipt") == [("receipt", "MUG-01", "gz", 5)]
    assert listed(kind="adjustment") == [("adjustment", "TEE-BLK-M", "sh", -1)]
    assert admin_api.get("/inventory/movements", kind="theft").status_code == 422


def test_movements_page_with_a_cursor(admin_api, shop):
    for quantity in range(1, 6):
        receive(shop["sh"], (shop["TEE"], quantity))

    first = admin_api.get("/inventory/movements", limit=3).json()
    rest = admin_api.get("/inventory/movements", limit=3, cursor=first["next"]).json()

    assert [m["quantity"] for m in first["items"]] == [5, 4, 3]
    assert [m["quantity"] for m in rest["items"]] == [2, 1]
    assert rest["next"] is None


def test_the_movement_list_costs_the_same_queries_for_two_or_thirty_rows(admin_api, shop):
    receive(shop["sh"], (shop["TEE"], 1), (shop["MUG"], 1))
    few = queries_for(admin_api, "/inventory/movements")
    for sku in SkuFactory.create_batch(14):
        receive(shop["sh"], (sku, 1))
        receive(shop["gz"], (sku, 1))

    assert len(admin_api.get("/inventory/movements", limit=200).json()["items"]) == 30
    assert queries_for(admin_api, "/inventory/movements") == few


def test_a_receipt_of_many_lines_costs_a_bounded_number_of_queries(admin_api, shop):
    skus = SkuFactory.create_batch(20)
    admin_api.get("/inventory/stock")  # warm the token's last-used stamp

    def queries_for_receipt(lines: list[Any]) -> int:
        body = {"warehouse": "sh", "lines": [{"sku": sku.code, "quantity": 1} for sku in lines]}
        with CaptureQueriesContext(connection) as captured:
            assert admin_api.post("/inventory/receipts", body).status_code == 201
        return len(captured)

    two, twenty = queries_for_receipt(skus[:2]), queries_for_receipt(skus)

    # one conditional UPDATE per SKU (the counters never read-modify-write); nothing else grows
    assert twenty - two == 18


# Schema -------------------------------------------------------------------------------------


def test_the_schema_declares_the_errors_of_every_stock_operation(admin_api):
    paths = admin_api.get("/openapi.json").json()["paths"]

    declared = {
        (method.upper(), path): sorted(int(status) for status in operation["responses"] if int(status) >= 400)
        for path, operations in paths.items()
        if path.startswith("/api/v1/inventory/")
        for method, operation in operations.items()
    }

    assert declared == {
        ("GET", "/api/v1/inventory/stock"): [400, 401, 403, 422],
        ("POST", "/api/v1/inventory/receipts"): [400, 401, 403, 409, 413, 422],
        ("POST", "/api/v1/inventory/adjustments"): [400, 401, 403, 409, 413, 422],
        ("GET", "/api/v1/inventory/movements"): [400, 401, 403, 422],
        ("POST", "/api/v1/inventory/transfers"): [400, 401, 403, 409, 413, 422],
        ("GET", "/api/v1/inventory/transfers/{transfer_id}"): [401, 403, 404, 422],
        ("POST", "/api/v1/inventory/transfers/{transfer_id}/receive"): [400, 401, 403, 404, 409, 413, 422],
        ("POST", "/api/v1/inventory/counts"): [400, 401, 403, 409, 413, 422],
        ("GET", "/api/v1/inventory/counts/{count_id}"): [401, 403, 404, 422],
        ("POST", "/api/v1/inventory/counts/{count_id}/lines"): [400, 401, 403, 404, 409, 413, 422],
        ("POST", "/api/v1/inventory/counts/{count_id}/post"): [400, 401, 403, 404, 409, 413, 422],
        ("PUT", "/api/v1/inventory/reorder-points"): [400, 401, 403, 409, 413, 422],
        ("GET", "/api/v1/inventory/low-stock"): [400, 401, 403, 422],
    }


def test_the_movement_kinds_of_the_schema_are_the_ledgers_kinds():
    assert list(get_args(MovementKind)) == list(StockMovement.Kind.values)
