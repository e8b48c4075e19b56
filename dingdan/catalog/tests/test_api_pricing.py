"""/promotions, /coupons, /shipping-fee-rules and POST /pricing/quote."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.catalog.models import Coupon, CouponRedemption, Promotion, ShippingFeeRule
from dingdan.core.models import AuditEntry

from .factories import PriceListFactory, ProductFactory, make_channel

pytestmark = pytest.mark.django_db

THRESHOLD = {"code": "m300", "name": "满300减30", "kind": "threshold_off", "target": "order",
             "amount": "30", "min_subtotal": "300"}  # fmt: skip


def writes() -> tuple[int, ...]:
    return (
        Promotion.objects.count(),
        Coupon.objects.count(),
        ShippingFeeRule.objects.count(),
        CouponRedemption.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def shop(db, vat13):
    """A web channel, two priced T-shirt SKUs (300 g each) and a mug in another category."""
    make_channel("web")
    ProductFactory(
        code="TS",
        category="apparel",
        skus=[
            {"code": "TS-M", "tax_rate": "vat13", "weight_grams": 300},
            {"code": "TS-L", "tax_rate": "vat13", "weight_grams": 300},
        ],
    )
    ProductFactory(code="MUG", category="kitchen", skus=[{"code": "MUG-1", "tax_rate": "vat13"}])
    PriceListFactory(
        code="retail",
        items=[
            {"sku_code": "TS-M", "price": Decimal("100.00")},
            {"sku_code": "TS-L", "price": Decimal("110.00")},
            {"sku_code": "MUG-1", "price": Decimal("35.50")},
        ],
    )


def test_a_promotion_is_created_once_per_idempotency_key_and_read_back(admin_api):
    key = {"Idempotency-Key": "promo-1"}
    first = admin_api.post("/promotions", THRESHOLD, headers=key)
    replay = admin_api.post("/promotions", THRESHOLD, headers=key)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.content == first.content
    body = first.json()
    assert (body["kind"], body["amount"], body["min_subtotal"], body["channel"]) == (
        "threshold_off",
        "30.00",
        "300.00",
        None,
    )
    assert admin_api.get(f"/promotions/{body['id']}").json()["code"] == "m300"
    assert Promotion.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"target": "line"}, 422, "target"),
        ({"min_subtotal": "0"}, 422, "min_subtotal"),
        ({"percent": "1.5"}, 422, "percent"),
        ({"amount": "-1"}, 422, "amount"),
        ({"channel": "nowhere"}, 422, "channel"),
        ({"kind": "half_price"}, 422, "kind"),
        ({"valid_from": "2026-02-01T00:00:00Z", "valid_to": "2026-01-01T00:00:00"}, 422, "valid_to"),
    ],
)
def test_a_bad_promotion_is_a_4xx_problem_and_writes_nothing(admin_api, changes, status, field):
    before = writes()
    response = admin_api.post("/promotions", {**THRESHOLD, **changes})

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"].split(".")[-1] for error in response.json()["errors"]}
    assert writes() == before


def test_a_taken_promotion_code_is_409(admin_api):
    admin_api.post("/promotions", THRESHOLD)
    response = admin_api.post("/promotions", THRESHOLD)
    assert (response.status_code, response.json()["code"]) == (409, "promotion_code_taken")


def test_promotions_are_patched_listed_and_deactivated(admin_api):
    promotion = admin_api.post("/promotions", THRESHOLD).json()
    admin_api.post("/promotions", {**THRESHOLD, "code": "p10", "kind": "percent_off", "percent": "0.1"})

    patched = admin_api.patch(f"/promotions/{promotion['id']}", {"amount": "35", "is_active": False})
    cleared_channel = admin_api.patch(f"/promotions/{promotion['id']}", {"channel": None})
    refused = admin_api.patch(f"/promotions/{promotion['id']}", {"name": None})

    assert (patched.status_code, patched.json()["amount"], patched.json()["is_active"]) == (
        200,
        "35.00",
        False,
    )
    assert (cleared_channel.status_code, refused.status_code) == (200, 422)
    assert [p["code"] for p in admin_api.get("/promotions", is_active=True).json()["items"]] == ["p10"]
    assert admin_api.get("/promotions/999999").status_code == 404


def test_reading_needs_catalog_read_and_writing_catalog_write(api_as):
    reader = api_as("order_clerk", scopes=["catalog:read"])
    assert reader.get("/promotions").status_code == 200
    assert reader.post("/promotions", THRESHOLD).status_code == 403
    assert Promotion.objects.count() == 0


def test_a_coupon_is_created_in_capitals_and_shows_its_uses(admin_api):
    admin_api.post("/promotions", {**THRESHOLD, "requires_coupon": True})
    response = admin_api.post(
        "/coupons", {"code": "hello-300", "promotion": "m300", "usage_limit": 100, "per_customer_limit": 1}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["promotion"], body["used_count"], body["usage_limit"]) == (
        "HELLO-300",
        "m300",
        0,
        100,
    )
    assert admin_api.patch(f"/coupons/{body['id']}", {"usage_limit": None}).json()["usage_limit"] is None
    assert [c["code"] for c in admin_api.get("/coupons").json()["items"]] == ["HELLO-300"]
    unknown = admin_api.post("/coupons", {"code": "X1", "promotion": "nope"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_promotion")
    assert admin_api.post("/coupons", {"code": "HELLO-300", "promotion": "m300"}).status_code == 409


def test_a_shipping_fee_rule_is_created_patched_and_listed(admin_api, shop):
    rule = {"code": "sf", "name": "顺丰", "channel": "web", "regions": ["广东省"], "base_fee": "12",
            "included_grams": 1000, "fee_per_kg": "5", "free_above": "199"}  # fmt: skip
    created = admin_api.post("/shipping-fee-rules", rule)

    assert created.status_code == 201, created.content
    assert (created.json()["channel"], created.json()["fee_per_kg"]) == ("web", "5.00")
    patched = admin_api.patch(f"/shipping-fee-rules/{created.json()['id']}", {"free_above": None})
    assert patched.json()["free_above"] is None
    assert admin_api.post("/shipping-fee-rules", {**rule, "base_fee": "-1", "code": "x"}).status_code == 422
    assert [r["code"] for r in admin_api.get("/shipping-fee-rules").json()["items"]] == ["sf"]


def test_listing_promotions_coupons_and_rules_takes_one_catalog_query_however_many(admin_api, shop):
    for n in range(6):
        admin_api.post("/promotions", {**THRESHOLD, "code": f"m{n}", "channel": "web"})
        admin_api.post("/coupons", {"code": f"C{n}", "promotion": f"m{n}"})
        admin_api.post("/shipping-fee-rules", {"code": f"r{n}", "name": "r", "channel": "web"})

    for path in ("/promotions", "/coupons", "/shipping-fee-rules"):
        with CaptureQueriesContext(connection) as captured:
            assert len(admin_api.get(path).json()["items"]) == 6
        assert len([q for q in captured.captured_queries if "catalog_" in q["sql"]]) == 1, path


def quote(api, *lines, **fields):
    body = {
        "channel": "web",
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        **fields,
    }
    return api.post("/pricing/quote", body)


def test_a_quote_explains_each_discount_and_the_shipping_fee_and_writes_nothing(admin_api, shop):
    tee10 = {"code": "tee10", "name": "T恤九折", "kind": "percent_off", "target": "line", "percent": "0.1"}
    admin_api.post("/promotions", {**tee10, "scope": "category", "scope_codes": ["apparel"]})
    admin_api.post("/promotions", {**THRESHOLD, "requires_coupon": True})
    admin_api.post("/coupons", {"code": "HELLO", "promotion": "m300", "usage_limit": 1})
    rule = {"code": "sf", "name": "顺丰", "base_fee": "12", "included_grams": 500, "fee_per_kg": "5"}
    admin_api.post("/shipping-fee-rules", rule)
    before = writes()

    response = quote(admin_api, ("TS-M", 2), ("TS-L", 1), ("MUG-1", 2), coupon_codes=["hello"])

    assert response.status_code == 200, response.content
    body = response.json()
    # goods 310.00 + 71.00; T-shirts 10 % off (31.00); 350.00 ≥ 300: 30 off; 3 × 300 g: 400 g
    # above the 500 g included is one started kilogram.
    assert [(line["sku"], line["promotion_discount"], line["subtotal"]) for line in body["lines"]] == [
        ("TS-M", "20.00", "180.00"),
        ("TS-L", "11.00", "99.00"),
        ("MUG-1", "0.00", "71.00"),
    ]
    assert (body["subtotal"], body["order_discount"], body["shipping_fee"], body["total"]) == (
        "350.00",
        "30.00",
        "17.00",
        "337.00",
    )
    assert [(e["code"], e["coupon_code"], e["amount"], e["label"]) for e in body["explanations"]] == [
        ("tee10", "", "31.00", "10 % off the line (tee10)"),
        ("m300", "HELLO", "30.00", "Spend 300.00 CNY, get 30.00 off (m300)"),
        ("sf", "", "17.00", "Shipping by rule sf (900 g)"),
    ]
    assert body["explanations"][1]["lines"] == [
        {"line": 1, "amount": "15.43"},
        {"line": 2, "amount": "8.49"},
        {"line": 3, "amount": "6.08"},
    ]
    assert (body["applied_coupons"], body["rejected_coupons"]) == (["HELLO"], [])
    assert body["tax_total"] == sum(Decimal(line["tax"]) for line in body["lines"]).to_eng_string()
    assert writes() == before


def test_a_quote_lists_an_unusable_coupon_with_the_reason_in_the_callers_language(api_as, shop):
    api = api_as("administrator", language="zh-hans")
    response = quote(api, ("TS-M", 1), coupon_codes=["NOPE"])

    assert response.status_code == 200
    (rejected,) = response.json()["rejected_coupons"]
    assert (rejected["code"], rejected["reason"]) == ("NOPE", "coupon_unknown")
    assert "NOPE" in rejected["message"]


def test_a_quote_with_an_unknown_sku_or_channel_is_422_naming_the_field(admin_api, shop):
    unknown_sku = quote(admin_api, ("TS-M", 1), ("NOPE", 1))
    unknown_channel = quote(admin_api, ("TS-M", 1), channel="nowhere")

    assert (unknown_sku.status_code, unknown_sku.json()["errors"][0]["field"]) == (422, "lines.1.sku")
    assert (unknown_channel.status_code, unknown_channel.json()["errors"][0]["field"]) == (422, "channel")
    assert quote(admin_api).status_code == 422  # no lines


def test_a_quote_at_a_moment_without_a_zone_prices_at_that_utc_moment(admin_api, shop):
    admin_api.post("/promotions", {**THRESHOLD, "valid_from": "2030-01-01T00:00:00Z"})
    early = quote(admin_api, ("TS-M", 3), at="2029-12-31T23:59:59")
    late = quote(admin_api, ("TS-M", 3), at="2030-01-01T00:00:00")

    assert (early.json()["order_discount"], late.json()["order_discount"]) == ("0.00", "30.00")
