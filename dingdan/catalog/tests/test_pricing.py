"""The pricing function rule by rule, with exact amounts (no database)."""

import datetime as dt
from decimal import Decimal as D

from dingdan.catalog.pricing import (
    CouponRejection,
    CouponTerms,
    PromotionKind,
    PromotionScope,
    PromotionTarget,
    PromotionTerms,
    QuoteLine,
    SaleTerms,
    ShippingRuleTerms,
    choose_shipping_rule,
    promotion_problems,
    quote_order,
    split,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SALE = SaleTerms(channel_id=1, customer_grade="vip", at=NOW, region="广东省")
Kind, Target, Scope = PromotionKind, PromotionTarget, PromotionScope


def line(key="1", sku_id=1, quantity=1, price="100.00", **fields):
    return QuoteLine(
        key=key,
        sku_id=sku_id,
        quantity=quantity,
        list_price=D(price) if price is not None else None,
        tax_rate=fields.pop("tax_rate", D("0.13")),
        sku_code=fields.pop("sku_code", f"SKU-{sku_id}"),
        product_code=fields.pop("product_code", f"P-{sku_id}"),
        category=fields.pop("category", "apparel"),
        **fields,
    )


_ids = iter(range(1, 10_000))


def promo(code, kind, target, **fields):
    return PromotionTerms(promotion_id=next(_ids), code=code, kind=kind, target=target, **fields)


def test_without_promotions_the_total_is_the_lines_and_the_given_shipping_fee_with_tax_contained():
    quote = quote_order(
        lines=[line(quantity=2, price="99.00"), line("2", 2, 1, "35.50")],
        sale=SaleTerms(channel_id=1, customer_grade="", at=NOW, shipping_fee=D("10")),
    )
    assert [q.subtotal for q in quote.lines] == [D("198.00"), D("35.50")]
    assert [q.tax for q in quote.lines] == [D("22.78"), D("4.08")]  # 198 × 0.13 / 1.13, 35.5 × …
    assert (quote.subtotal, quote.shipping_fee, quote.tax_total, quote.total) == (
        D("233.50"),
        D("10.00"),
        D("26.86"),
        D("243.50"),
    )
    assert quote.explanations == ()


def test_tax_exclusive_prices_add_the_tax_to_the_total():
    sale = SaleTerms(channel_id=1, customer_grade="", at=NOW, prices_include_tax=False)
    quote = quote_order(lines=[line(quantity=3, price="10.00")], sale=sale)
    assert (quote.subtotal, quote.tax_total, quote.total) == (D("30.00"), D("3.90"), D("33.90"))


def test_a_supplied_price_wins_over_the_list_price_and_takes_no_promotion():
    quote = quote_order(
        lines=[line(price="100.00", supplied_price=D("80.00"))],
        sale=SALE,
        promotions=[promo("p10", Kind.PERCENT_OFF, Target.LINE, percent=D("0.1"))],
    )
    assert (quote.lines[0].unit_price, quote.lines[0].price_source) == (D("80.00"), "supplied")
    assert quote.lines[0].promotion_discount == 0
    assert quote.total == D("80.00")


def test_a_line_without_any_price_is_priced_zero():
    quote = quote_order(lines=[line(price=None)], sale=SALE)
    assert (quote.lines[0].unit_price, quote.lines[0].price_source, quote.total) == (0, "none", 0)


def test_percent_off_a_line_in_the_category_scope_only():
    quote = quote_order(
        lines=[line(quantity=2, price="59.90"), line("2", 2, 1, "35.00", category="kitchen")],
        sale=SALE,
        promotions=[
            promo(
                "tee15",
                Kind.PERCENT_OFF,
                Target.LINE,
                percent=D("0.15"),
                scope=Scope.CATEGORY,
                scope_codes=frozenset({"apparel"}),
            )
        ],
    )
    assert [q.promotion_discount for q in quote.lines] == [D("17.97"), D("0")]  # 119.80 × 15 %
    assert quote.total == D("136.83")
    (explained,) = quote.explanations
    assert (explained.code, explained.reason, explained.amount, explained.lines) == (
        "tee15",
        "line_percent_off",
        D("17.97"),
        (("1", D("17.97")),),
    )
    assert explained.params == {"code": "tee15", "currency": "CNY", "percent": "15"}


def test_amount_off_each_unit_is_capped_at_the_line():
    quote = quote_order(
        lines=[line(quantity=3, price="10.00"), line("2", 2, 2, "50.00")],
        sale=SALE,
        promotions=[promo("minus12", Kind.AMOUNT_OFF, Target.LINE, amount=D("12"))],
    )
    assert [q.promotion_discount for q in quote.lines] == [D("30.00"), D("24.00")]
    assert [q.subtotal for q in quote.lines] == [D("0.00"), D("76.00")]


def test_buy_two_get_one_frees_the_cheapest_units_in_scope():
    quote = quote_order(
        lines=[line(quantity=4, price="30.00"), line("2", 2, 2, "20.00")],
        sale=SALE,
        promotions=[promo("b2g1", Kind.BUY_X_GET_Y, Target.LINE, buy_quantity=2, get_quantity=1)],
    )
    # 6 units: two groups of three, two free units, the two 20.00 ones.
    assert [q.promotion_discount for q in quote.lines] == [D("0"), D("40.00")]
    assert quote.total == D("120.00")
    assert quote.explanations[0].params == {"code": "b2g1", "currency": "CNY", "buy": "2", "get": "1"}


def test_spend_300_get_30_off_needs_the_threshold_after_line_promotions():
    threshold = promo("m300", Kind.THRESHOLD_OFF, Target.ORDER, amount=D("30"), min_subtotal=D("300"))
    lines = [line(quantity=2, price="100.00"), line("2", 2, 1, "110.00")]
    assert quote_order(lines=lines, sale=SALE, promotions=[threshold]).order_discount == D("30.00")
    ten_off = promo("p10", Kind.PERCENT_OFF, Target.LINE, percent=D("0.1"), priority=5)
    quote = quote_order(lines=lines, sale=SALE, promotions=[threshold, ten_off])
    assert (quote.subtotal, quote.order_discount) == (D("279.00"), D("0"))  # 310 − 31 < 300


def test_an_order_discount_is_shared_over_the_lines_for_tax_and_adds_up_exactly():
    quote = quote_order(
        lines=[line(quantity=1, price="10.00"), line("2", 2, 1, "10.00"), line("3", 3, 1, "10.00")],
        sale=SALE,
        promotions=[promo("m10", Kind.AMOUNT_OFF, Target.ORDER, amount=D("10"))],
    )
    assert [q.order_discount_share for q in quote.lines] == [D("3.34"), D("3.33"), D("3.33")]
    assert [q.tax for q in quote.lines] == [D("0.77"), D("0.77"), D("0.77")]
    assert (quote.order_discount, quote.total) == (D("10.00"), D("20.00"))


def test_order_amount_off_never_exceeds_the_goods():
    quote = quote_order(
        lines=[line(price="8.00")],
        sale=SaleTerms(channel_id=1, customer_grade="", at=NOW, shipping_fee=D("5")),
        promotions=[promo("m50", Kind.AMOUNT_OFF, Target.ORDER, amount=D("50"))],
    )
    assert (quote.order_discount, quote.total) == (D("8.00"), D("5.00"))


def test_stacking_line_promotions_apply_by_priority_and_an_exclusive_one_only_to_untouched_lines():
    a = line(quantity=1, price="100.00", sku_code="A")
    b = line("2", 2, 1, "100.00", sku_code="B")
    first = promo("a10", Kind.PERCENT_OFF, Target.LINE, percent=D("0.1"), priority=9, scope=Scope.SKU,
                  scope_codes=frozenset({"A"}))  # fmt: skip
    exclusive = promo("all20", Kind.PERCENT_OFF, Target.LINE, percent=D("0.2"), priority=5, stackable=False)
    later = promo("m5", Kind.AMOUNT_OFF, Target.LINE, amount=D("5"), priority=1)
    quote = quote_order(lines=[a, b], sale=SALE, promotions=[later, exclusive, first])
    # A: 10 % (a10), then m5 stacks (A is not locked); B: all20 (exclusive), which locks it.
    assert [q.promotion_discount for q in quote.lines] == [D("15.00"), D("20.00")]
    assert [e.code for e in quote.explanations] == ["a10", "all20", "m5"]


def test_an_exclusive_order_promotion_stops_later_ones_and_waits_for_earlier_ones():
    lines = [line(quantity=1, price="200.00")]
    stackable = promo("m10", Kind.AMOUNT_OFF, Target.ORDER, amount=D("10"), priority=9)
    exclusive = promo("p50", Kind.PERCENT_OFF, Target.ORDER, percent=D("0.5"), priority=5, stackable=False)
    assert quote_order(lines=lines, sale=SALE, promotions=[stackable, exclusive]).order_discount == D("10.00")
    alone = promo("p50b", Kind.PERCENT_OFF, Target.ORDER, percent=D("0.5"), priority=10, stackable=False)
    quote = quote_order(lines=lines, sale=SALE, promotions=[stackable, alone])
    assert (quote.order_discount, [e.code for e in quote.explanations]) == (D("100.00"), ["p50b"])


def test_promotions_out_of_period_channel_or_grade_do_not_apply():
    p = D("0.5")
    not_yet = promo("a", Kind.PERCENT_OFF, Target.ORDER, percent=p, valid_from=NOW + dt.timedelta(seconds=1))
    ended = promo("b", Kind.PERCENT_OFF, Target.ORDER, percent=p, valid_to=NOW)
    other_channel = promo("c", Kind.PERCENT_OFF, Target.ORDER, percent=p, channel_id=2)
    other_grade = promo("d", Kind.PERCENT_OFF, Target.ORDER, percent=p, customer_grade="gold")
    inactive = promo("e", Kind.PERCENT_OFF, Target.ORDER, percent=p, is_active=False)
    quote = quote_order(
        lines=[line()], sale=SALE, promotions=[not_yet, ended, other_channel, other_grade, inactive]
    )
    assert (quote.order_discount, quote.explanations) == (0, ())


def test_a_coupon_unlocks_its_promotion_and_is_named_in_the_explanation():
    welcome = promo("welcome", Kind.AMOUNT_OFF, Target.ORDER, amount=D("20"), requires_coupon=True)
    coupons = {"HELLO20": CouponTerms(code="HELLO20", promotion_id=welcome.promotion_id, usage_limit=5)}
    without = quote_order(lines=[line()], sale=SALE, promotions=[welcome], coupons=coupons)
    assert without.order_discount == 0
    quote = quote_order(
        lines=[line()], sale=SALE, promotions=[welcome], coupons=coupons, coupon_codes=[" hello20 "]
    )
    assert (quote.order_discount, quote.applied_coupons, quote.rejected_coupons) == (
        D("20.00"),
        ("HELLO20",),
        (),
    )
    assert quote.explanations[0].coupon_code == "HELLO20"


def test_coupons_are_rejected_with_the_reason():
    welcome = promo("welcome", Kind.AMOUNT_OFF, Target.ORDER, amount=D("20"), requires_coupon=True,
                    min_subtotal=D("500"))  # fmt: skip
    big = promo("big", Kind.AMOUNT_OFF, Target.ORDER, amount=D("5"), requires_coupon=True)
    pid, hour = welcome.promotion_id, dt.timedelta(hours=1)
    coupons = {
        "OFF": CouponTerms(code="OFF", promotion_id=pid, is_active=False),
        "SOON": CouponTerms(code="SOON", promotion_id=pid, valid_from=NOW + hour),
        "OLD": CouponTerms(code="OLD", promotion_id=pid, valid_to=NOW),
        "GONE": CouponTerms(code="GONE", promotion_id=pid, usage_limit=3, used_count=3),
        "MINE": CouponTerms(code="MINE", promotion_id=pid, per_customer_limit=1, customer_used_count=1),
        "SMALL": CouponTerms(code="SMALL", promotion_id=pid),
        "B1": CouponTerms(code="B1", promotion_id=big.promotion_id),
        "B2": CouponTerms(code="B2", promotion_id=big.promotion_id),
    }
    codes = ["NOPE", "OFF", "SOON", "OLD", "GONE", "MINE", "B1", "B2", "SMALL"]
    quote = quote_order(
        lines=[line()], sale=SALE, promotions=[welcome, big], coupons=coupons, coupon_codes=codes
    )
    assert dict(quote.rejected_coupons) == {
        "NOPE": CouponRejection.UNKNOWN,
        "OFF": CouponRejection.INACTIVE,
        "SOON": CouponRejection.NOT_YET_VALID,
        "OLD": CouponRejection.EXPIRED,
        "GONE": CouponRejection.EXHAUSTED,
        "MINE": CouponRejection.CUSTOMER_LIMIT,
        "B2": CouponRejection.DUPLICATE,
        "SMALL": CouponRejection.NOT_APPLICABLE,  # 100 is below the 500 minimum
    }
    assert (quote.applied_coupons, quote.order_discount) == (("B1",), D("5.00"))


def test_shipping_by_weight_per_started_kilogram_above_the_included_weight():
    rule = ShippingRuleTerms(rule_id=1, code="sf", base_fee=D("12"), included_grams=1000, fee_per_kg=D("5"))
    quote = quote_order(lines=[line(quantity=3, weight_grams=700)], sale=SALE, shipping_rules=[rule])
    # 2,100 g: 1,100 g above the first kilogram = two started kilograms.
    assert (quote.shipping_fee, quote.shipping_rule, quote.total) == (D("22.00"), "sf", D("322.00"))
    assert quote.explanations[-1].params == {"code": "sf", "currency": "CNY", "weight_grams": "2100"}


def test_shipping_is_free_from_the_threshold_of_goods_after_discounts():
    rule = ShippingRuleTerms(rule_id=1, code="flat", base_fee=D("10"), free_above=D("99"))
    assert quote_order(lines=[line(price="99.00")], sale=SALE, shipping_rules=[rule]).shipping_fee == 0
    minus1 = promo("m1", Kind.AMOUNT_OFF, Target.ORDER, amount=D("1"))
    quote = quote_order(lines=[line(price="99.00")], sale=SALE, shipping_rules=[rule], promotions=[minus1])
    assert (quote.shipping_fee, quote.total) == (D("10.00"), D("108.00"))


def test_the_most_specific_shipping_rule_wins_among_equal_priorities():
    everywhere = ShippingRuleTerms(rule_id=1, code="all", base_fee=D("10"))
    channel = ShippingRuleTerms(rule_id=2, code="web", channel_id=1, base_fee=D("8"))
    region = ShippingRuleTerms(
        rule_id=3, code="gd", channel_id=1, regions=frozenset({"广东省"}), base_fee=D("6")
    )
    elsewhere = ShippingRuleTerms(
        rule_id=4, code="xj", regions=frozenset({"新疆"}), base_fee=D("30"), priority=9
    )
    other = ShippingRuleTerms(rule_id=5, code="pos", channel_id=2, base_fee=D("0"), priority=9)
    rules = [everywhere, channel, region, elsewhere, other]
    assert choose_shipping_rule(rules, SALE).code == "gd"  # type: ignore[union-attr]
    assert choose_shipping_rule(rules[:2], SALE).code == "web"  # type: ignore[union-attr]
    boosted = ShippingRuleTerms(rule_id=6, code="promo", base_fee=D("1"), priority=1)
    assert choose_shipping_rule([*rules, boosted], SALE).code == "promo"  # type: ignore[union-attr]


def test_a_manual_discount_comes_off_first_and_is_capped_at_the_line():
    quote = quote_order(
        lines=[line(price="50.00", manual_discount=D("60"))],
        sale=SALE,
        promotions=[promo("p10", Kind.PERCENT_OFF, Target.LINE, percent=D("0.1"))],
    )
    assert (quote.lines[0].manual_discount, quote.lines[0].promotion_discount, quote.total) == (
        D("50.00"),
        0,
        0,
    )


def test_split_gives_leftover_units_to_the_largest_remainders_and_never_exceeds_a_weight():
    assert split(D("0.05"), {1: D("0.01"), 2: D("0.02"), 3: D("0.02")}, currency="CNY") == {
        1: D("0.01"),
        2: D("0.02"),
        3: D("0.02"),
    }
    assert split(D("1.00"), {1: D("1"), 2: D("2")}, currency="CNY") == {1: D("0.33"), 2: D("0.67")}
    assert split(D("7"), {1: D("5"), 2: D("5")}, currency="JPY") == {1: D("4"), 2: D("3")}


def test_inconsistent_promotion_terms_are_named():
    common = {"scope": "all", "scope_codes": [], "min_subtotal": D("0"), "buy_quantity": 0, "get_quantity": 0}
    assert promotion_problems(kind="percent_off", target="line", percent=D("0"), amount=D("0"), **common) == [
        ("percent", "percent_required")
    ]
    assert promotion_problems(
        kind="threshold_off", target="line", percent=D("0"), amount=D("5"), **common
    ) == [
        ("min_subtotal", "min_subtotal_required"),
        ("target", "order_target_required"),
    ]
    scoped = {**common, "scope": "sku"}
    assert promotion_problems(kind="buy_x_get_y", target="order", percent=D(0), amount=D(0), **scoped) == [
        ("buy_quantity", "quantities_required"),
        ("target", "line_target_required"),
        ("scope_codes", "scope_codes_mismatch"),
    ]
