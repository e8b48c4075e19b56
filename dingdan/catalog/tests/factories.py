"""Catalog master data for tests, created through the services (validated and audited like
real data)."""

from decimal import Decimal
from typing import Any

import factory

from dingdan.catalog import services
from dingdan.catalog.models import PriceList, PriceListItem, Product, Sku, TaxRate
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.core.models import AuditEntry, OutboxEvent


class TaxRateFactory(factory.Factory):
    class Meta:
        model = TaxRate

    code = factory.Sequence(lambda n: f"vat{n:02d}")
    name = factory.Sequence(lambda n: f"增值税 {n}")
    rate = Decimal("0.1300")
    is_active = True

    @classmethod
    def _create(cls, model_class: type[TaxRate], *args: Any, **kwargs: Any) -> TaxRate:
        return services.tax_rate_create(actor=SYSTEM, **kwargs)


class ProductFactory(factory.Factory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"纯棉T恤 {n}")
    name_en = factory.Sequence(lambda n: f"Cotton T-shirt {n}")
    category = "apparel"
    brand = "Dingdan"
    skus: list[dict[str, Any]] = []

    @classmethod
    def _create(cls, model_class: type[Product], *args: Any, **kwargs: Any) -> Product:
        return services.product_create(actor=SYSTEM, **kwargs)


class SkuFactory(factory.Factory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:04d}")
    tax_rate = factory.SubFactory(TaxRateFactory)
    specs = factory.LazyFunction(lambda: {"颜色": "黑色", "尺寸": "M"})

    @classmethod
    def _create(cls, model_class: type[Sku], *args: Any, **kwargs: Any) -> Sku:
        return services.sku_create(actor=SYSTEM, **kwargs)


class PriceListFactory(factory.Factory):
    class Meta:
        model = PriceList

    code = factory.Sequence(lambda n: f"list{n:03d}")
    name = factory.Sequence(lambda n: f"价目表 {n}")
    currency = "CNY"

    @classmethod
    def _create(cls, model_class: type[PriceList], *args: Any, **kwargs: Any) -> PriceList:
        return services.price_list_create(actor=SYSTEM, **kwargs)


def make_channel(code: str = "web") -> Any:
    """A sales channel, through the channels context's service."""
    return channel_create(actor=SYSTEM, code=code, name=f"Channel {code}", kind="web", number_prefix="SO")


def catalog_counts() -> dict[str, int]:
    """Everything a failed write must leave untouched."""
    return {
        "tax_rates": TaxRate.objects.count(),
        "products": Product.objects.count(),
        "skus": Sku.objects.count(),
        "price_lists": PriceList.objects.count(),
        "items": PriceListItem.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


def shirt_fields(**fields: Any) -> dict[str, Any]:
    """product_create's arguments for a T-shirt in black M (with a barcode) and L, taxed "vat13"."""
    return {
        "code": "TS-001",
        "name": "纯棉T恤",
        "name_en": "Cotton T-shirt",
        "skus": [
            {
                "code": "TS-001-BK-M",
                "tax_rate": "vat13",
                "barcode": "6901234567892",
                "specs": {"颜色": "黑色", "尺寸": "M"},
            },
            {"code": "TS-001-BK-L", "tax_rate": "vat13", "specs": {"颜色": "黑色", "尺寸": "L"}},
        ],
        **fields,
    }
