from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.core.models import OutboxEvent

from .factories import PriceListFactory, ProductFactory, catalog_counts, make_channel

pytestmark = pytest.mark.django_db

SHIRT = {
    "code": "TS-001",
    "name": "纯棉T恤",
    "name_en": "Cotton T-shirt",
    "category": "apparel",
    "skus": [
        {
            "code": "TS-001-BK-M",
            "tax_rate": "vat13",
            "barcode": "6901234567892",
            "specs": {"颜色": "黑色", "尺寸": "M"},
        },
        {
            "code": "TS-001-BK-L",
            "tax_rate": "vat13",
            "specs": {"颜色": "黑色", "尺寸": "L"},
            "weight_grams": 220,
        },
    ],
}


def create_shirt(api, **fields):
    response = api.post("/products", {**SHIRT, **fields})
    assert response.status_code == 201, response.content
    return response.json()


# Tax rates


def test_a_tax_rate_is_created_and_its_rate_answered_as_a_decimal_string(admin_api):
    response = admin_api.post("/tax-rates", {"code": "vat9", "name": "增值税 9%", "rate": "0.09"})

    assert response.status_code == 201, response.content
    assert response.json()["rate"] == "0.0900"
    assert admin_api.get(f"/tax-rates/{response.json()['id']}").json()["rate"] == "0.0900"


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "0.12345", "abc"])
def test_a_tax_rate_outside_0_to_1_is_422_and_creates_nothing(admin_api, rate):
    response = admin_api.post("/tax-rates", {"code": "bad", "name": "bad", "rate": rate})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "rate"
    assert catalog_counts()["tax_rates"] == 0


def test_a_tax_rate_is_deactivated_with_patch(admin_api, vat13):
    response = admin_api.patch(f"/tax-rates/{vat13.pk}", {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert [t["code"] for t in admin_api.get("/tax-rates", is_active=False).json()["items"]] == ["vat13"]


# Products and SKUs


def test_a_product_is_created_with_its_skus_and_answered_in_full(admin_api, vat13):
    body = create_shirt(admin_api)

    assert (body["code"], body["unit"], body["is_active"]) == ("TS-001", "pcs", True)
    medium, large = body["skus"]
    assert medium["code"] == "TS-001-BK-M"
    assert (medium["product_id"], medium["product_code"]) == (body["id"], "TS-001")
    assert (medium["barcode"], medium["specs"], medium["tax_rate"]) == (
        "6901234567892",
        {"颜色": "黑色", "尺寸": "M"},
        "vat13",
    )
    assert (large["barcode"], large["weight_grams"], large["is_sellable"]) == ("", 220, True)
    assert admin_api.get(f"/products/{body['id']}").json() == body
    assert list(OutboxEvent.objects.order_by("pk").values_list("type", flat=True)) == [
        "product.created",
        "sku.created",
        "sku.created",
    ]


def test_a_duplicate_product_code_is_409_and_changes_nothing(admin_api, vat13):
    create_shirt(admin_api)
    before = catalog_counts()

    response = admin_api.post("/products", {**SHIRT, "skus": []})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "product_code_taken"
    assert catalog_counts() == before


def test_a_sku_barcode_taken_is_409_naming_the_sku(admin_api, vat13):
    create_shirt(admin_api)
    before = catalog_counts()
    taken = {**SHIRT["skus"][0], "code": "OTHER-1"}

    response = admin_api.post("/products", {**SHIRT, "code": "OTHER", "skus": [taken]})

    assert response.status_code == 409
    assert response.json()["code"] == "sku_barcode_taken"
    assert response.json()["errors"][0]["field"] == "skus.0.barcode"
    assert catalog_counts() == before


def test_an_unknown_tax_rate_is_422_with_a_localised_message_and_creates_nothing(api_as, vat13):
    api = api_as("administrator", language="zh-hans")
    skus = [{**SHIRT["skus"][0], "tax_rate": "vat99"}]

    response = api.post("/products", {**SHIRT, "skus": skus})

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_tax_rate"
    assert response.json()["errors"][0]["field"] == "skus.0.tax_rate"
    assert catalog_counts()["products"] == 0


def test_specs_must_be_an_object_of_texts(admin_api, vat13):
    skus = [{**SHIRT["skus"][0], "specs": {"颜色": 1}}]

    response = admin_api.post("/products", {**SHIRT, "skus": skus})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "skus.0.specs.颜色"
    assert catalog_counts()["products"] == 0


def test_unknown_fields_are_rejected(admin_api, vat13):
    response = admin_api.post("/products", {**SHIRT, "price": "10.00"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "price"
    assert catalog_counts()["products"] == 0


def test_a_replayed_create_returns_the_first_answer_and_creates_once(admin_api, vat13):
    key = {"Idempotency-Key": "order-import-42"}

    first = admin_api.post("/products", SHIRT, headers=key)
    second = admin_api.post("/products", SHIRT, headers=key)
    reused = admin_api.post("/products", {**SHIRT, "name": "other"}, headers=key)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert catalog_counts()["products"] == 1
    assert OutboxEvent.objects.filter(type="product.created").count() == 1


def test_an_order_clerk_may_read_but_not_write_the_catalog(api_as, vat13):
    clerk = api_as("order_clerk")
    before = catalog_counts()

    assert clerk.get("/products").status_code == 200
    assert clerk.get("/skus").status_code == 200
    assert clerk.get("/price-lists").status_code == 200
    assert clerk.get("/tax-rates").status_code == 200
    writes = {
        "/products": SHIRT,
        "/tax-rates": {"code": "vat9", "name": "增值税 9%", "rate": "0.09"},
        "/price-lists": {"code": "retail", "name": "零售"},
    }
    for path, body in writes.items():
        response = clerk.post(path, body)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"
    assert clerk.patch(f"/tax-rates/{vat13.pk}", {"is_active": False}).status_code == 403
    assert catalog_counts() == before


@pytest.mark.parametrize("path", ["/products", "/skus", "/price-lists", "/tax-rates", "/products/1"])
def test_anonymous_callers_get_401_problem(anonymous_api, path):
    response = anonymous_api.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_a_missing_product_is_404_problem(admin_api):
    response = admin_api.get("/products/404")

    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


def test_patch_changes_only_given_product_fields(admin_api, vat13):
    product = create_shirt(admin_api)

    response = admin_api.patch(f"/products/{product['id']}", {"name_en": "Tee", "is_active": False})

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["name_en"], body["is_active"]) == ("纯棉T恤", "Tee", False)
    assert [sku["is_sellable"] for sku in body["skus"]] == [False, False]


def test_null_is_refused_for_a_field_it_cannot_clear(admin_api, vat13):
    product = create_shirt(admin_api)

    response = admin_api.patch(f"/products/{product['id']}", {"name": None})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert admin_api.get(f"/products/{product['id']}").json()["name"] == "纯棉T恤"


def test_a_sku_is_added_to_a_product(admin_api, vat13):
    product = create_shirt(admin_api)
    sku = {"code": "TS-001-WH-M", "tax_rate": "vat13", "specs": {"颜色": "白色", "尺寸": "M"}, "unit": "pcs"}

    response = admin_api.post(f"/products/{product['id']}/skus", sku, headers={"Idempotency-Key": "sku-1"})

    assert response.status_code == 201, response.content
    assert response.json()["product_code"] == "TS-001"
    assert len(admin_api.get(f"/products/{product['id']}").json()["skus"]) == 3


def test_a_sku_for_a_missing_product_is_404(admin_api, vat13):
    response = admin_api.post("/products/404/skus", {"code": "X", "tax_rate": "vat13"})

    assert response.status_code == 404
    assert catalog_counts()["skus"] == 0


def test_skus_are_listed_by_code_barcode_product_and_text(admin_api, vat13):
    product = create_shirt(admin_api)
    create_shirt(admin_api, code="MUG", name="陶瓷杯", skus=[{"code": "MUG-W", "tax_rate": "vat13"}])

    def codes(**filters):
        return [sku["code"] for sku in admin_api.get("/skus", **filters).json()["items"]]

    assert codes(barcode="6901234567892") == ["TS-001-BK-M"]
    assert codes(code="MUG-W") == ["MUG-W"]
    assert codes(product=product["id"]) == ["TS-001-BK-M", "TS-001-BK-L"]
    assert codes(q="陶瓷") == ["MUG-W"]


def test_a_sku_patch_to_a_taken_barcode_is_409_and_changes_nothing(admin_api, vat13):
    product = create_shirt(admin_api)
    large = product["skus"][1]
    before = catalog_counts()

    response = admin_api.patch(f"/skus/{large['id']}", {"barcode": "6901234567892"})

    assert response.status_code == 409
    assert response.json()["code"] == "sku_barcode_taken"
    assert admin_api.get(f"/skus/{large['id']}").json()["barcode"] == ""
    assert catalog_counts() == before


def test_a_sku_patch_changes_specs_and_weight(admin_api, vat13):
    large = create_shirt(admin_api)["skus"][1]

    response = admin_api.patch(f"/skus/{large['id']}", {"specs": {"颜色": "红色"}, "weight_grams": None})

    assert response.status_code == 200
    assert (response.json()["specs"], response.json()["weight_grams"]) == ({"颜色": "红色"}, None)


def test_lists_page_with_a_cursor(admin_api, vat13):
    for n in range(5):
        ProductFactory(code=f"P{n}")

    first = admin_api.get("/products", limit=2).json()
    second = admin_api.get("/products", limit=2, cursor=first["next"]).json()
    third = admin_api.get("/products", limit=2, cursor=second["next"]).json()

    assert [p["code"] for page in (first, second, third) for p in page["items"]] == [
        "P0",
        "P1",
        "P2",
        "P3",
        "P4",
    ]
    assert third["next"] is None


def catalog_queries(api, path):
    """The catalog's queries of a GET (authentication's own are not counted)."""
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return len([q for q in captured.captured_queries if "catalog_" in q["sql"]])


def test_listing_products_with_their_skus_takes_two_queries_for_2_or_12_products(admin_api, vat13):
    def add(n):
        ProductFactory(code=f"P{n}", skus=[{"code": f"P{n}-{size}", "tax_rate": "vat13"} for size in "SML"])

    for n in range(2):
        add(n)
    few = catalog_queries(admin_api, "/products")
    for n in range(2, 12):
        add(n)

    assert catalog_queries(admin_api, "/products") == few == 2
    assert len(admin_api.get("/products").json()["items"]) == 12


def test_listing_skus_and_price_lists_takes_one_query_however_many(
    admin_api, vat13, django_assert_max_num_queries
):
    make_channel("web")
    ProductFactory(code="P0", skus=[{"code": "P0-S", "tax_rate": "vat13"}])
    PriceListFactory(code="l0", channel="web")
    ProductFactory(code="P1", skus=[{"code": f"P1-{n}", "tax_rate": "vat13"} for n in range(10)])
    for n in range(1, 10):
        PriceListFactory(code=f"l{n}", channel="web")

    assert (catalog_queries(admin_api, "/skus"), catalog_queries(admin_api, "/price-lists")) == (1, 1)
    # one more for the token and two for its scopes: nothing grows with the number of rows
    with django_assert_max_num_queries(4):
        assert len(admin_api.get("/skus").json()["items"]) == 11


# Price lists


def test_a_price_list_is_created_with_prices_as_decimal_strings(admin_api, vat13):
    channel = make_channel("web")
    create_shirt(admin_api)
    payload = {
        "code": "web-vip",
        "name": "官网 VIP",
        "channel": "web",
        "customer_grade": "vip",
        "valid_from": "2026-01-01",
        "priority": 5,
        "items": [
            {"sku_code": "TS-001-BK-M", "price": "99.5"},
            {"sku_code": "TS-001-BK-M", "price": "89.00", "min_quantity": 10},
        ],
    }

    response = admin_api.post("/price-lists", payload, headers={"Idempotency-Key": "pl-1"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["channel_id"], body["currency"], body["prices_include_tax"]) == (
        "web",
        channel.pk,
        "CNY",
        True,
    )
    assert (body["valid_from"], body["valid_to"]) == ("2026-01-01", None)
    assert [(i["sku_code"], i["min_quantity"], i["price"]) for i in body["items"]] == [
        ("TS-001-BK-M", 1, "99.50"),
        ("TS-001-BK-M", 10, "89.00"),
    ]
    assert admin_api.get(f"/price-lists/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"currency": "ABC"}, 422, "validation_error"),
        ({"channel": "nope"}, 422, "unknown_channel"),
        ({"items": [{"sku_code": "NOPE", "price": "1.00"}]}, 422, "unknown_sku"),
        ({"items": [{"sku_code": "TS-001-BK-M", "price": "-1.00"}]}, 422, "validation_error"),
        ({"items": [{"sku_code": "TS-001-BK-M", "price": "1.001"}]}, 422, "validation_error"),
        ({"valid_from": "2026-02-01", "valid_to": "2026-01-01"}, 422, "validation_error"),
        ({"code": "retail"}, 409, "price_list_code_taken"),
    ],
)
def test_a_bad_price_list_is_refused_with_a_problem_and_creates_nothing(
    admin_api, vat13, fields, status, code
):
    create_shirt(admin_api)
    PriceListFactory(code="retail")
    before = catalog_counts()

    response = admin_api.post("/price-lists", {"code": "new", "name": "新", **fields})

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert catalog_counts() == before


def test_putting_items_upserts_or_replaces_them(admin_api, vat13):
    create_shirt(admin_api)
    price_list = PriceListFactory(code="retail", items=[{"sku_code": "TS-001-BK-M", "price": Decimal("99")}])
    url = f"/price-lists/{price_list.pk}/items"

    upserted = admin_api.put(url, {"items": [{"sku_code": "TS-001-BK-L", "price": "109.00"}]})
    replaced = admin_api.put(url, {"items": [{"sku_code": "TS-001-BK-L", "price": "105"}], "replace": True})

    assert upserted.status_code == 200, upserted.content
    assert [(i["sku_code"], i["price"]) for i in upserted.json()["items"]] == [
        ("TS-001-BK-L", "109.00"),
        ("TS-001-BK-M", "99.00"),
    ]
    assert [(i["sku_code"], i["price"]) for i in replaced.json()["items"]] == [("TS-001-BK-L", "105.00")]


def test_putting_items_with_an_unknown_sku_changes_nothing(admin_api, vat13):
    create_shirt(admin_api)
    price_list = PriceListFactory(code="retail", items=[{"sku_code": "TS-001-BK-M", "price": Decimal("99")}])
    before = catalog_counts()

    response = admin_api.put(
        f"/price-lists/{price_list.pk}/items",
        {"items": [{"sku_code": "NOPE", "price": "1.00"}], "replace": True},
    )

    assert (response.status_code, response.json()["code"]) == (422, "unknown_sku")
    assert catalog_counts() == before


def test_a_price_list_patch_moves_it_to_every_channel(admin_api, vat13):
    make_channel("web")
    price_list = PriceListFactory(code="web", channel="web")

    response = admin_api.patch(f"/price-lists/{price_list.pk}", {"channel": None, "priority": 3})

    assert response.status_code == 200
    assert (response.json()["channel"], response.json()["channel_id"], response.json()["priority"]) == (
        None,
        None,
        3,
    )


def test_every_catalog_operation_declares_its_errors(admin_api):
    schema = admin_api.get("/openapi.json").json()

    for path, operations in schema["paths"].items():
        if not path.startswith(
            ("/api/v1/products", "/api/v1/skus", "/api/v1/tax-rates", "/api/v1/price-lists")
        ):
            continue
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403"} <= declared, (method, path)
            if method in {"post", "put", "patch"}:
                assert "422" in declared, (method, path)
