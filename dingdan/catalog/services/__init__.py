"""The only writes of the catalog: tax rates, products and SKUs, price lists, promotions,
coupons (and their redemptions) and shipping fee rules."""

from .coupons import coupon_create, coupon_redeem, coupon_release, coupon_update
from .price_lists import price_list_create, price_list_items_set, price_list_update
from .products import product_create, product_update
from .promotions import (
    promotion_create,
    promotion_update,
    shipping_fee_rule_create,
    shipping_fee_rule_update,
)
from .skus import sku_create, sku_update
from .tax_rates import tax_rate_create, tax_rate_update

__all__ = [
    "coupon_create",
    "coupon_redeem",
    "coupon_release",
    "coupon_update",
    "price_list_create",
    "price_list_items_set",
    "price_list_update",
    "product_create",
    "product_update",
    "promotion_create",
    "promotion_update",
    "shipping_fee_rule_create",
    "shipping_fee_rule_update",
    "sku_create",
    "sku_update",
    "tax_rate_create",
    "tax_rate_update",
]
