import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from dingdan.core.schemas import FilterSchema, InputSchema, LocalTimeIn, LocalTimeOut

from .models import WarehouseKind, WarehouseRegion
from .services import country_codes

CODE = r"^[a-z0-9][a-z0-9_-]*$"
# The format only: whether the number exists, or the postal code fits the country, is checked
# by the service (422 invalid_phone / invalid_postal_code).
PHONE = r"^(\+?[0-9][0-9 ()-]{3,30})?$"
POSTAL_CODE = r"^[0-9A-Za-z -]{0,16}$"

# Countries whose address formats the service knows, listed so a client can tell a valid code
# from an unknown one without asking the server.
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", json_schema_extra={"enum": list(country_codes())})]


class WarehouseIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=100)
    kind: WarehouseKind = WarehouseKind.OWN
    contact_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=32, pattern=PHONE, description="Stored in E.164.")
    country_code: CountryCode = "CN"
    province: str = Field(..., min_length=1, max_length=64)
    city: str = Field(..., min_length=1, max_length=64)
    district: str = Field("", max_length=64)
    street: str = Field(..., min_length=1, max_length=200)
    postal_code: str = Field("", max_length=16, pattern=POSTAL_CODE)
    region: WarehouseRegion
    priority: int = Field(100, ge=0, le=1000, description="Sourcing tries lower numbers first.")
    is_active: bool = True
    cutoff_time: LocalTimeIn = Field(
        dt.time(16, 0), description="Orders after this local time ship a day later."
    )


class WarehousePatch(InputSchema):
    """Only the given fields change; null leaves a field as it is."""

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: WarehouseKind | None = None
    contact_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=32, pattern=PHONE)
    country_code: CountryCode | None = None
    province: str | None = Field(None, min_length=1, max_length=64)
    city: str | None = Field(None, min_length=1, max_length=64)
    district: str | None = Field(None, max_length=64)
    street: str | None = Field(None, min_length=1, max_length=200)
    postal_code: str | None = Field(None, max_length=16, pattern=POSTAL_CODE)
    region: WarehouseRegion | None = None
    priority: int | None = Field(None, ge=0, le=1000)
    is_active: bool | None = None
    cutoff_time: LocalTimeIn | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    contact_name: str
    phone: str
    country_code: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    region: str
    priority: int
    is_active: bool
    cutoff_time: LocalTimeOut
    created_at: dt.datetime
    updated_at: dt.datetime


class WarehouseFilter(FilterSchema):
    is_active: bool | None = None
    kind: WarehouseKind | None = None
    region: WarehouseRegion | None = None


# Stock ------------------------------------------------------------------------------------

# A SKU's code as the catalog spells it (kept here: inventory does not import catalog models).
SKU_CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
REASON = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # some visible text, no NUL
MAX_ID = 2**62
MAX_QUANTITY = 1_000_000
MovementKind = Literal["receipt", "adjustment", "shipment", "transfer_out", "transfer_in", "return", "count"]

WarehouseCode = Annotated[
    str, Field(min_length=1, max_length=32, pattern=CODE, description="Warehouse code.")
]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=SKU_CODE, description="SKU code.")]


class StockFilter(FilterSchema):
    sku: SkuCode | None = None
    sku_id: int | None = Field(None, ge=1, le=MAX_ID)
    warehouse: WarehouseCode | None = None
    below_reorder_point: bool = Field(
        False, description="Only rows whose available units are at or below their reorder point."
    )
    available_only: bool = Field(False, description="Only rows with units available to reserve.")


class StockOut(Schema):
    sku: str
    sku_id: int
    warehouse: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_sku(level: Any) -> str:
        return str(level.sku.code)

    @staticmethod
    def resolve_warehouse(level: Any) -> str:
        return str(level.warehouse.code)


class MovementFilter(FilterSchema):
    sku: SkuCode | None = None
    sku_id: int | None = Field(None, ge=1, le=MAX_ID)
    warehouse: WarehouseCode | None = None
    kind: MovementKind | None = None


class MovementOut(Schema):
    id: int
    sku: str
    sku_id: int
    warehouse: str
    kind: MovementKind
    quantity: int
    reason: str
    reference: str
    note: str
    actor: str
    at: dt.datetime

    @staticmethod
    def resolve_sku(movement: Any) -> str:
        return str(movement.sku.code)

    @staticmethod
    def resolve_warehouse(movement: Any) -> str:
        return str(movement.warehouse.code)


class ReceiptLineIn(InputSchema):
    sku: SkuCode
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)


class ReceiptIn(InputSchema):
    warehouse: WarehouseCode
    reference: str = Field("", max_length=64, description="E.g. the delivery note or purchase order.")
    note: str = Field("", max_length=255)
    lines: list[ReceiptLineIn] = Field(..., min_length=1, max_length=200)


class ReceiptOut(Schema):
    warehouse: str
    reference: str
    movements: list[MovementOut] = Field(..., description="One receipt per SKU (lines of a SKU merged).")


class AdjustmentIn(InputSchema):
    warehouse: WarehouseCode
    sku: SkuCode
    quantity: int = Field(
        ...,
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="Signed, not 0: a decrease may not take on hand below what is reserved (409).",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: str = Field(..., min_length=1, max_length=64, pattern=REASON, description="Why on hand changes.")
    note: str = Field("", max_length=255)


# Warehouse operations ---------------------------------------------------------------------

BIN_CODE = r"^[A-Z0-9][A-Z0-9-]*$"


class BinIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=BIN_CODE, description="E.g. A-01-02.")


class BinOut(Schema):
    id: int
    code: str
    warehouse_id: int
    is_active: bool


class BinStockIn(InputSchema):
    sku: SkuCode
    quantity: int = Field(
        ...,
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="Signed, not 0: put away into the bin, or take out to no bin.",
        json_schema_extra={"not": {"const": 0}},
    )


class BinStockOut(Schema):
    bin: str
    sku: str
    quantity: int


class TransferIn(InputSchema):
    source: WarehouseCode
    destination: WarehouseCode
    note: str = Field("", max_length=255)
    lines: list[ReceiptLineIn] = Field(..., min_length=1, max_length=200)


class TransferLineOut(Schema):
    sku: str
    quantity: int


class TransferOut(Schema):
    id: int
    number: str
    source: str
    destination: str
    status: str
    note: str
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None
    lines: list[TransferLineOut]


class StockCountIn(InputSchema):
    warehouse: WarehouseCode
    kind: Literal["full", "cycle"]
    reason: str = Field(..., min_length=1, max_length=64, pattern=REASON)
    skus: list[SkuCode] = Field(default_factory=list, max_length=500, description="A cycle count's SKUs.")


class CountedIn(InputSchema):
    sku: SkuCode
    counted: int = Field(..., ge=0, le=MAX_QUANTITY)


class StockCountRecordIn(InputSchema):
    lines: list[CountedIn] = Field(..., min_length=1, max_length=5000)


class StockCountLineOut(Schema):
    sku: str
    expected: int
    counted: int | None


class StockCountOut(Schema):
    id: int
    number: str
    warehouse: str
    kind: str
    status: str
    reason: str
    posted_at: dt.datetime | None
    lines: list[StockCountLineOut]


class ReorderPointIn(InputSchema):
    warehouse: WarehouseCode
    sku: SkuCode
    reorder_point: int | None = Field(..., ge=0, le=MAX_QUANTITY, description="null clears it.")


class OwnersIn(InputSchema):
    user_ids: list[int] = Field(..., max_length=100)


class OwnersOut(Schema):
    warehouse_id: int
    user_ids: list[int]


class LowStockFilter(FilterSchema):
    warehouse: WarehouseCode | None = None
