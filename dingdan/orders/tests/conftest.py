"""A small shop for order tests: a channel, SKUs with prices, a warehouse with stock, a customer."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, TaxRateFactory
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.inventory.tests.factories import WarehouseFactory


@dataclass
class Shop:
    channel: Any
    review_channel: Any
    warehouse: Any
    customer: Any
    tshirt: Any  # 99.00, 10 in stock
    mug: Any  # 35.50, 3 in stock
    rare: Any  # 500.00, none in stock


@pytest.fixture
def shop(db: None) -> Shop:
    return make_shop()


def make_shop() -> Shop:
    """The shop's rows (also for tests that build it once per Hypothesis example)."""
    vat = TaxRateFactory(code="vat13", name="增值税 13%", rate=Decimal("0.13"))
    product = ProductFactory(
        code="P-TEE",
        name="纯棉T恤",
        skus=[
            {"code": "TEE-BLK-M", "tax_rate": vat, "specs": {"颜色": "黑色", "尺寸": "M"}},
            {"code": "MUG-01", "tax_rate": vat, "specs": {}},
            {"code": "RARE-01", "tax_rate": vat, "specs": {}},
        ],
    )
    skus = {sku.code: sku for sku in product.skus.all()}
    channel = channel_create(actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="SO")
    review_channel = channel_create(
        actor=SYSTEM,
        code="b2b",
        name="批发",
        kind="wholesale",
        number_prefix="WS",
        review_policy="manual",
        payment_policy="on_account",
    )
    PriceListFactory(
        code="retail",
        prices_include_tax=True,
        items=[
            {"sku_code": "TEE-BLK-M", "price": Decimal("99.00")},
            {"sku_code": "MUG-01", "price": Decimal("35.50")},
            {"sku_code": "RARE-01", "price": Decimal("500.00")},
        ],
    )
    warehouse = WarehouseFactory(code="sh")
    stock_receive(
        actor=SYSTEM,
        warehouse_id=warehouse.pk,
        lines=[StockLine(skus["TEE-BLK-M"].pk, 10), StockLine(skus["MUG-01"].pk, 3)],
        reference="initial",
    )
    customer = CustomerFactory(name="张伟", addresses=[SHENZHEN])
    return Shop(
        channel, review_channel, warehouse, customer, skus["TEE-BLK-M"], skus["MUG-01"], skus["RARE-01"]
    )
