import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from ninja import Field, Schema
from pydantic import GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from dingdan.core.schemas import CurrencyCode, FilterSchema, InputSchema, MoneyIn, RateIn

from .models import CODE_PATTERN, GRADE_PATTERN, ITEM_CODE_PATTERN, PriceList, PriceListItem, Sku, Unit

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
