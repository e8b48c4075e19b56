from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, requires

from . import selectors, services
from .schemas import (
    CouponFilter,
    CouponIn,
    CouponOut,
    CouponPatch,
    PriceListDetailOut,
    PriceListFilter,
    PriceListIn,
    PriceListItemsIn,
    PriceListOut,
    PriceListPatch,
    ProductDetailOut,
    ProductFilter,
    ProductIn,
    ProductPatch,
    PromotionFilter,
    PromotionIn,
    PromotionOut,
    PromotionPatch,
    QuoteIn,
    QuoteOut,
    ShippingFeeRuleFilter,
    ShippingFeeRuleIn,
    ShippingFeeRuleOut,
    ShippingFeeRulePatch,
    SkuFilter,
    SkuIn,
    SkuOut,
    SkuPatch,
    TaxRateFilter,
    TaxRateIn,
    TaxRateOut,
    TaxRatePatch,
)

router = Router()


# Tax rates


@router.get("/tax-rates", response={200: Page[TaxRateOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def tax_rate_list(request: HttpRequest, filters: Query[TaxRateFilter], page: Query[PageQuery]) -> dict:
    tax_rates = selectors.tax_rate_list(is_active=filters.is_active)
    items, cursor = paginate(tax_rates, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/tax-rates", response={201: TaxRateOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def tax_rate_create(request: HttpRequest, payload: TaxRateIn) -> Status:
    tax_rate = services.tax_rate_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, tax_rate)


@router.get("/tax-rates/{int:tax_rate_id}", response={200: TaxRateOut, **problems(401, 403, 404)})
@requires("catalog:read")
def tax_rate_detail(request: HttpRequest, tax_rate_id: int) -> object:
    return selectors.tax_rate_get(tax_rate_id=tax_rate_id)


@router.patch("/tax-rates/{int:tax_rate_id}", response={200: TaxRateOut, **problems(400, 401, 403, 404, 422)})
@requires("catalog:write")
def tax_rate_update(request: HttpRequest, tax_rate_id: int, payload: TaxRatePatch) -> object:
    tax_rate = selectors.tax_rate_get(tax_rate_id=tax_rate_id)
    return services.tax_rate_update(
        actor=request_actor(request), tax_rate=tax_rate, **payload.model_dump(exclude_unset=True)
    )


# Products and their SKUs


@router.get("/products", response={200: Page[ProductDetailOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def product_list(request: HttpRequest, filters: Query[ProductFilter], page: Query[PageQuery]) -> dict:
    products = selectors.product_list(**filters.model_dump())
    items, cursor = paginate(products, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/products", response={201: ProductDetailOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def product_create(request: HttpRequest, payload: ProductIn) -> Status:
    product = services.product_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, product)


@router.get("/products/{int:product_id}", response={200: ProductDetailOut, **problems(401, 403, 404)})
@requires("catalog:read")
def product_detail(request: HttpRequest, product_id: int) -> object:
    return selectors.product_get(product_id=product_id)


@router.patch(
    "/products/{int:product_id}", response={200: ProductDetailOut, **problems(400, 401, 403, 404, 422)}
)
@requires("catalog:write")
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch) -> object:
    product = selectors.product_get(product_id=product_id)
    return services.product_update(
        actor=request_actor(request), product=product, **payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/products/{int:product_id}/skus", response={201: SkuOut, **problems(400, 401, 403, 404, 409, 422)}
)
@decorate_view(idempotent)
@requires("catalog:write")
def sku_create(request: HttpRequest, product_id: int, payload: SkuIn) -> Status:
    product = selectors.product_get(product_id=product_id)
    sku = services.sku_create(actor=request_actor(request), product=product, **payload.model_dump())
    return Status(201, sku)


@router.get("/skus", response={200: Page[SkuOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def sku_list(request: HttpRequest, filters: Query[SkuFilter], page: Query[PageQuery]) -> dict:
    skus = selectors.sku_list(
        code=filters.code,
        barcode=filters.barcode,
        product_id=filters.product,
        q=filters.q,
        is_active=filters.is_active,
    )
    items, cursor = paginate(skus, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.get("/skus/{int:sku_id}", response={200: SkuOut, **problems(401, 403, 404)})
@requires("catalog:read")
def sku_detail(request: HttpRequest, sku_id: int) -> object:
    return selectors.sku_get(sku_id=sku_id)


@router.patch("/skus/{int:sku_id}", response={200: SkuOut, **problems(400, 401, 403, 404, 409, 422)})
@requires("catalog:write")
def sku_update(request: HttpRequest, sku_id: int, payload: SkuPatch) -> object:
    sku = selectors.sku_get(sku_id=sku_id)
    return services.sku_update(
        actor=request_actor(request), sku=sku, **payload.model_dump(exclude_unset=True)
    )


# Price lists


@router.get("/price-lists", response={200: Page[PriceListOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def price_list_list(request: HttpRequest, filters: Query[PriceListFilter], page: Query[PageQuery]) -> dict:
    price_lists = selectors.price_list_list(
        currency=filters.currency, channel_id=filters.channel, is_active=filters.is_active
    )
    items, cursor = paginate(price_lists, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/price-lists", response={201: PriceListDetailOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def price_list_create(request: HttpRequest, payload: PriceListIn) -> Status:
    price_list = services.price_list_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, price_list)


@router.get("/price-lists/{int:price_list_id}", response={200: PriceListDetailOut, **problems(401, 403, 404)})
@requires("catalog:read")
def price_list_detail(request: HttpRequest, price_list_id: int) -> object:
    return selectors.price_list_get(price_list_id=price_list_id)


@router.patch(
    "/price-lists/{int:price_list_id}",
    response={200: PriceListDetailOut, **problems(400, 401, 403, 404, 422)},
)
@requires("catalog:write")
def price_list_update(request: HttpRequest, price_list_id: int, payload: PriceListPatch) -> object:
    price_list = selectors.price_list_get(price_list_id=price_list_id)
    return services.price_list_update(
        actor=request_actor(request), price_list=price_list, **payload.model_dump(exclude_unset=True)
    )


@router.put(
    "/price-lists/{int:price_list_id}/items",
    response={200: PriceListDetailOut, **problems(400, 401, 403, 404, 409, 422)},
)
@requires("catalog:write")
def price_list_items_set(request: HttpRequest, price_list_id: int, payload: PriceListItemsIn) -> object:
    price_list = selectors.price_list_get(price_list_id=price_list_id)
    items = [item.model_dump() for item in payload.items]
    return services.price_list_items_set(
        actor=request_actor(request), price_list=price_list, items=items, replace=payload.replace
    )


# Promotions (deactivated with PATCH, never deleted: orders name them)


@router.get("/promotions", response={200: Page[PromotionOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def promotion_list(request: HttpRequest, filters: Query[PromotionFilter], page: Query[PageQuery]) -> dict:
    promotions = selectors.promotion_list(
        channel_id=filters.channel, kind=filters.kind, is_active=filters.is_active
    )
    items, cursor = paginate(promotions, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/promotions", response={201: PromotionOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def promotion_create(request: HttpRequest, payload: PromotionIn) -> Status:
    promotion = services.promotion_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, promotion)


@router.get("/promotions/{int:promotion_id}", response={200: PromotionOut, **problems(401, 403, 404)})
@requires("catalog:read")
def promotion_detail(request: HttpRequest, promotion_id: int) -> object:
    return selectors.promotion_get(promotion_id=promotion_id)


@router.patch(
    "/promotions/{int:promotion_id}", response={200: PromotionOut, **problems(400, 401, 403, 404, 422)}
)
@requires("catalog:write")
def promotion_update(request: HttpRequest, promotion_id: int, payload: PromotionPatch) -> object:
    promotion = selectors.promotion_get(promotion_id=promotion_id)
    return services.promotion_update(
        actor=request_actor(request), promotion=promotion, **payload.model_dump(exclude_unset=True)
    )


# Coupons


@router.get("/coupons", response={200: Page[CouponOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def coupon_list(request: HttpRequest, filters: Query[CouponFilter], page: Query[PageQuery]) -> dict:
    coupons = selectors.coupon_list(promotion_id=filters.promotion, is_active=filters.is_active)
    items, cursor = paginate(coupons, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/coupons", response={201: CouponOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def coupon_create(request: HttpRequest, payload: CouponIn) -> Status:
    coupon = services.coupon_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, coupon)


@router.get("/coupons/{int:coupon_id}", response={200: CouponOut, **problems(401, 403, 404)})
@requires("catalog:read")
def coupon_detail(request: HttpRequest, coupon_id: int) -> object:
    return selectors.coupon_get(coupon_id=coupon_id)


@router.patch("/coupons/{int:coupon_id}", response={200: CouponOut, **problems(400, 401, 403, 404, 422)})
@requires("catalog:write")
def coupon_update(request: HttpRequest, coupon_id: int, payload: CouponPatch) -> object:
    coupon = selectors.coupon_get(coupon_id=coupon_id)
    return services.coupon_update(
        actor=request_actor(request), coupon=coupon, **payload.model_dump(exclude_unset=True)
    )


# Shipping fee rules


@router.get("/shipping-fee-rules", response={200: Page[ShippingFeeRuleOut], **problems(400, 401, 403, 422)})
@requires("catalog:read")
def shipping_fee_rule_list(
    request: HttpRequest, filters: Query[ShippingFeeRuleFilter], page: Query[PageQuery]
) -> dict:
    rules = selectors.shipping_fee_rule_list(channel_id=filters.channel, is_active=filters.is_active)
    items, cursor = paginate(rules, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    return {"items": items, "next": cursor}


@router.post("/shipping-fee-rules", response={201: ShippingFeeRuleOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires("catalog:write")
def shipping_fee_rule_create(request: HttpRequest, payload: ShippingFeeRuleIn) -> Status:
    rule = services.shipping_fee_rule_create(actor=request_actor(request), **payload.model_dump())
    return Status(201, rule)


@router.get(
    "/shipping-fee-rules/{int:rule_id}", response={200: ShippingFeeRuleOut, **problems(401, 403, 404)}
)
@requires("catalog:read")
def shipping_fee_rule_detail(request: HttpRequest, rule_id: int) -> object:
    return selectors.shipping_fee_rule_get(rule_id=rule_id)


@router.patch(
    "/shipping-fee-rules/{int:rule_id}",
    response={200: ShippingFeeRuleOut, **problems(400, 401, 403, 404, 422)},
)
@requires("catalog:write")
def shipping_fee_rule_update(request: HttpRequest, rule_id: int, payload: ShippingFeeRulePatch) -> object:
    rule = selectors.shipping_fee_rule_get(rule_id=rule_id)
    return services.shipping_fee_rule_update(
        actor=request_actor(request), rule=rule, **payload.model_dump(exclude_unset=True)
    )


# Quotes


@router.post("/pricing/quote", response={200: QuoteOut, **problems(400, 401, 403, 422)})
@requires("catalog:read")
def pricing_quote(request: HttpRequest, payload: QuoteIn) -> dict:
    """What an order would cost on a channel: list prices at the quantity tier, promotions,
    coupons, the shipping fee rule and tax, with an explanation of each discount and of the
    fee. A coupon that cannot be used is listed with the reason (an order presenting it would
    be refused). Writes nothing."""
    return selectors.quote_preview(
        channel_code=payload.channel,
        lines=[
            selectors.PreviewLine(line.sku, line.quantity, line.unit_price, line.discount)
            for line in payload.lines
        ],
        customer_grade=payload.customer_grade,
        customer_id=payload.customer_id,
        region=payload.region,
        coupon_codes=payload.coupon_codes,
        shipping_fee=payload.shipping_fee,
        at=payload.at,
    )
