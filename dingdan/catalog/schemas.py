import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from ninja import Field, Schema
from pydantic import GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from dingdan.core.schemas import CurrencyCode, FilterSchema, InputSchema, MoneyIn, RateIn

from .models import (
    CODE_PATTERN,
    GRADE_PATTERN,
    ITEM_CODE_PATTERN,
    PriceList,
    PriceListItem,
    Promotion,
    PromotionKind,
    PromotionScope,
    PromotionTarget,
    ShippingFeeRule,
    Sku,
    Unit,
)

BARCODE = r"^[0-9A-Za-z-]*$"
Specs = dict[str, str]


def _without_null(prop: dict[str, Any]) -> None:
    branches = [branch for branch in prop.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1 and len(prop["anyOf"]) == 2:
        del prop["anyOf"]
        prop.update(branches[0])
    if prop.get("default", ...) is None:
        del prop["default"]


class PatchSchema(InputSchema):
    """A partial update: fields left out stay as they are. null is accepted only by the fields
    in `clearable`, where it clears the value; elsewhere it is refused (422), and the published
    schema does not offer it."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_it_clears(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise PydanticCustomError("null_not_allowed", "Leave the field out to keep its value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = super().__get_pydantic_json_schema__(schema, handler)
        for name, prop in handler.resolve_ref_schema(json_schema).get("properties", {}).items():
            if name not in cls.clearable:
                _without_null(prop)
        return json_schema


class TaxRateIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE_PATTERN)
    name: str = Field(..., min_length=1, max_length=100)
    rate: RateIn
    is_active: bool = True


class TaxRatePatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    rate: RateIn | None = None
    is_active: bool | None = None


class TaxRateOut(Schema):
    id: int
    code: str
    name: str
    rate: Decimal
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class TaxRateFilter(FilterSchema):
    is_active: bool | None = None


class SkuIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=64, pattern=ITEM_CODE_PATTERN)
    tax_rate: str = Field(..., min_length=1, max_length=32, description="The tax rate's code, e.g. vat13.")
    barcode: str = Field("", max_length=64, pattern=BARCODE)
    specs: Specs = Field(default_factory=dict, examples=[{"颜色": "黑色", "尺寸": "M"}])
    unit: Unit | None = Field(None, description="Default: the product's unit.")
    weight_grams: int | None = Field(None, ge=0, le=10_000_000)
    is_active: bool = True


class SkuPatch(PatchSchema):
    clearable = frozenset({"barcode", "weight_grams"})

    tax_rate: str | None = Field(None, min_length=1, max_length=32)
    barcode: str | None = Field(None, max_length=64, pattern=BARCODE)
    specs: Specs | None = None
    unit: Unit | None = None
    weight_grams: int | None = Field(None, ge=0, le=10_000_000)
    is_active: bool | None = None


class SkuOut(Schema):
    id: int
    product_id: int
    product_code: str = Field(..., alias="product.code")
    code: str
    barcode: str
    specs: Specs
    unit: str
    tax_rate: str = Field(..., alias="tax_rate.code")
    weight_grams: int | None
    is_active: bool
    is_sellable: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class SkuFilter(FilterSchema):
    code: str | None = None
    barcode: str | None = None
    product: int | None = Field(None, description="Product id.")
    q: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class ProductIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=64, pattern=ITEM_CODE_PATTERN)
    name: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=10_000)
    category: str = Field("", max_length=100)
    brand: str = Field("", max_length=100)
    unit: Unit = Unit.PIECE
    is_active: bool = True
    skus: list[SkuIn] = Field(default_factory=list, max_length=200)


class ProductPatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    category: str | None = Field(None, max_length=100)
    brand: str | None = Field(None, max_length=100)
    unit: Unit | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    category: str
    brand: str
    unit: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductDetailOut(ProductOut):
    skus: list[SkuOut]

    @staticmethod
    def resolve_skus(product: object) -> list[Sku]:
        return list(product.skus.all())  # type: ignore[attr-defined]


class ProductFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="Part of a code or name, or a barcode.")
    category: str | None = None
    brand: str | None = None
    is_active: bool | None = None


class PriceListItemIn(InputSchema):
    sku_code: str = Field(..., min_length=1, max_length=64)
    price: MoneyIn
    min_quantity: int = Field(1, ge=1, le=1_000_000)


class PriceListItemsIn(InputSchema):
    items: list[PriceListItemIn] = Field(..., max_length=5000)
    replace: bool = Field(False, description="Remove the list's prices that are not given.")


class PriceListIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE_PATTERN)
    name: str = Field(..., min_length=1, max_length=100)
    channel: str | None = Field(None, max_length=32, description="A channel code; empty: every channel.")
    customer_grade: str = Field("", max_length=32, pattern=GRADE_PATTERN, description="Empty: every grade.")
    currency: CurrencyCode = "CNY"
    prices_include_tax: bool = True
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    priority: int = Field(0, ge=-1000, le=1000)
    is_active: bool = True
    items: list[PriceListItemIn] = Field(default_factory=list, max_length=5000)


class PriceListPatch(PatchSchema):
    clearable = frozenset({"channel", "valid_from", "valid_to"})

    name: str | None = Field(None, min_length=1, max_length=100)
    channel: str | None = Field(None, max_length=32)
    customer_grade: str | None = Field(None, max_length=32, pattern=GRADE_PATTERN)
    currency: CurrencyCode | None = None
    prices_include_tax: bool | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    priority: int | None = Field(None, ge=-1000, le=1000)
    is_active: bool | None = None


class PriceListItemOut(Schema):
    id: int
    sku_id: int
    sku_code: str = Field(..., alias="sku.code")
    price: Decimal
    min_quantity: int


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    channel_id: int | None
    channel: str | None
    customer_grade: str
    currency: str
    prices_include_tax: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    priority: int
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_channel(price_list: PriceList) -> str | None:
        return price_list.channel.code if price_list.channel else None


class PriceListDetailOut(PriceListOut):
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(price_list: PriceList) -> list[PriceListItem]:
        return list(price_list.items.all())


class PriceListFilter(FilterSchema):
    currency: CurrencyCode | None = None
    channel: int | None = Field(None, description="Channel id: that channel's own lists.")
    is_active: bool | None = None


# Promotions, coupons, shipping fee rules, quotes

CouponCodeIn = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
ScopeCode = Annotated[str, Field(min_length=1, max_length=100)]
Province = Annotated[str, Field(min_length=1, max_length=64)]


def _channel_code(obj: Any) -> str | None:
    return obj.channel.code if obj.channel else None


class PromotionIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE_PATTERN)
    name: str = Field(..., min_length=1, max_length=100)
    kind: PromotionKind = Field(..., description="percent_off, amount_off, buy_x_get_y or threshold_off.")
    target: PromotionTarget = Field(
        ..., description="order or line; threshold_off is for orders, buy_x_get_y for lines."
    )
    scope: PromotionScope = PromotionScope.ALL
    scope_codes: list[ScopeCode] = Field(
        default_factory=list, max_length=500, description="SKU codes, product codes or categories."
    )
    percent: RateIn = Field(Decimal("0"), description="For percent_off: 0.15 is 15 % off.")
    amount: MoneyIn = Field(Decimal("0"), description="Per unit (line target) or per order.")
    min_subtotal: MoneyIn = Field(Decimal("0"), description="Minimum spend in scope (threshold_off: N).")
    buy_quantity: int = Field(0, ge=0, le=1000)
    get_quantity: int = Field(0, ge=0, le=1000)
    priority: int = Field(0, ge=-1000, le=1000, description="Higher applies first.")
    stackable: bool = Field(True, description="false: exclusive (see the pricing rules).")
    requires_coupon: bool = False
    channel: str | None = Field(None, max_length=32, description="A channel code; empty: every channel.")
    customer_grade: str = Field("", max_length=32, pattern=GRADE_PATTERN, description="Empty: every grade.")
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = Field(None, description="Exclusive.")
    is_active: bool = True


class PromotionPatch(PatchSchema):
    clearable = frozenset({"channel", "valid_from", "valid_to"})

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: PromotionKind | None = None
    target: PromotionTarget | None = None
    scope: PromotionScope | None = None
    scope_codes: list[ScopeCode] | None = Field(None, max_length=500)
    percent: RateIn | None = None
    amount: MoneyIn | None = None
    min_subtotal: MoneyIn | None = None
    buy_quantity: int | None = Field(None, ge=0, le=1000)
    get_quantity: int | None = Field(None, ge=0, le=1000)
    priority: int | None = Field(None, ge=-1000, le=1000)
    stackable: bool | None = None
    requires_coupon: bool | None = None
    channel: str | None = Field(None, max_length=32)
    customer_grade: str | None = Field(None, max_length=32, pattern=GRADE_PATTERN)
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    is_active: bool | None = None


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    target: str
    scope: str
    scope_codes: list[str]
    percent: Decimal
    amount: Decimal
    min_subtotal: Decimal
    buy_quantity: int
    get_quantity: int
    priority: int
    stackable: bool
    requires_coupon: bool
    channel: str | None
    customer_grade: str
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_channel(promotion: Promotion) -> str | None:
        return _channel_code(promotion)


class PromotionFilter(FilterSchema):
    channel: int | None = Field(None, description="Channel id: that channel's own promotions.")
    kind: PromotionKind | None = None
    is_active: bool | None = None


class CouponIn(InputSchema):
    code: CouponCodeIn = Field(..., description="Kept in capitals; compared without case.")
    promotion: str = Field(..., min_length=1, max_length=32, description="The promotion's code.")
    usage_limit: int | None = Field(None, ge=1, le=100_000_000, description="Empty: unlimited.")
    per_customer_limit: int | None = Field(None, ge=1, le=100_000, description="Empty: unlimited.")
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = Field(None, description="Exclusive.")
    is_active: bool = True


class CouponPatch(PatchSchema):
    clearable = frozenset({"usage_limit", "per_customer_limit", "valid_from", "valid_to"})

    usage_limit: int | None = Field(None, ge=1, le=100_000_000)
    per_customer_limit: int | None = Field(None, ge=1, le=100_000)
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    is_active: bool | None = None


class CouponOut(Schema):
    id: int
    code: str
    promotion: str = Field(..., alias="promotion.code")
    usage_limit: int | None
    per_customer_limit: int | None
    used_count: int
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CouponFilter(FilterSchema):
    promotion: int | None = Field(None, description="Promotion id.")
    is_active: bool | None = None


class ShippingFeeRuleIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE_PATTERN)
    name: str = Field(..., min_length=1, max_length=100)
    channel: str | None = Field(None, max_length=32, description="A channel code; empty: every channel.")
    regions: list[Province] = Field(default_factory=list, max_length=100, description="Empty: everywhere.")
    base_fee: MoneyIn = Decimal("0")
    included_grams: int = Field(0, ge=0, le=10_000_000, description="Weight the base fee covers.")
    fee_per_kg: MoneyIn = Field(Decimal("0"), description="Per started kilogram above it.")
    free_above: MoneyIn | None = Field(None, description="Goods worth this much ship free.")
    priority: int = Field(0, ge=-1000, le=1000, description="Higher wins.")
    is_active: bool = True


class ShippingFeeRulePatch(PatchSchema):
    clearable = frozenset({"channel", "free_above"})

    name: str | None = Field(None, min_length=1, max_length=100)
    channel: str | None = Field(None, max_length=32)
    regions: list[Province] | None = Field(None, max_length=100)
    base_fee: MoneyIn | None = None
    included_grams: int | None = Field(None, ge=0, le=10_000_000)
    fee_per_kg: MoneyIn | None = None
    free_above: MoneyIn | None = None
    priority: int | None = Field(None, ge=-1000, le=1000)
    is_active: bool | None = None


class ShippingFeeRuleOut(Schema):
    id: int
    code: str
    name: str
    channel: str | None
    regions: list[str]
    base_fee: Decimal
    included_grams: int
    fee_per_kg: Decimal
    free_above: Decimal | None
    priority: int
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_channel(rule: ShippingFeeRule) -> str | None:
        return _channel_code(rule)


class ShippingFeeRuleFilter(FilterSchema):
    channel: int | None = Field(None, description="Channel id: that channel's own rules.")
    is_active: bool | None = None


class QuoteLineIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=64, description="SKU code")
    quantity: int = Field(..., ge=1, le=100_000)
    unit_price: MoneyIn | None = Field(None, description="A supplied price (it takes no promotion).")
    discount: MoneyIn = Decimal("0")


class QuoteIn(InputSchema):
    channel: str = Field(..., min_length=1, max_length=32, description="Channel code.")
    customer_grade: str = Field("", max_length=32, pattern=GRADE_PATTERN)
    customer_id: int | None = Field(None, ge=1, le=2**62, description="For per-customer coupon limits.")
    region: str = Field("", max_length=64, description="The shipping province.")
    lines: list[QuoteLineIn] = Field(..., min_length=1, max_length=200)
    coupon_codes: list[CouponCodeIn] = Field(default_factory=list, max_length=10)
    shipping_fee: MoneyIn = Field(Decimal("0"), description="Charged when no shipping fee rule applies.")
    at: dt.datetime | None = Field(None, description="The moment to price at; default now.")


class QuotedLineOut(Schema):
    line: int
    sku: str
    quantity: int
    unit_price: Decimal
    price_source: str
    list_price: Decimal | None
    amount: Decimal
    manual_discount: Decimal
    promotion_discount: Decimal
    subtotal: Decimal
    order_discount_share: Decimal
    tax: Decimal


class ExplanationLineOut(Schema):
    line: int
    amount: Decimal


class ExplanationOut(Schema):
    kind: str = Field(..., description="line_promotion, order_promotion or shipping.")
    code: str
    coupon_code: str
    reason: str
    label: str
    amount: Decimal
    lines: list[ExplanationLineOut]


class RejectedCouponOut(Schema):
    code: str
    reason: str
    message: str


class QuoteOut(Schema):
    currency: str
    prices_include_tax: bool
    lines: list[QuotedLineOut]
    subtotal: Decimal
    line_discount_total: Decimal
    order_discount: Decimal
    shipping_fee: Decimal
    shipping_rule: str | None
    tax_total: Decimal
    total: Decimal
    explanations: list[ExplanationOut]
    applied_coupons: list[str]
    rejected_coupons: list[RejectedCouponOut]
