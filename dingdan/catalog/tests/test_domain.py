"""Pricing and specs rules on plain data: no database."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dingdan.catalog.domain import (
    PriceListTerms,
    PricePoint,
    PriceQuote,
    Sale,
    choose_prices,
    price_list_applies,
    price_list_rank,
    specs_are_valid,
    tier_price,
)

WEB, SHOP = 1, 2
DAY = dt.date(2026, 3, 15)
SALE = Sale(channel_id=WEB, customer_grade="vip", currency="CNY", on_date=DAY)
VAT13 = Decimal("0.1300")


def terms(price_list_id: int, **fields: object) -> PriceListTerms:
    defaults: dict[str, object] = {
        "channel_id": None,
        "customer_grade": "",
        "currency": "CNY",
        "prices_include_tax": True,
        "valid_from": None,
        "valid_to": None,
        "priority": 0,
        "is_active": True,
    }
    return PriceListTerms(price_list_id=price_list_id, **{**defaults, **fields})  # type: ignore[arg-type]


def point(price_list_id: int, sku_id: int, price: str, min_quantity: int = 1) -> PricePoint:
    return PricePoint(
        price_list_id=price_list_id, sku_id=sku_id, min_quantity=min_quantity, unit_price=Decimal(price)
    )


def test_specs_are_an_object_of_texts():
    assert specs_are_valid({"颜色": "黑色", "尺寸": "M"})
    assert specs_are_valid({})


@pytest.mark.parametrize(
    "specs",
    [["黑色"], "黑色", None, {"颜色": 1}, {"": "M"}, {" ": "M"}, {"颜色": ["黑色"]}, {"颜色": "x" * 101}],
)
def test_specs_that_are_not_an_object_of_short_texts_are_invalid(specs):
    assert not specs_are_valid(specs)


def test_a_list_for_every_channel_and_grade_applies_to_any_sale_in_its_currency():
    assert price_list_applies(terms(1), SALE)


@pytest.mark.parametrize(
    "fields",
    [
        {"currency": "USD"},
        {"channel_id": SHOP},
        {"customer_grade": "wholesale"},
        {"valid_from": DAY + dt.timedelta(days=1)},
        {"valid_to": DAY - dt.timedelta(days=1)},
        {"is_active": False},
    ],
)
def test_a_list_for_another_currency_channel_grade_or_period_or_an_inactive_one_does_not_apply(fields):
    assert not price_list_applies(terms(1, **fields), SALE)


def test_the_validity_period_includes_its_first_and_last_day():
    assert price_list_applies(terms(1, valid_from=DAY, valid_to=DAY), SALE)


def test_a_sale_without_a_channel_or_grade_only_gets_lists_for_every_channel_and_grade():
    anonymous = Sale(channel_id=None, customer_grade="", currency="CNY", on_date=DAY)

    assert price_list_applies(terms(1), anonymous)
    assert not price_list_applies(terms(2, channel_id=WEB), anonymous)
    assert not price_list_applies(terms(3, customer_grade="vip"), anonymous)


def test_priority_beats_specificity():
    general_but_urgent = terms(1, priority=10)
    specific = terms(2, channel_id=WEB, customer_grade="vip", priority=0)

    assert price_list_rank(general_but_urgent) > price_list_rank(specific)


def test_at_equal_priority_channel_and_grade_beat_channel_which_beats_grade_which_beats_neither():
    ranked = sorted(
        [
            terms(1),
            terms(2, customer_grade="vip"),
            terms(3, channel_id=WEB),
            terms(4, channel_id=WEB, customer_grade="vip"),
        ],
        key=price_list_rank,
        reverse=True,
    )

    assert [t.price_list_id for t in ranked] == [4, 3, 2, 1]


def test_equal_lists_are_decided_by_the_later_start_then_the_older_list():
    older, newer = terms(5), terms(9)
    later_start = terms(12, valid_from=DAY)

    assert price_list_rank(later_start) > price_list_rank(older) > price_list_rank(newer)


def test_the_highest_quantity_tier_reached_gives_the_price():
    tiers = [point(1, 7, "10.00"), point(1, 7, "9.00", 10), point(1, 7, "8.00", 100)]

    assert tier_price(tiers, 1) == tiers[0]
    assert tier_price(tiers, 99) == tiers[1]
    assert tier_price(tiers, 100) == tiers[2]
    assert tier_price(tiers[1:], 5) is None


def test_each_sku_gets_the_best_applicable_list_that_prices_it():
    lists = [
        terms(1),
        terms(2, channel_id=WEB),
        terms(3, channel_id=SHOP, priority=99),
        terms(4, currency="USD"),
    ]
    points = [
        point(1, 10, "100.00"),
        point(1, 11, "50.00"),
        point(2, 10, "90.00"),
        point(3, 10, "1.00"),
        point(3, 11, "1.00"),
        point(4, 10, "2.00"),
    ]

    quotes = choose_prices(sale=SALE, price_lists=lists, points=points, tax_rates={10: VAT13, 11: VAT13})

    assert quotes == {
        10: PriceQuote(
            sku_id=10, price_list_id=2, unit_price=Decimal("90.00"), prices_include_tax=True, tax_rate=VAT13
        ),
        11: PriceQuote(
            sku_id=11, price_list_id=1, unit_price=Decimal("50.00"), prices_include_tax=True, tax_rate=VAT13
        ),
    }


def test_a_list_whose_tiers_the_quantity_does_not_reach_yields_to_the_next_list():
    lists = [terms(1), terms(2, priority=5, prices_include_tax=False)]
    points = [point(1, 10, "100.00"), point(2, 10, "80.00", min_quantity=10)]

    few = choose_prices(
        sale=SALE, price_lists=lists, points=points, tax_rates={10: VAT13}, quantities={10: 3}
    )
    many = choose_prices(
        sale=SALE, price_lists=lists, points=points, tax_rates={10: VAT13}, quantities={10: 12}
    )

    assert (few[10].price_list_id, few[10].unit_price, few[10].prices_include_tax) == (
        1,
        Decimal("100.00"),
        True,
    )
    assert (many[10].price_list_id, many[10].unit_price, many[10].prices_include_tax) == (
        2,
        Decimal("80.00"),
        False,
    )


def test_a_sku_no_applicable_list_prices_is_absent():
    quotes = choose_prices(
        sale=SALE,
        price_lists=[terms(1, currency="USD")],
        points=[point(1, 10, "1.00")],
        tax_rates={10: VAT13},
    )

    assert quotes == {}


list_terms = st.builds(
    PriceListTerms,
    price_list_id=st.integers(1, 6),
    channel_id=st.sampled_from([None, WEB, SHOP]),
    customer_grade=st.sampled_from(["", "vip", "wholesale"]),
    currency=st.sampled_from(["CNY", "USD"]),
    prices_include_tax=st.booleans(),
    valid_from=st.sampled_from([None, DAY, DAY + dt.timedelta(days=1)]),
    valid_to=st.sampled_from([None, DAY, DAY - dt.timedelta(days=1)]),
    priority=st.integers(-2, 2),
    is_active=st.booleans(),
)


@given(
    lists=st.lists(list_terms, max_size=6, unique_by=lambda t: t.price_list_id),
    priced=st.lists(st.tuples(st.integers(1, 6), st.integers(10, 12)), max_size=12),
)
def test_the_chosen_list_applies_and_no_applicable_list_pricing_the_sku_ranks_higher(lists, priced):
    points = [point(list_id, sku_id, "9.99") for list_id, sku_id in set(priced)]

    quotes = choose_prices(
        sale=SALE, price_lists=lists, points=points, tax_rates={10: VAT13, 11: VAT13, 12: VAT13}
    )

    by_id = {t.price_list_id: t for t in lists}
    for sku_id in (10, 11, 12):
        candidates = [
            by_id[p.price_list_id] for p in points if p.sku_id == sku_id and p.price_list_id in by_id
        ]
        applicable = [t for t in candidates if price_list_applies(t, SALE)]
        if not applicable:
            assert sku_id not in quotes
            continue
        chosen = by_id[quotes[sku_id].price_list_id]
        assert price_list_applies(chosen, SALE)
        assert price_list_rank(chosen) == max(price_list_rank(t) for t in applicable)
        assert quotes[sku_id].prices_include_tax == chosen.prices_include_tax
