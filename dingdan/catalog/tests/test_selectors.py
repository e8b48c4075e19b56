import datetime as dt
import itertools
from decimal import Decimal

import pytest

from dingdan.catalog import selectors, services
from dingdan.catalog.exceptions import PriceListNotFound, ProductNotFound, SkuNotFound
from dingdan.catalog.selectors import PriceQuote
from dingdan.core.actors import SYSTEM
from dingdan.core.cache import cache_clear

from .factories import PriceListFactory, ProductFactory, make_channel

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 15)
VAT13 = Decimal("0.1300")


BARCODES = itertools.count(6901234500000)


def product_with_skus(code, *sku_codes, **fields):
    skus = [{"code": sku_code, "tax_rate": "vat13", "barcode": str(next(BARCODES))} for sku_code in sku_codes]
    return ProductFactory(code=code, skus=skus, **fields)


def test_products_are_found_by_part_of_a_code_or_name_or_a_sku_code_or_whole_barcode(vat13):
    tee = product_with_skus("TS-001", "TS-001-M", name="纯棉T恤", name_en="Cotton tee")
    mug = product_with_skus("MUG-01", "MUG-01-W", name="陶瓷杯", name_en="Ceramic mug")
    barcode = mug.skus.get().barcode

    def found(q):
        return [p.code for p in selectors.product_list(q=q).order_by("code")]

    assert found("ts-0") == ["TS-001"]
    assert found("T恤") == ["TS-001"]
    assert found("ceramic") == ["MUG-01"]
    assert found("01-W") == ["MUG-01"]
    assert found(barcode) == ["MUG-01"]
    assert found(barcode[:6]) == []
    assert found("0") == ["MUG-01", "TS-001"]
    assert tee.pk in [p.pk for p in selectors.product_list()]


def test_products_are_filtered_by_category_brand_and_active_flag(vat13):
    ProductFactory(code="A", category="apparel", brand="Li-Ning")
    ProductFactory(code="B", category="apparel", brand="Anta", is_active=False)
    ProductFactory(code="C", category="kitchen", brand="Anta")

    def codes(**filters):
        return sorted(p.code for p in selectors.product_list(**filters))

    assert codes(category="apparel") == ["A", "B"]
    assert codes(brand="Anta") == ["B", "C"]
    assert codes(category="apparel", is_active=True) == ["A"]


def test_listing_products_with_their_skus_takes_two_queries_however_many(vat13, django_assert_num_queries):
    for n in range(6):
        product_with_skus(f"P{n}", f"P{n}-S", f"P{n}-M", f"P{n}-L")

    with django_assert_num_queries(2):
        products = list(selectors.product_list())
        specs = [(sku.code, sku.tax_rate.code, sku.is_sellable) for p in products for sku in p.skus.all()]

    assert len(specs) == 18


def test_getting_a_missing_product_sku_or_price_list_raises_not_found():
    with pytest.raises(ProductNotFound):
        selectors.product_get(product_id=404)
    with pytest.raises(SkuNotFound):
        selectors.sku_get_by_code(code="NOPE")
    with pytest.raises(PriceListNotFound):
        selectors.price_list_get(price_list_id=404)


def test_skus_are_filtered_by_code_barcode_product_and_text(vat13):
    tee = product_with_skus("TS-001", "TS-001-M", "TS-001-L", name="纯棉T恤")
    product_with_skus("MUG-01", "MUG-01-W", name="陶瓷杯")
    medium = tee.skus.get(code="TS-001-M")

    def codes(**filters):
        return sorted(s.code for s in selectors.sku_list(**filters))

    assert codes(code="TS-001-M") == ["TS-001-M"]
    assert codes(barcode=medium.barcode) == ["TS-001-M"]
    assert codes(product_id=tee.pk) == ["TS-001-L", "TS-001-M"]
    assert codes(q="T恤") == ["TS-001-L", "TS-001-M"]
    assert codes(q="mug") == ["MUG-01-W"]


def test_skus_by_codes_returns_the_known_ones_with_product_and_tax_rate_in_one_query(
    vat13, django_assert_num_queries
):
    product_with_skus("TS-001", "TS-001-M", "TS-001-L")
    product_with_skus("MUG-01", "MUG-01-W", is_active=False)

    with django_assert_num_queries(1):
        skus = selectors.skus_by_codes(codes=["TS-001-M", "MUG-01-W", "NOPE", "TS-001-M"])
        sellable = {code: (sku.is_sellable, sku.tax_rate.rate) for code, sku in skus.items()}

    assert sellable == {"TS-001-M": (True, VAT13), "MUG-01-W": (False, VAT13)}


def test_skus_by_no_codes_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.skus_by_codes(codes=[]) == {}


# Pricing


@pytest.fixture
def tee(vat13):
    product = product_with_skus("TS-001", "TS-001-M", "TS-001-L")
    return {sku.code: sku for sku in product.skus.all()}


def prices(tee, **sale):
    terms = {"channel_id": None, "customer_grade": "", "currency": "CNY", "on_date": DAY, **sale}
    return selectors.sku_prices(sku_ids=[sku.pk for sku in tee.values()], **terms)


def items(**prices_by_code):
    return [
        {"sku_code": code.replace("_", "-"), "price": Decimal(price)}
        for code, price in prices_by_code.items()
    ]


def test_a_channel_list_beats_the_list_for_every_channel_at_equal_priority(tee):
    web = make_channel("web")
    retail = PriceListFactory(code="retail", items=items(TS_001_M="99", TS_001_L="109"))
    web_list = PriceListFactory(
        code="web", channel="web", prices_include_tax=False, items=items(TS_001_M="89")
    )

    quotes = prices(tee, channel_id=web.pk)

    medium, large = tee["TS-001-M"].pk, tee["TS-001-L"].pk
    assert quotes == {
        medium: PriceQuote(
            sku_id=medium,
            price_list_id=web_list.pk,
            unit_price=Decimal("89.00"),
            prices_include_tax=False,
            tax_rate=VAT13,
        ),
        large: PriceQuote(
            sku_id=large,
            price_list_id=retail.pk,
            unit_price=Decimal("109.00"),
            prices_include_tax=True,
            tax_rate=VAT13,
        ),
    }
    assert prices(tee)[medium].unit_price == Decimal("99.00")


def test_a_higher_priority_list_wins_over_a_more_specific_one(tee):
    web = make_channel("web")
    PriceListFactory(code="web-vip", channel="web", customer_grade="vip", items=items(TS_001_M="80"))
    PriceListFactory(code="promo", priority=10, items=items(TS_001_M="70"))

    quote = prices(tee, channel_id=web.pk, customer_grade="vip")[tee["TS-001-M"].pk]

    assert quote.unit_price == Decimal("70.00")


def test_lists_of_another_grade_currency_period_or_inactive_ones_are_ignored(tee):
    PriceListFactory(code="retail", items=items(TS_001_M="99"))
    PriceListFactory(code="vip", customer_grade="vip", priority=9, items=items(TS_001_M="1"))
    PriceListFactory(code="usd", currency="USD", priority=9, items=items(TS_001_M="2"))
    PriceListFactory(
        code="later", valid_from=DAY + dt.timedelta(days=1), priority=9, items=items(TS_001_M="3")
    )
    PriceListFactory(code="over", valid_to=DAY - dt.timedelta(days=1), priority=9, items=items(TS_001_M="4"))
    PriceListFactory(code="off", is_active=False, priority=9, items=items(TS_001_M="5"))

    assert prices(tee, customer_grade="wholesale")[tee["TS-001-M"].pk].unit_price == Decimal("99.00")
    assert prices(tee, customer_grade="vip")[tee["TS-001-M"].pk].unit_price == Decimal("1.00")
    assert prices(tee, currency="USD")[tee["TS-001-M"].pk].unit_price == Decimal("2.00")


def test_quantity_tiers_price_larger_quantities(tee):
    medium = tee["TS-001-M"]
    PriceListFactory(
        code="retail",
        items=[
            {"sku": medium, "price": Decimal("99")},
            {"sku": medium, "price": Decimal("79"), "min_quantity": 10},
        ],
    )

    def unit_price(quantity):
        return selectors.sku_prices(
            sku_ids=[medium.pk],
            channel_id=None,
            customer_grade="",
            currency="CNY",
            on_date=DAY,
            quantities={medium.pk: quantity},
        )[medium.pk].unit_price

    assert (unit_price(9), unit_price(10)) == (Decimal("99.00"), Decimal("79.00"))


def test_a_sku_without_a_price_is_absent(tee):
    PriceListFactory(code="retail", items=items(TS_001_M="99"))

    assert list(prices(tee)) == [tee["TS-001-M"].pk]


def test_pricing_takes_one_query_however_many_skus(vat13, django_assert_num_queries):
    web = make_channel("web")
    product = product_with_skus("TS-001", *(f"TS-001-{n}" for n in range(30)))
    skus = list(product.skus.all())
    all_items = [{"sku": sku, "price": Decimal("10")} for sku in skus]
    PriceListFactory(code="retail", items=all_items)
    PriceListFactory(code="web", channel="web", items=all_items[:10])
    PriceListFactory(code="vip", customer_grade="vip", items=all_items[5:20])

    def quote(some):
        return selectors.sku_prices(
            sku_ids=[s.pk for s in some], channel_id=web.pk, customer_grade="vip", currency="CNY", on_date=DAY
        )

    cache_clear()
    with django_assert_num_queries(2):  # the master-data version (core.cache), the prices
        assert len(quote(skus[:1])) == 1
    with django_assert_num_queries(2):  # the 29 not read yet, in one query
        assert len(quote(skus)) == 30
    with django_assert_num_queries(1):  # every copy kept: the version only
        assert len(quote(skus)) == 30


def test_one_read_of_a_sku_prices_serves_every_customer_grade(tee, django_assert_num_queries):
    PriceListFactory(code="retail", items=items(TS_001_M="99", TS_001_L="98"))
    PriceListFactory(code="vip", customer_grade="vip", priority=9, items=items(TS_001_M="70"))
    PriceListFactory(code="wholesale", customer_grade="wholesale", priority=9, items=items(TS_001_L="60"))

    cache_clear()
    with django_assert_num_queries(2):  # the master-data version, the prices of every grade
        common = prices(tee)
    with django_assert_num_queries(2):  # a version read each: both grades pick from the copies
        vip, wholesale = prices(tee, customer_grade="vip"), prices(tee, customer_grade="wholesale")

    medium, large = tee["TS-001-M"].pk, tee["TS-001-L"].pk
    assert {sku: quote.unit_price for sku, quote in common.items()} == {
        medium: Decimal("99.00"),
        large: Decimal("98.00"),
    }
    assert {sku: quote.unit_price for sku, quote in vip.items()} == {
        medium: Decimal("70.00"),
        large: Decimal("98.00"),
    }
    assert {sku: quote.unit_price for sku, quote in wholesale.items()} == {
        medium: Decimal("99.00"),
        large: Decimal("60.00"),
    }


def test_pricing_no_skus_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            selectors.sku_prices(sku_ids=[], channel_id=None, customer_grade="", currency="CNY", on_date=DAY)
            == {}
        )


def test_a_price_list_comes_with_its_items_sorted_by_sku_code_in_two_queries(tee, django_assert_num_queries):
    web = make_channel("web")
    price_list = PriceListFactory(code="web", channel="web", items=items(TS_001_M="99", TS_001_L="109"))
    services.price_list_update(actor=SYSTEM, price_list=price_list, name="官网")

    with django_assert_num_queries(2):
        fetched = selectors.price_list_get(price_list_id=price_list.pk)
        rows = [(i.sku.code, i.price) for i in fetched.items.all()]

    assert fetched.channel == web
    assert rows == [("TS-001-L", Decimal("109.00")), ("TS-001-M", Decimal("99.00"))]
