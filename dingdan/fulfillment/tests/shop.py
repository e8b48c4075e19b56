"""A small shop for fulfilment tests: two warehouses (Shanghai, east; Guangzhou, south),
two SKUs stocked in one warehouse each, a channel that confirms automatically and bills on
account (so delivered orders complete), a customer in Shenzhen."""

import importlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, TaxRateFactory
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.fulfillment import services
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.orders.services import LineRequest, OrderRequest, order_create


@dataclass
class Shop:
    channel: Any
    customer: Any
    shanghai: Any  # east: 10 tees, 0 mugs
    guangzhou: Any  # south: 0 tees, 5 mugs
    tee: Any
    mug: Any

    def order(self, *lines: tuple[Any, int], priority: str = "normal", customer: Any = None) -> Any:
        request = OrderRequest(
            channel_id=self.channel.pk,
            customer_id=(customer or self.customer).pk,
            lines=tuple(LineRequest(sku_code=sku.code, quantity=quantity) for sku, quantity in lines),
            priority=priority,
        )
        return order_create(actor=SYSTEM, request=request)

    def ship(self, order: Any, *, tracking: str = "SF1234567890123") -> Any:
        """Pick, pack and ship the whole order from Shanghai with SF Express."""
        pick = services.pick_list_create(actor=SYSTEM, warehouse_id=self.shanghai.pk, order_ids=[order.pk])
        services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
        contents = {line.sku_code: line.quantity for line in order.lines.all()}
        [package] = services.packages_create(
            actor=SYSTEM,
            pick_list_id=pick.pk,
            order_id=order.pk,
            packages=[services.PackageSpec(contents, Decimal("1"))],
        )
        return services.shipment_create(
            actor=SYSTEM, package_ids=[package.pk], carrier_code="sf", tracking_number=tracking
        )


def carriers_ensure() -> None:
    """The seeded carriers again: transactional tests flush what the data migration wrote."""
    from django.apps import apps

    importlib.import_module("dingdan.fulfillment.migrations.0002_seed_carriers").seed(apps, None)


def build_shop(*, tees: int = 10, mugs: int = 5, language: str = "zh-hans") -> Shop:
    carriers_ensure()
    vat = TaxRateFactory(code="vat13", name="增值税 13%", rate=Decimal("0.13"))
    product = ProductFactory(
        code="P-TEE",
        name="纯棉T恤",
        skus=[
            {"code": "TEE-BLK-M", "tax_rate": vat, "specs": {"颜色": "黑色", "尺寸": "M"}},
            {"code": "MUG-01", "tax_rate": vat, "specs": {}},
        ],
    )
    skus = {sku.code: sku for sku in product.skus.all()}
    channel = channel_create(
        actor=SYSTEM, code="b2b", name="企业客户", kind="web", number_prefix="SO", payment_policy="on_account"
    )
    PriceListFactory(
        code="retail",
        items=[
            {"sku_code": "TEE-BLK-M", "price": Decimal("99.00")},
            {"sku_code": "MUG-01", "price": Decimal("35.50")},
        ],
    )
    shanghai = WarehouseFactory(code="sh", name="上海仓", region="east", priority=10)
    guangzhou = WarehouseFactory(
        code="gz",
        name="广州仓",
        region="south",
        province="广东省",
        city="广州市",
        district="白云区",
        street="机场路 100 号",
        postal_code="510000",
        priority=20,
    )
    if tees:
        stock_receive(actor=SYSTEM, warehouse_id=shanghai.pk, lines=[StockLine(skus["TEE-BLK-M"].pk, tees)])
    if mugs:
        stock_receive(actor=SYSTEM, warehouse_id=guangzhou.pk, lines=[StockLine(skus["MUG-01"].pk, mugs)])
    customer = CustomerFactory(name="张伟", addresses=[SHENZHEN], language=language)
    return Shop(channel, customer, shanghai, guangzhou, skus["TEE-BLK-M"], skus["MUG-01"])
