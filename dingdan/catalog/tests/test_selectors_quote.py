"""order_quote: what it loads and how many queries that takes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dingdan.catalog import selectors, services
from dingdan.catalog.exceptions import SkuNotFound
from dingdan.core.actors import SYSTEM
from dingdan.core.cache import cache_clear, cache_scope

from .factories import PriceListFactory, ProductFactory, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(vat13):
    channel = make_channel("web")
    product = ProductFactory(
        code="TS", skus=[{"code": f"TS-{n}", "tax_rate": "vat13", "weight_grams": 250} for n in range(8)]
    )
    skus = list(product.skus.order_by("pk"))
    PriceListFactory(
        code="retail",
        channel="web",
        items=[
            *({"sku": sku, "price": Decimal("50.00")} for sku in skus),
            *({"sku": sku, "price": Decimal("45.00"), "min_quantity": 10} for sku in skus),
        ],
    )
    promotion = services.promotion_create(actor=SYSTEM, code="m100", name="满100减10", kind="threshold_off",
                                          target="order", amount=Decimal("10"), min_subtotal=Decimal("100"),
                                          requires_coupon=True)  # fmt: skip
    services.coupon_create(actor=SYSTEM, code="TEN", promotion=promotion, per_customer_limit=1)
    services.promotion_update(actor=SYSTEM, promotion=promotion, channel="web")
    services.shipping_fee_rule_create(actor=SYSTEM, code="flat", name="包邮", base_fee=Decimal("8"),
                                      free_above=Decimal("500"))  # fmt: skip
    return channel, skus


def quote(channel, lines, quantity=1, **fields):
    items = [
        selectors.QuoteItem(key=str(n), sku_id=sku.pk, quantity=quantity) for n, sku in enumerate(lines, 1)
    ]
    return selectors.order_quote(
        items=items, channel_id=channel.pk, customer_grade="", currency="CNY", at=timezone.now(), **fields
    )


def test_a_quote_uses_the_quantity_tier_the_channels_promotions_and_the_shipping_rule(setup):
    channel, skus = setup

    small = quote(channel, skus[:2], coupon_codes=["ten"], customer_id=5)
    large = quote(channel, skus[:1], quantity=12, coupon_codes=["ten"], customer_id=5)

    assert (small.subtotal, small.order_discount, small.shipping_fee, small.total) == (
        Decimal("100.00"),
        Decimal("10.00"),
        Decimal("8.00"),
        Decimal("98.00"),
    )
    assert (large.lines[0].unit_price, large.shipping_fee, large.total) == (
        Decimal("45.00"),
        Decimal("0.00"),
        Decimal("530.00"),
    )


def test_an_orders_own_redemption_does_not_count_against_it_when_repriced(setup):
    channel, skus = setup
    services.coupon_redeem(code="TEN", order_number="SO1", customer_id=5, actor=SYSTEM)

    other = quote(channel, skus[:2], coupon_codes=["TEN"], customer_id=5, order_number="SO2")
    same = quote(channel, skus[:2], coupon_codes=["TEN"], customer_id=5, order_number="SO1")

    assert [reason for _code, reason in other.rejected_coupons] == ["coupon_customer_limit_reached"]
    assert (same.rejected_coupons, same.order_discount) == ((), Decimal("10.00"))


def test_a_quote_takes_as_many_queries_for_eight_lines_as_for_two(setup):
    channel, skus = setup
    fields = {"coupon_codes": ["TEN"], "customer_id": 5, "order_number": "SO9"}

    def cold(lines, **kwargs):
        cache_clear()
        with CaptureQueriesContext(connection) as captured, cache_scope():
            quote(channel, lines, **kwargs)
        return len(captured)

    assert cold(skus[:2], **fields) == cold(skus, **fields) == 8  # with the cache version
    assert cold(skus, skus=skus) == 4  # the version, prices, promotions, shipping rules
    with CaptureQueriesContext(connection) as warm, cache_scope():
        quote(channel, skus, skus=skus)
    assert len(warm) == 1  # every copy kept: the version only


def test_an_unknown_sku_id_is_refused(setup):
    channel, _skus = setup
    with pytest.raises(SkuNotFound):
        selectors.order_quote(
            items=[selectors.QuoteItem(key="1", sku_id=999_999, quantity=1)],
            channel_id=channel.pk,
            customer_grade="",
            currency="CNY",
            at=timezone.now(),
        )
