from decimal import Decimal

from dingdan.core.models import AuditEntry
from dingdan.orders.models import Order


def _entry(shop, **overrides):
    data = {
        "channel": shop.review_channel.pk,
        "customer": shop.customer.pk,
        "priority": "normal",
        "type": "normal",
        "line_sku": ["TEE-BLK-M", "MUG-01"],
        "line_quantity": ["2", "1"],
        "ship-recipient": "王芳",
        "ship-phone": "13900002222",
        "ship-country_code": "CN",
        "ship-province": "上海市",
        "ship-city": "上海市",
        "ship-district": "浦东新区",
        "ship-street": "世纪大道100号",
        "ship-postal_code": "200120",
        "customer_note": "请尽快发货",
        "internal_note": "",
    }
    data.update(overrides)
    return data


def test_a_clerk_enters_a_phone_order_with_two_lines_and_lands_on_it(staff, shop):
    client = staff("order_clerk")

    response = client.post("/app/orders/new/", _entry(shop))

    order = Order.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/app/orders/{order.pk}/")
    assert order.status == "pending_review"
    assert [(line.sku_code, line.quantity) for line in order.lines.order_by("line_number")] == [
        ("TEE-BLK-M", 2),
        ("MUG-01", 1),
    ]
    assert (order.shipping_address["recipient"], order.shipping_address["district"]) == ("王芳", "浦东新区")
    assert order.shipping_address["phone"] == "+8613900002222"
    assert order.customer_note == "请尽快发货"
    assert order.created_by == client.user.username
    assert AuditEntry.objects.filter(aggregate_id=str(order.pk), action="created").exists()


def test_an_international_address_is_accepted(staff, shop):
    address = {
        "ship-country_code": "US",
        "ship-province": "CA",
        "ship-city": "Mountain View",
        "ship-district": "",
        "ship-street": "1600 Amphitheatre Parkway",
        "ship-postal_code": "94043",
        "ship-phone": "+1 650 253 0000",
    }

    response = staff("order_clerk").post("/app/orders/new/", _entry(shop, **address))

    assert response.status_code == 302
    assert Order.objects.get().shipping_address["country_code"] == "US"


def test_without_an_address_the_customers_default_is_used(staff, shop):
    empty = {
        f"ship-{name}": ""
        for name in ("recipient", "phone", "province", "city", "district", "street", "postal_code")
    }

    response = staff("order_clerk").post("/app/orders/new/", _entry(shop, **empty))

    assert response.status_code == 302
    assert Order.objects.get().shipping_address["street"] == "科技园路1号"


def test_errors_appear_beside_their_fields_and_nothing_typed_is_lost(staff, shop):
    data = _entry(
        shop, line_sku=["TEE-BLK-M", "NOPE-1"], line_quantity=["2", "1"], **{"ship-city": "不存在市"}
    )

    response = staff("order_clerk").post("/app/orders/new/", data)

    body = response.content.decode()
    assert response.status_code == 422
    assert not Order.objects.exists()
    lines = response.context["lines"]
    assert [(line.sku, line.quantity) for line in lines] == [("TEE-BLK-M", "2"), ("NOPE-1", "1")]
    assert lines[0].errors == []
    assert lines[1].errors == ["No such SKU: NOPE-1"]
    assert 'value="NOPE-1"' in body
    assert 'value="世纪大道100号"' in body
    assert "请尽快发货" in body


def test_a_missing_customer_and_a_bad_quantity_are_shown_without_calling_the_service(staff, shop):
    data = _entry(shop, customer="", line_quantity=["two", "1"])

    response = staff("order_clerk").post("/app/orders/new/", data)

    assert response.status_code == 422
    assert response.context["form"].errors["customer"] == ["Choose a customer."]
    assert response.context["lines"][0].errors == ["The quantity must be a whole number of at least 1."]
    assert 'value="two"' in response.content.decode()
    assert not Order.objects.exists()


def test_a_reviewer_may_not_enter_orders(staff, shop):
    client = staff("reviewer")

    assert client.get("/app/orders/new/").status_code == 403
    assert client.post("/app/orders/new/", _entry(shop)).status_code == 403
    assert not Order.objects.exists()


def test_the_customer_search_finds_by_phone_and_the_pick_fills_the_default_address(staff, shop):
    client = staff("order_clerk")

    hits = client.get("/app/orders/new/customers/", {"q": shop.customer.phone[-8:]})
    picked = client.get(f"/app/orders/new/customers/{shop.customer.pk}/")

    assert [c.pk for c in hits.context["hits"]] == [shop.customer.pk]
    body = picked.content.decode()
    assert f'name="customer" value="{shop.customer.pk}"' in body
    assert 'value="科技园路1号"' in body


def test_the_sku_search_shows_stock_available_and_adds_a_line(staff, shop):
    client = staff("order_clerk")

    hits = client.get("/app/orders/new/skus/", {"sku_q": "MUG"})
    line = client.get("/app/orders/new/line/", {"sku": "MUG-01"})

    assert [(hit.sku.code, hit.available) for hit in hits.context["hits"]] == [("MUG-01", 3)]
    assert "3 available" in hits.content.decode()
    assert 'value="MUG-01"' in line.content.decode()


def test_the_live_quote_prices_the_lines_as_the_order_will_be(staff, shop):
    response = staff("order_clerk").post(
        "/app/orders/new/quote/",
        {
            "channel": shop.channel.pk,
            "customer": shop.customer.pk,
            "line_sku": ["TEE-BLK-M", "MUG-01", "X"],
            "line_quantity": ["2", "1", "1"],
        },
    )

    quote = response.context["quote"]
    assert [(line.sku_code, line.unit_price, line.subtotal, line.available) for line in quote.lines] == [
        ("TEE-BLK-M", Decimal("99.00"), Decimal("198.00"), 10),
        ("MUG-01", Decimal("35.50"), Decimal("35.50"), 3),
        ("X", None, None, 0),
    ]
    assert (quote.quote.total, quote.complete) == (Decimal("233.50"), False)
    assert "233.50 CNY" in response.content.decode()


def test_a_coupon_that_does_not_exist_is_flagged_in_the_quote(staff, shop):
    response = staff("order_clerk").post(
        "/app/orders/new/quote/",
        {"channel": shop.channel.pk, "line_sku": ["MUG-01"], "line_quantity": ["1"], "coupon": "NOPE10"},
    )

    assert response.context["quote"].rejected_coupons == ["NOPE10"]
    assert "Coupon NOPE10 does not apply." in response.content.decode()
