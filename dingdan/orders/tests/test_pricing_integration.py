"""Orders priced by the catalog's quote: promotions, coupons (redeemed with the order, released
when it is cancelled) and shipping fee rules, through the services and the API."""

from decimal import Decimal

import pytest

from dingdan.catalog import services as catalog
from dingdan.catalog.models import Coupon, CouponRedemption
from dingdan.core.actors import SYSTEM
from dingdan.inventory.models import Reservation
from dingdan.orders.exceptions import InvalidOrder
from dingdan.orders.models import Order, OrderLine
from dingdan.orders.services import LineRequest, OrderRequest, order_cancel, order_create, order_submit
from dingdan.orders.services.review import price_order

pytestmark = pytest.mark.django_db


def promotions():
    """T-shirts 10 % off (line), spend 150 get 20 off with coupon HELLO (order, 2 uses)."""
    catalog.promotion_create(actor=SYSTEM, code="tee10", name="T恤九折", kind="percent_off", target="line",
                             percent=Decimal("0.1"), scope="sku", scope_codes=["TEE-BLK-M"])  # fmt: skip
    promotion = catalog.promotion_create(actor=SYSTEM, code="m150", name="满150减20", kind="threshold_off",
                                         target="order", amount=Decimal("20"), min_subtotal=Decimal("150"),
                                         requires_coupon=True)  # fmt: skip
    return catalog.coupon_create(actor=SYSTEM, code="HELLO", promotion=promotion, usage_limit=2)


def place(shop, *lines, coupons=(), submit=True, **fields):
    request = OrderRequest(
        channel_id=shop.channel.pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=code, quantity=quantity) for code, quantity in lines),
        coupon_codes=tuple(coupons),
        **fields,
    )
    return order_create(actor=SYSTEM, request=request, submit=submit)


def written():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        Reservation.objects.count(),
        CouponRedemption.objects.count(),
        list(Coupon.objects.values_list("code", "used_count")),
    )


def test_an_order_takes_its_promotions_and_coupon_and_redeems_the_coupon_in_the_same_transaction(shop):
    coupon = promotions()

    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1), coupons=["hello"])

    tee, mug = order.lines.order_by("line_number")
    # 198.00 − 19.80 = 178.20 (tee10); 178.20 + 35.50 = 213.70 ≥ 150: 20 off with HELLO.
    assert [(line.unit_price, line.discount, line.subtotal) for line in (tee, mug)] == [
        (Decimal("99.00"), Decimal("19.80"), Decimal("178.20")),
        (Decimal("35.50"), Decimal("0.00"), Decimal("35.50")),
    ]
    assert (order.subtotal, order.discount_total, order.shipping_fee, order.total) == (
        Decimal("213.70"),
        Decimal("20.00"),
        Decimal("0.00"),
        Decimal("193.70"),
    )
    # Tax contained in each line after its share of the 20.00 (16.68 and 3.32).
    assert [line.tax_amount for line in (tee, mug)] == [Decimal("18.58"), Decimal("3.70")]
    assert order.tax_total == Decimal("22.28")
    assert (order.coupon_codes, [p["code"] for p in order.applied_promotions]) == (
        ["HELLO"],
        ["tee10", "m150"],
    )
    assert order.applied_promotions[1]["lines"] == [["1", "16.68"], ["2", "3.32"]]
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert CouponRedemption.objects.get().order_number == order.number


def test_a_cancelled_order_gives_its_coupon_use_back(shop):
    coupon = promotions()
    order = place(shop, ("TEE-BLK-M", 2), coupons=["HELLO"])

    order_cancel(actor=SYSTEM, order_id=order.pk, reason="客户取消")

    coupon.refresh_from_db()
    assert coupon.used_count == 0
    assert CouponRedemption.objects.get().released_at is not None


def test_a_draft_keeps_its_coupon_codes_and_redeems_them_when_submitted(shop):
    coupon = promotions()
    draft = place(shop, ("TEE-BLK-M", 2), coupons=[" hello ", "HELLO"], submit=False)
    coupon.refresh_from_db()
    assert (draft.coupon_codes, coupon.used_count) == (["HELLO"], 0)

    submitted = order_submit(actor=SYSTEM, order_id=draft.pk)

    coupon.refresh_from_db()
    assert (submitted.discount_total, coupon.used_count) == (Decimal("20.00"), 1)


def test_repricing_an_order_starts_from_its_manual_discounts_and_keeps_its_coupon(shop):
    promotions()
    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1), coupons=["HELLO"], submit=True)
    Coupon.objects.filter(code="HELLO").update(usage_limit=1)  # its one use is this order's
    lines = list(order.lines.order_by("line_number"))
    skus = {line.sku_code: line.sku for line in lines}

    for _ in range(2):
        price_order(order, lines, skus)

    assert [line.discount for line in lines] == [Decimal("19.80"), Decimal("0.00")]
    assert (order.discount_total, order.total) == (Decimal("20.00"), Decimal("193.70"))


def test_a_channel_shipping_fee_rule_prices_shipping_by_weight_and_province(shop):
    catalog.sku_update(actor=SYSTEM, sku=shop.tshirt, weight_grams=400)
    weight = {"base_fee": Decimal("8"), "included_grams": 1000, "fee_per_kg": Decimal("4")}
    catalog.shipping_fee_rule_create(
        actor=SYSTEM, code="gd", name="广东", channel="web", regions=["广东省"], **weight
    )
    catalog.shipping_fee_rule_create(actor=SYSTEM, code="all", name="全国", base_fee=Decimal("15"))

    order = place(shop, ("TEE-BLK-M", 3), shipping_fee=Decimal("50"))  # the rule wins over 50

    assert (order.shipping_fee, order.total) == (Decimal("12.00"), Decimal("309.00"))  # 1,200 g
    assert order.applied_promotions[-1]["code"] == "gd"


def test_without_a_shipping_fee_rule_the_fee_given_with_the_order_stands(shop):
    order = place(shop, ("MUG-01", 2), shipping_fee=Decimal("8.50"))
    assert (order.shipping_fee, order.total, order.applied_promotions) == (
        Decimal("8.50"),
        Decimal("79.50"),
        [],
    )


def test_the_api_takes_coupon_codes_and_shows_the_applied_promotions_labelled(api_as, shop):
    promotions()
    api = api_as("order_clerk", language="en")
    body = {"channel": "web", "customer_id": shop.customer.pk, "coupon_codes": ["hello"],
            "lines": [{"sku": "TEE-BLK-M", "quantity": 2}]}  # fmt: skip

    response = api.post("/orders", body)

    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["coupon_codes"], order["discount_total"], order["total"]) == (["HELLO"], "20.00", "158.20")
    assert [(p["code"], p["coupon_code"], p["amount"], p["label"]) for p in order["applied_promotions"]] == [
        ("tee10", "", "19.80", "10 % off the line (tee10)"),
        ("m150", "HELLO", "20.00", "Spend 150.00 CNY, get 20.00 off (m150)"),
    ]
    assert order["applied_promotions"][0]["lines"] == [{"line": 1, "amount": "19.80"}]
    assert order["lines"][0]["discount"] == "19.80"


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("unknown", 422, "coupon_unknown"),
        ("not_applicable", 422, "coupon_not_applicable"),
        ("expired", 422, "coupon_expired"),
        ("used_up", 409, "coupon_exhausted"),
    ],
)
def test_an_unusable_coupon_is_a_problem_with_a_stable_code_and_nothing_is_written(
    api_as, shop, setup, status, code
):
    coupon = promotions()
    if setup == "used_up":
        Coupon.objects.filter(pk=coupon.pk).update(used_count=2)
    if setup == "expired":
        catalog.coupon_update(actor=SYSTEM, coupon=coupon, valid_to=coupon.created_at)
    lines = (
        [{"sku": "MUG-01", "quantity": 1}]
        if setup == "not_applicable"
        else [{"sku": "TEE-BLK-M", "quantity": 2}]
    )
    coupon_code = "NOPE" if setup == "unknown" else "HELLO"
    before = written()

    response = api_as("order_clerk").post(
        "/orders",
        {"channel": "web", "customer_id": shop.customer.pk, "coupon_codes": [coupon_code], "lines": lines},
    )

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == (code, "coupon_codes.0")
    assert coupon_code in response.json()["detail"]
    assert written() == before


def test_a_shipping_fee_too_large_for_the_order_is_refused_and_nothing_is_written(shop):
    catalog.sku_update(actor=SYSTEM, sku=shop.tshirt, weight_grams=10_000_000)
    catalog.shipping_fee_rule_create(
        actor=SYSTEM, code="heavy", name="重货", base_fee=Decimal("0"), fee_per_kg=Decimal("9999999")
    )
    before = written()

    with pytest.raises(InvalidOrder) as raised:
        place(shop, ("TEE-BLK-M", 2))  # 20,000 kg × 9,999,999.00

    assert [(e["field"], e["code"]) for e in raised.value.errors] == [("shipping_fee", "amount_too_large")]
    assert written() == before
