import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from dingdan.core.schemas import FilterSchema, InputSchema, MoneyIn

from .models import PickListStatus, ShipmentStatus, TrackingEventKind

Id = Annotated[int, Field(ge=1)]
Units = Annotated[int, Field(ge=0, le=1_000_000)]
PositiveUnits = Annotated[int, Field(ge=1, le=1_000_000)]
WEIGHT = r"^[0-9]{1,5}(\.[0-9]{1,3})?$"
SIZE = r"^[0-9]{1,6}(\.[0-9])?$"


class CarrierOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    tracking_pattern: str
    tracking_url_template: str
    services: list[str]
    adapter: str
    is_active: bool


# Sourcing ---------------------------------------------------------------------------------


class AssignmentOut(Schema):
    line_id: int
    warehouse_id: int
    warehouse: str
    quantity: int


class ReasonOut(Schema):
    rule: str
    params: dict[str, object]


class SourcingPreviewOut(Schema):
    order_id: int
    current: list[AssignmentOut]
    proposed: list[AssignmentOut]
    shortages: list[dict[str, int]]
    explanation: list[ReasonOut]


class AssignmentIn(InputSchema):
    line_id: Id
    warehouse: str = Field(..., min_length=1, max_length=32)
    quantity: PositiveUnits


class SourcingIn(InputSchema):
    """Without assignments the rules choose; with them, staff override (a reason required)."""

    assignments: list[AssignmentIn] | None = Field(None, max_length=400)
    reason: str = Field("", max_length=255)


class SourcingDecisionOut(Schema):
    id: int
    order_id: int
    plan: list[dict[str, int]]
    explanation: list[ReasonOut]
    is_override: bool
    reason: str
    actor: str
    created_at: dt.datetime


# Pick lists -------------------------------------------------------------------------------


class PickListIn(InputSchema):
    warehouse: str = Field(..., min_length=1, max_length=32)
    orders: list[Id] = Field(..., min_length=1, max_length=1000)


class PickLineOut(Schema):
    id: int
    sequence: int
    order_id: int
    order_number: str
    order_line_id: int
    sku_code: str
    name: str
    bin_code: str
    quantity: int
    picked: int | None
    packed: int
    shipped: int


class PickListSummaryOut(Schema):
    id: int
    number: str
    warehouse: str
    kind: str
    status: str
    created_by: str
    picked_by: str
    created_at: dt.datetime


class PickListOut(PickListSummaryOut):
    lines: list[PickLineOut]


class PickListFilter(FilterSchema):
    warehouse: str | None = Field(None, max_length=32)
    status: PickListStatus | None = None


class PickedIn(InputSchema):
    line_id: Id
    picked: Units


class PickConfirmIn(InputSchema):
    """Lines not named were picked in full."""

    lines: list[PickedIn] = Field(default_factory=list, max_length=5000)


# Packing ----------------------------------------------------------------------------------


class ContentIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: PositiveUnits


class PackageIn(InputSchema):
    contents: list[ContentIn] = Field(..., min_length=1, max_length=200)
    weight_kg: str = Field(..., pattern=WEIGHT, description='Kilograms as a decimal string, e.g. "1.250".')
    length_cm: str | None = Field(None, pattern=SIZE)
    width_cm: str | None = Field(None, pattern=SIZE)
    height_cm: str | None = Field(None, pattern=SIZE)


class PackingIn(InputSchema):
    order_id: Id
    packages: list[PackageIn] = Field(..., min_length=1, max_length=50)


class PackageLineOut(Schema):
    order_line_id: int
    sku_code: str
    quantity: int


class PackageOut(Schema):
    id: int
    number: str
    order_id: int
    pick_list_id: int
    warehouse_id: int
    shipment_id: int | None
    weight_kg: Decimal
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    lines: list[PackageLineOut]


# Shipments --------------------------------------------------------------------------------


class ShipmentIn(InputSchema):
    packages: list[Id] = Field(..., min_length=1, max_length=50)
    carrier: str = Field(..., min_length=1, max_length=16)
    service: str = Field("", max_length=32)
    tracking_number: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    cost: MoneyIn = Decimal("0")


class ShipmentLineOut(Schema):
    order_line_id: int
    sku_code: str
    quantity: int


class TrackingEventOut(Schema):
    id: int
    event_id: str
    kind: str
    occurred_at: dt.datetime
    location: str
    description: str
    source: str
    applied: bool


class ShipmentSummaryOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    warehouse: str
    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    cost: Decimal
    currency: str
    status: str
    shipped_at: dt.datetime
    delivered_at: dt.datetime | None
    promised_date: dt.date | None


class ShipmentOut(ShipmentSummaryOut):
    lines: list[ShipmentLineOut]
    packages: list[str]
    events: list[TrackingEventOut]


class ShipmentFilter(FilterSchema):
    order_id: int | None = Field(None, ge=1)
    status: ShipmentStatus | None = None
    carrier: str | None = Field(None, max_length=16)


class TrackingEventIn(InputSchema):
    event_id: str = Field("", max_length=80, description="The carrier's id of the scan; made up when empty.")
    kind: TrackingEventKind
    occurred_at: dt.datetime
    location: str = Field("", max_length=100)
    description: str = Field("", max_length=255)


class RecordedOut(Schema):
    event_id: str
    shipment_id: int
    kind: str
    applied: bool
    duplicate: bool


class UploadOut(Schema):
    recorded: int
    duplicates: int


class AtRiskOut(Schema):
    order_id: int
    number: str
    promised_date: dt.date
    priority: str
    fulfillment_status: str
    reason: str


class AtRiskFilter(FilterSchema):
    horizon_days: int = Field(1, ge=0, le=30)


class DocumentQuery(FilterSchema):
    shipment_id: int | None = Field(None, ge=1)


class PickListPdfQuery(FilterSchema):
    language: str | None = Field(None, pattern=r"^(zh-hans|zh-hant|en)$")
