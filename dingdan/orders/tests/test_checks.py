import datetime as dt
from decimal import Decimal

from dingdan.orders.checks import (
    FAIL,
    PASS,
    WARN,
    CheckContext,
    CheckLine,
    CheckSettingView,
    RecentOrder,
    check_address,
    check_blacklist,
    check_completeness,
    check_credit,
    check_duplicate,
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
        ("address", PASS),
        ("products", PASS),
        ("price", PASS),
        ("stock", PASS),
        ("credit", PASS),
        ("duplicate", PASS),
        ("blacklist", PASS),
    ]


def test_a_missing_phone_fails_completeness_with_the_field_named():
    result = check_completeness(context(customer={**CUSTOMER, "phone": ""}))

    assert (result.outcome, result.reason, result.params) == (
        FAIL,
        "customer_incomplete",
        {"fields": "phone"},
    )


def test_an_address_without_street_and_city_fails():
    result = check_address(context(shipping_address={**ADDRESS, "street": " ", "city": None}))

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
    results = run_checks(
        context(), disabled=frozenset({"stock"}), settings={"credit": CheckSettingView(False)}
    )

    assert [r.check for r in results] == [
        "completeness",
        "address",
        "products",
        "price",
        "duplicate",
        "blacklist",
    ]


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


NOW = dt.datetime(2026, 1, 23, 10, 0, tzinfo=dt.UTC)


def test_a_company_without_its_name_fails_completeness():
    result = check_completeness(context(customer={**CUSTOMER, "kind": "company", "company_name": ""}))

    assert (result.outcome, result.reason, result.params) == (
        FAIL,
        "customer_incomplete",
        {"fields": "company_name"},
    )


def test_an_address_abroad_is_undeliverable_unless_the_channel_lists_the_country():
    abroad = {**ADDRESS, "country_code": "JP"}

    assert check_address(context(shipping_address=abroad)).params == {"country": "JP"}
    assert check_address(context(shipping_address=abroad)).reason == "address_undeliverable"
    allowed = context(shipping_address=abroad, params={"address": {"countries": ["CN", "JP"]}})
    assert check_address(allowed).outcome == PASS


def test_a_malformed_postal_code_is_a_warning():
    result = check_address(context(shipping_address={**ADDRESS, "postal_code": "2000"}))

    assert (result.outcome, result.reason, result.params) == (
        WARN,
        "address_postal_code",
        {"postal_code": "2000"},
    )


def test_a_discount_no_promotion_explains_or_one_too_deep_is_a_warning():
    discounted = (line(discount=Decimal("10.00")),)
    deep = (line(discount=Decimal("120.00")),)

    assert check_price(context(lines=discounted)).reason == "discount_unexplained"
    assert check_price(context(lines=discounted, applied_promotions=({"code": "SALE"},))).outcome == PASS
    result = check_price(context(lines=deep, applied_promotions=({"code": "SALE"},)))
    assert (result.reason, result.params) == ("discount_too_deep", {"lines": "1", "percent": "50"})


def credit(limit, exposure, *, hold=False, pay_first=False, total="198.00"):
    customer = {**CUSTOMER, "credit_limit": Decimal(limit), "credit_hold": hold}
    return check_credit(
        context(
            customer=customer, pay_first=pay_first, credit_exposure=Decimal(exposure), total=Decimal(total)
        )
    )


def test_credit_passes_up_to_the_limit_and_fails_one_cent_beyond():
    assert credit("1000.00", "802.00").outcome == PASS
    beyond = credit("1000.00", "802.01")
    assert (beyond.outcome, beyond.reason) == (FAIL, "credit_limit_exceeded")
    assert beyond.params == {"exposure": "802.01", "total": "198.00", "limit": "1000.00"}


def test_a_credit_hold_fails_even_when_paying_first_and_paying_first_needs_no_credit():
    assert (credit("0", "0", hold=True, pay_first=True).reason) == "credit_hold"
    assert credit("0", "99999", pay_first=True).outcome == PASS
    assert (credit("0", "0").outcome, credit("0", "0").reason) == (WARN, "credit_limit_missing")


def recent(number, hours_ago, lines=(("TS-BLK-M", 2),)):
    return RecentOrder(number=number, submitted_at=NOW - dt.timedelta(hours=hours_ago), lines=tuple(lines))


def test_the_same_lines_within_the_window_are_a_possible_duplicate():
    orders = (recent("SO-1", 23), recent("SO-2", 25), recent("SO-3", 1, [("TS-BLK-M", 3)]))

    result = check_duplicate(context(recent_orders=orders, now=NOW))
    narrow = check_duplicate(
        context(recent_orders=orders, now=NOW, params={"duplicate": {"window_hours": 2}})
    )

    assert (result.outcome, result.reason, result.params) == (WARN, "possible_duplicate", {"numbers": "SO-1"})
    assert narrow.outcome == PASS


def test_a_blacklist_hit_fails_naming_the_kinds_only():
    hits = (("phone", "13800138000"), ("address", "上海市上海市1号"), ("phone", "13900000000"))

    result = check_blacklist(context(blacklist_hits=hits))

    assert (result.outcome, result.reason, result.params) == (
        FAIL,
        "blacklisted",
        {"entries": "address, phone"},
    )
    assert render_reason(result.reason, result.params) == "The order matches the blacklist: address, phone."


def test_a_channel_severity_override_turns_a_failure_into_a_warning_and_a_warning_into_a_failure():
    short = context(lines=(line(short_quantity=1, unit_price=Decimal("89.00")),))
    settings = {"stock": CheckSettingView(severity=WARN), "price": CheckSettingView(severity=FAIL)}

    outcomes = {r.check: r.outcome for r in run_checks(short, settings=settings)}

    assert (outcomes["stock"], outcomes["price"]) == (WARN, FAIL)
