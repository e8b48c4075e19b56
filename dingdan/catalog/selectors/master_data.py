"""Reads of the catalog's master data: tax rates, products and SKUs, price lists (and the
price choice `sku_prices`), promotions, coupons and shipping fee rules."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from dingdan.core.cache import cached_many

from ..domain import PriceListTerms, PricePoint, PriceQuote, Sale, choose_prices
from ..exceptions import (
    CouponNotFound,
    PriceListNotFound,
    ProductNotFound,
    PromotionNotFound,
    ShippingFeeRuleNotFound,
    SkuNotFound,
    TaxRateNotFound,
)
from ..models import Coupon, PriceList, PriceListItem, Product, Promotion, ShippingFeeRule, Sku, TaxRate
from ..pricing import normalize_coupon_code


def tax_rate_list(*, is_active: bool | None = None) -> QuerySet[TaxRate]:
    tax_rates = TaxRate.objects.all()
    if is_active is not None:
        tax_rates = tax_rates.filter(is_active=is_active)
    return tax_rates


def tax_rate_get(*, tax_rate_id: int | None = None, code: str | None = None) -> TaxRate:
    lookup = Q(pk=tax_rate_id) if tax_rate_id is not None else Q(code=code)
    tax_rate = TaxRate.objects.filter(lookup).first()
    if tax_rate is None:
        raise TaxRateNotFound()
    return tax_rate


def skus_with_relations() -> QuerySet[Sku]:
    return Sku.objects.select_related("product", "tax_rate")


def product_list(
    *,
    q: str | None = None,
    category: str | None = None,
    brand: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Product]:
    """Products, each with its SKUs prefetched (in the order added). `q` matches part of the
    product's code, name or English name, or of a SKU's code, or a SKU's whole barcode."""
    skus = Sku.objects.select_related("tax_rate").order_by("pk")  # variants in the order entered
    products = Product.objects.prefetch_related(Prefetch("skus", queryset=skus))
    if q:
        matching_skus = Sku.objects.filter(product=OuterRef("pk")).filter(Q(code__icontains=q) | Q(barcode=q))
        products = products.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q) | Exists(matching_skus)
        )
    if category:
        products = products.filter(category=category)
    if brand:
        products = products.filter(brand=brand)
    if is_active is not None:
        products = products.filter(is_active=is_active)
    return products


def product_get(*, product_id: int) -> Product:
    """The product with its SKUs. Raises ProductNotFound."""
    product = product_list().filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    return product


def sku_list(
    *,
    code: str | None = None,
    barcode: str | None = None,
    product_id: int | None = None,
    q: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Sku]:
    """SKUs with their product and tax rate. `q` matches part of the SKU's code or of its
    product's code or name, or the whole barcode."""
    skus = skus_with_relations()
    if code:
        skus = skus.filter(code=code)
    if barcode:
        skus = skus.filter(barcode=barcode)
    if product_id is not None:
        skus = skus.filter(product_id=product_id)
    if q:
        skus = skus.filter(
            Q(code__icontains=q)
            | Q(barcode=q)
            | Q(product__code__icontains=q)
            | Q(product__name__icontains=q)
        )
    if is_active is not None:
        skus = skus.filter(is_active=is_active)
    return skus


def sku_get(*, sku_id: int) -> Sku:
    """Raises SkuNotFound."""
    sku = skus_with_relations().filter(pk=sku_id).first()
    if sku is None:
        raise SkuNotFound()
    return sku


def sku_get_by_code(*, code: str) -> Sku:
    """Raises SkuNotFound."""
    sku = skus_with_relations().filter(code=code).first()
    if sku is None:
        raise SkuNotFound()
    return sku


def skus_by_codes(*, codes: Iterable[str]) -> dict[str, Sku]:
    """The SKUs with these codes (with product and tax rate) in one query, by code; unknown
    codes are absent. Whether a SKU is sellable is `sku.is_sellable`."""
    wanted = set(codes)
    if not wanted:
        return {}
    return {sku.code: sku for sku in skus_with_relations().filter(code__in=wanted)}


def skus_by_codes_shared(*, codes: Iterable[str]) -> dict[str, Sku]:
    """`skus_by_codes`, from the process's copies (core.cache): the instances are shared by
    every caller of the process, so they are read, never changed or saved."""
    return cached_many("skus", set(codes), lambda missing: skus_by_codes(codes=missing))


def price_list_list(
    *, currency: str | None = None, channel_id: int | None = None, is_active: bool | None = None
) -> QuerySet[PriceList]:
    """Price lists (with their channel). `channel_id` selects that channel's own lists."""
    price_lists = PriceList.objects.select_related("channel")
    if currency:
        price_lists = price_lists.filter(currency=currency)
    if channel_id is not None:
        price_lists = price_lists.filter(channel_id=channel_id)
    if is_active is not None:
        price_lists = price_lists.filter(is_active=is_active)
    return price_lists


def price_list_get(*, price_list_id: int) -> PriceList:
    """The price list with its items (and their SKUs). Raises PriceListNotFound."""
    items = PriceListItem.objects.select_related("sku").order_by("sku__code", "min_quantity")
    price_list = (
        price_list_list().prefetch_related(Prefetch("items", queryset=items)).filter(pk=price_list_id).first()
    )
    if price_list is None:
        raise PriceListNotFound()
    return price_list


def sku_prices(
    *,
    sku_ids: Iterable[int],
    channel_id: int | None,
    customer_grade: str,
    currency: str,
    on_date: dt.date,
    quantities: Mapping[int, int] | None = None,
) -> dict[int, PriceQuote]:
    """The unit price of each SKU for a sale, by SKU id (the choice: domain.choose_prices);
    `quantities` by SKU id picks quantity tiers (default 1). SKUs without an applicable price
    are absent. One query, however many SKUs."""
    ids = set(sku_ids)
    if not ids:
        return {}
    sale = Sale(channel_id=channel_id, customer_grade=customer_grade, currency=currency, on_date=on_date)
    # The copies hold every grade's candidates, so one copy per SKU serves all customer
    # grades (kept per grade, a process took several times as many orders to warm up, and
    # a VIP's order read its prices again long after the common grade's were all kept).
    scope = (channel_id, currency, on_date)
    by_sku = cached_many(("prices", scope), ids, lambda missing: _candidate_prices_by_sku(missing, sale))
    grades = {"", customer_grade}
    rows = [
        row
        for sku_id in sorted(by_sku)
        for row in by_sku[sku_id]
        if row["price_list__customer_grade"] in grades
    ]
    terms = {row["price_list_id"]: _terms(row) for row in rows}
    points = [
        PricePoint(
            price_list_id=row["price_list_id"],
            sku_id=row["sku_id"],
            min_quantity=row["min_quantity"],
            unit_price=row["price"],
        )
        for row in rows
    ]
    tax_rates: dict[int, Decimal] = {row["sku_id"]: row["sku__tax_rate__rate"] for row in rows}
    return choose_prices(
        sale=sale, price_lists=terms.values(), points=points, tax_rates=tax_rates, quantities=quantities
    )


_TERMS = (
    "channel_id",
    "customer_grade",
    "currency",
    "prices_include_tax",
    "valid_from",
    "valid_to",
    "priority",
    "is_active",
)


def _candidate_prices(sku_ids: set[int], sale: Sale) -> list[dict[str, Any]]:
    """Prices of the SKUs on lists that may apply to the sale's channel, currency and day, for
    any customer grade: the database narrows, the caller keeps the sale's grade, the domain
    decides."""
    valid_from, valid_to = "price_list__valid_from", "price_list__valid_to"
    return list(
        PriceListItem.objects.filter(
            Q(price_list__channel_id=sale.channel_id) | Q(price_list__channel__isnull=True),
            Q(**{f"{valid_from}__isnull": True}) | Q(**{f"{valid_from}__lte": sale.on_date}),
            Q(**{f"{valid_to}__isnull": True}) | Q(**{f"{valid_to}__gte": sale.on_date}),
            sku_id__in=sku_ids,
            price_list__is_active=True,
            price_list__currency=sale.currency,
        ).values(
            "sku_id",
            "min_quantity",
            "price",
            "price_list_id",
            "sku__tax_rate__rate",
            *(f"price_list__{name}" for name in _TERMS),
        )
    )


def _candidate_prices_by_sku(sku_ids: set[int], sale: Sale) -> dict[int, tuple[dict[str, Any], ...]]:
    rows: dict[int, list[dict[str, Any]]] = {}
    for row in _candidate_prices(sku_ids, sale):
        rows.setdefault(row["sku_id"], []).append(row)
    return {sku_id: tuple(found) for sku_id, found in rows.items()}


def _terms(row: dict[str, Any]) -> PriceListTerms:
    return PriceListTerms(
        price_list_id=row["price_list_id"], **{name: row[f"price_list__{name}"] for name in _TERMS}
    )


def sku_ids_existing(*, sku_ids: Iterable[int]) -> set[int]:
    """Which of these SKU ids exist (one query)."""
    return set(Sku.objects.filter(pk__in=list(sku_ids)).values_list("pk", flat=True))


# Promotions, coupons, shipping fee rules


def promotion_list(
    *, channel_id: int | None = None, is_active: bool | None = None, kind: str | None = None
) -> QuerySet[Promotion]:
    promotions = Promotion.objects.select_related("channel")
    if channel_id is not None:
        promotions = promotions.filter(channel_id=channel_id)
    if is_active is not None:
        promotions = promotions.filter(is_active=is_active)
    if kind:
        promotions = promotions.filter(kind=kind)
    return promotions


def promotion_get(*, promotion_id: int | None = None, code: str | None = None) -> Promotion:
    """Raises PromotionNotFound."""
    lookup = Q(pk=promotion_id) if promotion_id is not None else Q(code=code)
    promotion = promotion_list().filter(lookup).first()
    if promotion is None:
        raise PromotionNotFound()
    return promotion


def coupon_list(*, promotion_id: int | None = None, is_active: bool | None = None) -> QuerySet[Coupon]:
    coupons = Coupon.objects.select_related("promotion")
    if promotion_id is not None:
        coupons = coupons.filter(promotion_id=promotion_id)
    if is_active is not None:
        coupons = coupons.filter(is_active=is_active)
    return coupons


def coupon_get(*, coupon_id: int | None = None, code: str | None = None) -> Coupon:
    """By id or by code (compared without case). Raises CouponNotFound."""
    lookup = Q(pk=coupon_id) if coupon_id is not None else Q(code=normalize_coupon_code(code or ""))
    coupon = coupon_list().filter(lookup).first()
    if coupon is None:
        raise CouponNotFound()
    return coupon


def shipping_fee_rule_list(
    *, channel_id: int | None = None, is_active: bool | None = None
) -> QuerySet[ShippingFeeRule]:
    rules = ShippingFeeRule.objects.select_related("channel")
    if channel_id is not None:
        rules = rules.filter(channel_id=channel_id)
    if is_active is not None:
        rules = rules.filter(is_active=is_active)
    return rules


def shipping_fee_rule_get(*, rule_id: int) -> ShippingFeeRule:
    """Raises ShippingFeeRuleNotFound."""
    rule = shipping_fee_rule_list().filter(pk=rule_id).first()
    if rule is None:
        raise ShippingFeeRuleNotFound()
    return rule
