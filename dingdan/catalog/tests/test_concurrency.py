"""Writers racing on real PostgreSQL connections."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from dingdan.catalog import services
from dingdan.catalog.exceptions import ProductCodeTaken, SkuCodeTaken
from dingdan.catalog.models import PriceListItem, Product, Sku
from dingdan.core.actors import SYSTEM
from dingdan.core.audit import audit_timeline, audit_verify

from .factories import PriceListFactory, ProductFactory, TaxRateFactory

RACERS = 6

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(work: Callable[[int], str]) -> list[str]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on separate connections")
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(work(n))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_racing_edits_of_one_price_lists_items_all_land_and_keep_one_audit_chain():
    TaxRateFactory(code="vat13")
    product = ProductFactory(skus=[{"code": "TS-M", "tax_rate": "vat13"}])
    sku = product.skus.get()
    price_list = PriceListFactory(code="retail", items=[{"sku": sku, "price": Decimal("99")}])

    def set_tier(n: int) -> str:
        tier = {"sku_code": "TS-M", "price": Decimal(90 - n), "min_quantity": 10 * (n + 1)}
        services.price_list_items_set(actor=SYSTEM, price_list=price_list, items=[tier])
        return "set"

    assert race(set_tier) == ["set"] * RACERS
    assert PriceListItem.objects.filter(price_list=price_list).count() == 1 + RACERS
    assert len(audit_timeline(aggregate_type="price_list", aggregate_id=price_list.pk)) == 1 + RACERS
    assert audit_verify(aggregate_type="price_list") == []


def test_racing_creates_of_one_sku_code_make_one_product_and_the_rest_get_a_conflict():
    TaxRateFactory(code="vat13")

    def create(n: int) -> str:
        try:
            services.product_create(
                actor=SYSTEM, code=f"P{n}", name=f"商品 {n}", skus=[{"code": "TS-M", "tax_rate": "vat13"}]
            )
            return "created"
        except (SkuCodeTaken, ProductCodeTaken) as error:
            return error.code

    assert race(create) == ["created"] + ["sku_code_taken"] * (RACERS - 1)
    assert (Product.objects.count(), Sku.objects.count()) == (1, 1)
