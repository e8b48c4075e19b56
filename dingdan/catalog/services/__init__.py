"""The only writes of the catalog: tax rates, products and SKUs, price lists."""

from .price_lists import price_list_create, price_list_items_set, price_list_update
from .products import product_create, product_update
from .skus import sku_create, sku_update
from .tax_rates import tax_rate_create, tax_rate_update

__all__ = [
    "price_list_create",
    "price_list_items_set",
    "price_list_update",
    "product_create",
    "product_update",
    "sku_create",
    "sku_update",
    "tax_rate_create",
    "tax_rate_update",
]
