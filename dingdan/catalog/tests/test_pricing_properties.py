"""Properties of the pricing function over generated orders, promotions, coupons and shipping
rules. CI runs DINGDAN_PRICING_CASES (default 2,000) cases; `make soak` may raise it."""

import datetime as dt
import os
import random
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingdan.catalog.pricing import (
    CouponTerms,
    PromotionKind,
    PromotionScope,
    PromotionTarget,
    PromotionTerms,
    Quote,
    QuoteLine,
    SaleTerms,
    ShippingRuleTerms,
    quote_order,
)
from dingdan.core.money import ZERO, quantize

CASES = int(os.environ.get("DINGDAN_PRICING_CASES", "2000"))
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
CATEGORIES = ["apparel", "kitchen", "toys"]

money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False)
small_money = st.decimals(min_value=0, max_value=Decimal("500"), places=2, allow_nan=False)
rates = st.sampled_from([Decimal("0"), Decimal("0.06"), Decimal("0.09"), Decimal("0.13")])
percents = st.decimals(min_value=Decimal("0.0001"), max_value=1, places=4, allow_nan=False)
# Strategies built once: building them inside a draw costs more than the pricing itself.
manual_discounts = st.sampled_from([ZERO, ZERO, Decimal("1.00")]) | small_money
supplied_prices = st.one_of(st.none(), st.none(), st.none(), st.none(), money)
list_prices = st.one_of(st.none(), money)
thresholds = st.sampled_from([ZERO, ZERO]) | money
SCOPE_CODES = {
    PromotionScope.ALL: st.just(frozenset()),
    PromotionScope.SKU: st.frozensets(st.sampled_from([f"S{n}" for n in range(1, 6)]), min_size=1),
    PromotionScope.PRODUCT: st.frozensets(st.sampled_from(["P0", "P1", "P2"]), min_size=1),
    PromotionScope.CATEGORY: st.frozensets(st.sampled_from(CATEGORIES), min_size=1),
}
TARGETS = {
    PromotionKind.BUY_X_GET_Y: st.just(PromotionTarget.LINE),
    PromotionKind.THRESHOLD_OFF: st.just(PromotionTarget.ORDER),
    PromotionKind.PERCENT_OFF: st.sampled_from(PromotionTarget),
    PromotionKind.AMOUNT_OFF: st.sampled_from(PromotionTarget),
}


@st.composite
def order_lines(draw: st.DrawFn) -> list[QuoteLine]:
    lines = []
    for index in range(draw(st.integers(1, 6))):
        sku_id = draw(st.integers(1, 5))
        lines.append(
            QuoteLine(
                key=str(index + 1),
                sku_id=sku_id,
                quantity=draw(st.integers(1, 50)),
                list_price=draw(list_prices),
                tax_rate=draw(rates),
                supplied_price=draw(supplied_prices),
                manual_discount=draw(manual_discounts),
                sku_code=f"S{sku_id}",
                product_code=f"P{sku_id % 3}",
                category=CATEGORIES[sku_id % 3],
                weight_grams=draw(st.integers(0, 5000)),
            )
        )
    return lines


@st.composite
def promotions(draw: st.DrawFn, promotion_id: int) -> PromotionTerms:
    kind = draw(st.sampled_from(PromotionKind))
    scope = draw(st.sampled_from(PromotionScope))
    return PromotionTerms(
        promotion_id=promotion_id,
        code=f"promo{promotion_id}",
        kind=kind,
        target=draw(TARGETS[kind]),
        scope=scope,
        scope_codes=draw(SCOPE_CODES[scope]),
        percent=draw(percents),
        amount=draw(small_money),
        min_subtotal=draw(thresholds),
        buy_quantity=draw(st.integers(1, 4)),
        get_quantity=draw(st.integers(1, 3)),
        priority=draw(st.integers(-2, 2)),
        stackable=draw(st.booleans()),
        requires_coupon=draw(st.integers(0, 3)) == 0,
        channel_id=draw(st.sampled_from([None, None, 1, 2])),
        customer_grade=draw(st.sampled_from(["", "", "vip"])),
        is_active=draw(st.integers(0, 9)) > 0,
    )


regions = st.frozensets(st.sampled_from(["广东省", "上海市"]), max_size=1)
free_above = st.one_of(st.none(), money)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    promos = [draw(promotions(n)) for n in range(1, draw(st.integers(0, 6)) + 1)]
    coupons = {
        f"C{p.promotion_id}": CouponTerms(
            code=f"C{p.promotion_id}",
            promotion_id=p.promotion_id,
            usage_limit=draw(st.sampled_from([None, 1, 5])),
            used_count=draw(st.integers(0, 5)),
        )
        for p in promos
        if draw(st.booleans())
    }
    presented = draw(st.lists(st.sampled_from([*coupons, "NOPE"]), max_size=3)) if coupons else []
    rules = [
        ShippingRuleTerms(
            rule_id=n,
            code=f"rule{n}",
            channel_id=draw(st.sampled_from([None, 1, 2])),
            regions=draw(regions),
            base_fee=draw(small_money),
            included_grams=draw(st.integers(0, 3000)),
            fee_per_kg=draw(small_money),
            free_above=draw(free_above),
            priority=draw(st.integers(0, 2)),
        )
        for n in range(1, draw(st.integers(0, 3)) + 1)
    ]
    sale = SaleTerms(
        channel_id=1,
        customer_grade=draw(st.sampled_from(["", "vip"])),
        at=NOW,
        currency=draw(st.sampled_from(["CNY", "CNY", "JPY"])),
        prices_include_tax=draw(st.booleans()),
        region=draw(st.sampled_from(["广东省", "上海市", ""])),
        shipping_fee=draw(small_money),
    )
    return {
        "lines": draw(order_lines()),
        "sale": sale,
        "promotions": promos,
        "coupons": coupons,
        "coupon_codes": presented,
        "shipping_rules": rules,
    }


def _exact(amount: Decimal, currency: str) -> bool:
    return amount == quantize(amount, currency)


def assert_invariants(quote: Quote, scenario: dict) -> None:
    sale, lines = scenario["sale"], scenario["lines"]
    tax = quote.tax_total if not sale.prices_include_tax else ZERO
    assert quote.total == quote.subtotal + quote.shipping_fee - quote.order_discount + tax
    assert quote.subtotal == sum((q.subtotal for q in quote.lines), ZERO)
    assert quote.order_discount == sum((q.order_discount_share for q in quote.lines), ZERO)
    assert quote.tax_total == sum((q.tax for q in quote.lines), ZERO)
    assert 0 <= quote.order_discount <= quote.subtotal
    assert quote.total >= 0
    assert quote.shipping_fee >= 0
    per_line: Counter[str] = Counter()
    per_line_order: Counter[str] = Counter()
    for explained in quote.explanations:
        amounts = [amount for _key, amount in explained.lines]
        assert all(a > 0 for a in amounts)
        if explained.kind != "shipping":
            assert explained.amount == sum(amounts, ZERO) > 0
        target = per_line if explained.kind == "line_promotion" else per_line_order
        for key, amount in explained.lines:
            target[key] += amount
    for source, q in zip(lines, quote.lines, strict=True):
        for amount in (q.amount, q.subtotal, q.order_discount_share, q.tax, q.promotion_discount):
            assert amount >= 0
            assert _exact(amount, sale.currency)
        assert q.subtotal == q.amount - q.manual_discount - q.promotion_discount
        assert q.order_discount_share <= q.subtotal
        assert q.promotion_discount == per_line[q.key]
        assert q.order_discount_share == per_line_order[q.key]
        if source.supplied_price is not None:
            assert q.promotion_discount == 0
            assert q.order_discount_share == 0
    exclusive_codes = {p.code for p in scenario["promotions"] if not p.stackable}
    order_level = [e.code for e in quote.explanations if e.kind == "order_promotion"]
    if exclusive_codes & set(order_level):
        assert len(order_level) == 1
    for key in per_line:
        on_line = [e.code for e in quote.explanations if e.kind == "line_promotion" and key in dict(e.lines)]
        if exclusive_codes & set(on_line):
            assert len(on_line) == 1
    assert set(quote.applied_coupons).isdisjoint(code for code, _reason in quote.rejected_coupons)


def test_quotes_are_exact_never_negative_and_discounts_never_exceed_what_they_apply_to(record_property):
    seen: Counter[str] = Counter()

    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios())
    def check(scenario: dict) -> None:
        quote = quote_order(**scenario)
        assert_invariants(quote, scenario)
        shuffled = dict(
            scenario,
            promotions=random.Random(0).sample(scenario["promotions"], k=len(scenario["promotions"])),
        )
        assert quote_order(**shuffled) == quote  # the order promotions are given in does not matter
        seen["cases"] += 1
        seen["explained"] += len(quote.explanations)
        seen["with_discount"] += bool(quote.order_discount or any(q.promotion_discount for q in quote.lines))
        seen["coupons_applied"] += len(quote.applied_coupons)

    check()
    figures = (
        f"pricing cases run: {seen['cases']} (target {CASES}); with a discount: {seen['with_discount']}; "
        f"explanations: {seen['explained']}; coupons applied: {seen['coupons_applied']}"
    )
    print(figures)
    record_property("figures", figures)
    assert seen["cases"] >= min(CASES, 100)
    assert seen["with_discount"] > seen["cases"] // 10  # the generator exercises the promotions
