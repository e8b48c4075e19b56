import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from dingdan.catalog import selectors as catalog
from dingdan.core.schemas import FilterSchema, InputSchema, MoneyIn, RowOut

from .domain import StaffLabel, Status
from .models import OrderPriority, OrderType

CouponCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


class AddressIn(InputSchema):
    recipient: str = Field(..., min_length=1, max_length=100)
    phone: str = Field(..., min_length=3, max_length=32)
    country_code: str = Field("CN", pattern=r"^[A-Z]{2}$")
    province: str = Field("", max_length=64)
    city: str = Field("", max_length=64)
    district: str = Field("", max_length=64)
    street: str = Field(..., min_length=1, max_length=255)
    postal_code: str = Field("", max_length=16)


class LineIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=64, description="SKU code")
    quantity: int = Field(..., ge=1, le=100_000)
    unit_price: MoneyIn | None = Field(None, description="Only with the orders:set_prices scope.")
    discount: MoneyIn = Decimal("0")


class OrderIn(InputSchema):
    channel: str | None = Field(
        None, max_length=32, description="Channel code; defaults to the token's channel."
    )
    external_reference: str = Field("", max_length=64)
    type: OrderType = OrderType.NORMAL
    priority: OrderPriority = OrderPriority.NORMAL
    customer_id: int = Field(..., ge=1, le=2**62)
    shipping_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    lines: list[LineIn] = Field(..., min_length=1, max_length=200)
    shipping_fee: MoneyIn = Decimal("0")
    customer_note: str = Field("", max_length=1000)
    internal_note: str = Field("", max_length=1000)
    submit: bool = Field(True, description="false saves a draft to submit later.")
    coupon_codes: list[CouponCode] = Field(
        default_factory=list,
        max_length=10,
        description="Coupons the customer presents (case does not matter); checked and redeemed "
        "when the order is submitted: an unusable one refuses the order (422, 409 when used up).",
    )


class OrderDraftPatch(InputSchema):
    """The draft fields to change; a field absent (or null) stays as it is."""

    priority: OrderPriority | None = None
    type: OrderType | None = None
    shipping_fee: MoneyIn | None = None
    shipping_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    customer_note: str | None = Field(None, max_length=1000)
    internal_note: str | None = Field(None, max_length=1000)


class NoteIn(InputSchema):
    note: str = Field("", max_length=1000)


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=1000)


class HoldReasonOut(RowOut):
    reason: str
    message: str


class CheckOut(RowOut):
    check: str
    outcome: str
    reason: str
    message: str


class LineOut(RowOut):
    id: int
    line_number: int
    sku: str = Field(..., alias="sku_code")
    name: str
    specs: dict[str, str]
    quantity: int
    unit_price: Decimal
    list_price: Decimal | None
    price_source: str
    discount: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    tax_amount: Decimal
    backorder_quantity: int
    quantity_shipped: int
    quantity_returned: int


class ReservationOut(RowOut):
    line_id: int
    sku_id: int
    warehouse: str
    quantity: int
    status: str


class TimelineEntryOut(RowOut):
    sequence: int
    at: dt.datetime
    action: str
    actor: str
    note: str
    before: dict | None
    after: dict | None


class OrderSummaryOut(Schema):
    id: int
    number: str
    channel: str
    external_reference: str
    type: str
    priority: str
    currency: str
    customer_id: int
    status: str
    payment_status: str
    fulfillment_status: str
    staff_label: str
    total: Decimal
    promised_date: dt.date | None
    created_at: dt.datetime
    version: int


class AppliedPromotionLineOut(Schema):
    line: int = Field(..., description="Line number.")
    amount: Decimal


class AppliedPromotionOut(Schema):
    """A promotion, coupon or shipping fee rule the pricing applied, labelled in the reader's
    language (kind: line_promotion, order_promotion or shipping)."""

    kind: str
    code: str
    coupon_code: str
    reason: str
    label: str
    amount: Decimal
    lines: list[AppliedPromotionLineOut]

    # The order stores reason and parameters; the label is rendered in the reader's language.
    @staticmethod
    def resolve_label(explained: dict[str, Any]) -> str:
        reason, params = explained.get("reason", ""), explained.get("params", {})
        return catalog.explanation_label(reason=reason, params=params)

    @staticmethod
    def resolve_lines(explained: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"line": int(key), "amount": amount} for key, amount in explained.get("lines", [])]


class OrderOut(OrderSummaryOut):
    hold_reasons: list[HoldReasonOut]
    revision: int
    review_owner_id: int | None
    review_due_at: dt.datetime | None
    applied_promotions: list[AppliedPromotionOut]
    coupon_codes: list[str]
    prices_include_tax: bool
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    tax_total: Decimal
    shipping_address: dict
    billing_address: dict
    customer_note: str
    internal_note: str
    submitted_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    available_actions: list[str]
    lines: list[LineOut]
    checks: list[CheckOut]
    reservations: list[ReservationOut]
    timeline: list[TimelineEntryOut]


class OrderFilterIn(FilterSchema):
    status: Status | None = None
    label: StaffLabel | None = Field(
        None,
        description="The staff label (awaiting payment, awaiting shipment, shipped, ...), "
        "derived from the three statuses as each order's staff_label is.",
    )
    channel: str | None = Field(None, max_length=32)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    number: str | None = Field(None, max_length=32)
    external_reference: str | None = Field(None, max_length=64)
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
