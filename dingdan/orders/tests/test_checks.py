from decimal import Decimal

from dingdan.orders.checks import (
    FAIL,
    PASS,
    WARN,
    CheckContext,
    CheckLine,
    check_completeness,
    check_price,
    check_products,
    check_stock,
    render_reason,
    run_checks,
)

CUSTOMER = {"name": "张伟", "phone": "+8613800138000", "is_active": True}
ADDRESS = {
    "recipient": "张伟",
    "phone": "+8613800138000",
    "province": "上海市",
    "city": "上海市",
    "street": "1号",
}


def line(**overrides):
    values = {
        "line_number": 1,
        "sku_code": "TS-BLK-M",
        "quantity": 2,
        "sellable": True,
        "short_quantity": 0,
        "unit_price": Decimal("99.00"),
        "list_price": Decimal("99.00"),
    }
    values.update(overrides)
    return CheckLine(**values)


def context(**overrides):
    values = {
        "channel_code": "web",
        "customer": CUSTOMER,
        "shipping_address": ADDRESS,
        "lines": (line(),),
        "currency": "CNY",
        "total": Decimal("198.00"),
    }
    values.update(overrides)
    return CheckContext(**values)


def test_a_complete_order_passes_every_built_in_check():
    results = run_checks(context())

    assert [(r.check, r.outcome) for r in results] == [
        ("completeness", PASS),
        ("products", PASS),
        ("price", PASS),
        ("stock", PASS),
    ]


def test_a_missing_phone_fails_completeness_with_the_field_named():
    result = check_completeness(context(customer={**CUSTOMER, "phone": ""}))

    assert (result.outcome, result.reason, result.params) == (
        FAIL,
        "customer_incomplete",
        {"fields": "phone"},
    )


def test_an_address_without_street_and_city_fails():
    result = check_completeness(context(shipping_address={**ADDRESS, "street": " ", "city": None}))

    assert result.reason == "address_incomplete"
    assert result.params == {"fields": "city, street"}


def test_an_unsellable_sku_fails_the_products_check():
    result = check_products(context(lines=(line(sellable=False, sku_code="OLD-1"),)))

    assert (result.outcome, result.reason, result.params) == (FAIL, "sku_not_sellable", {"skus": "OLD-1"})


def test_a_line_without_price_fails_the_products_check():
    result = check_products(context(lines=(line(unit_price=None),)))

    assert result.reason == "price_missing"


def test_a_short_line_fails_the_stock_check_with_the_missing_quantity():
    result = check_stock(context(lines=(line(short_quantity=3),)))

    assert (result.outcome, result.reason, result.params) == (
        FAIL,
        "insufficient_stock",
        {"skus": "TS-BLK-M (3)"},
    )


def test_disabled_checks_do_not_run():
    results = run_checks(context(), disabled=frozenset({"stock"}))

    assert [r.check for r in results] == ["completeness", "products", "price"]


def test_reasons_render_with_their_parameters_and_unknown_reasons_render_as_their_code():
    assert render_reason("insufficient_stock", {"skus": "A (1)"}) == "Not enough stock for A (1)."
    assert render_reason("something_else", {}) == "something_else"


def test_a_supplied_price_that_differs_from_the_list_is_a_warning_naming_both_prices():
    result = check_price(context(lines=(line(unit_price=Decimal("89.00")),)))

    assert (result.outcome, result.reason) == (WARN, "price_differs")
    assert result.params == {"skus": "TS-BLK-M (89.00 ≠ 99.00)"}


def test_a_price_equal_to_the_list_or_without_a_list_price_passes_the_price_check():
    assert check_price(context()).outcome == PASS
    assert check_price(context(lines=(line(list_price=None),))).outcome == PASS
