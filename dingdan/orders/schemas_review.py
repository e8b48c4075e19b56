"""Schemas of the review queue, check settings, exception cases and amendments."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from dingdan.core.schemas import FilterSchema, InputSchema, MoneyIn

from .models import BlacklistKind, CheckSeverity, ExceptionKind, OrderPriority, OrderType
from .schemas import AddressIn, CheckOut, HoldReasonOut

ROLE_PATTERN = r"^[a-z_]{0,32}$"


# Exception cases ---------------------------------------------------------------------------


class ExceptionOpenIn(InputSchema):
    order_id: int = Field(..., ge=1)
    kind: ExceptionKind
    line_number: int | None = Field(None, ge=1, le=32767)
    note: str = Field("", max_length=2000)
    owner_role: str = Field("", pattern=ROLE_PATTERN, description="A role code, e.g. finance.")
    facts: dict[str, Any] | None = None
    due_at: dt.datetime | None = None


class ExceptionAssignIn(InputSchema):
    owner_id: int | None = Field(None, ge=1)
    owner_role: str | None = Field(None, pattern=ROLE_PATTERN)
    due_at: dt.datetime | None = None


class ExceptionNoteIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=2000)


class ExceptionResolveIn(InputSchema):
    resolution: str = Field(
        ...,
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="For a stock shortage, the code of one of the options offered.",
    )
    note: str = Field("", max_length=2000)


class ExceptionCancelIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ExceptionNoteOut(Schema):
    at: dt.datetime
    by: str
    text: str


class ShortageOptionOut(Schema):
    code: str
    label: str
    details: dict[str, Any]


class ExceptionSummaryOut(Schema):
    id: int
    order_id: int
    order_number: str
    line_number: int | None
    kind: str
    status: str
    owner_id: int | None
    owner: str
    owner_role: str
    due_at: dt.datetime | None
    is_overdue: bool
    resolution: str
    created_at: dt.datetime
    version: int


class ExceptionOut(ExceptionSummaryOut):
    facts: dict[str, Any]
    resolution_note: str
    opened_by: str
    closed_at: dt.datetime | None
    notes: list[ExceptionNoteOut]
    options: list[ShortageOptionOut]


class ExceptionFilterIn(FilterSchema):
    status: str | None = Field(None, pattern=r"^(open|in_progress|resolved|cancelled)$")
    kind: ExceptionKind | None = None
    order_id: int | None = Field(None, ge=1)
    owner_id: int | None = Field(None, ge=1)
    owner_role: str | None = Field(None, pattern=ROLE_PATTERN)
    is_open: bool | None = None
    is_overdue: bool | None = None


# Review queue -------------------------------------------------------------------------------


class QueueEntryOut(Schema):
    id: int
    number: str
    channel: str
    status: str
    type: str
    priority: str
    customer_id: int
    customer_grade: str
    total: Decimal
    currency: str
    submitted_at: dt.datetime | None
    owner_id: int | None
    owner: str
    due_at: dt.datetime | None
    is_overdue: bool
    reasons: list[HoldReasonOut]
    version: int


class QueueFilterIn(FilterSchema):
    status: str | None = Field(None, pattern=r"^(pending_review|on_hold)$")
    channel: str | None = Field(None, max_length=32)
    owner_id: int | None = Field(None, ge=1)
    is_overdue: bool | None = None
    is_unassigned: bool | None = None


class AssignIn(InputSchema):
    owner_id: int | None = Field(..., ge=1, description="The colleague; null hands the order back.")
    due_at: dt.datetime | None = None


class ClassifyIn(InputSchema):
    type: OrderType | None = None
    priority: OrderPriority | None = None
    customer_grade: str | None = Field(None, pattern=r"^[a-z_]{1,32}$")
    note: str = Field(..., min_length=1, max_length=1000)


# Check settings and blacklist -------------------------------------------------------------------


class CheckSettingOut(Schema):
    check: str
    label: str
    is_enabled: bool
    severity: str
    params: dict[str, Any]


class CheckSettingIn(InputSchema):
    is_enabled: bool | None = None
    severity: CheckSeverity | None = None
    params: dict[str, Any] | None = None


class BlacklistIn(InputSchema):
    kind: BlacklistKind
    value: str | None = Field(None, min_length=1, max_length=255, description="Phone, e-mail or customer id.")
    address: AddressIn | None = None
    reason: str = Field("", max_length=255)


class BlacklistFilterIn(FilterSchema):
    kind: BlacklistKind | None = None
    is_active: bool | None = None


class BlacklistOut(Schema):
    id: int
    kind: str
    value: str
    reason: str
    is_active: bool
    created_by: str
    created_at: dt.datetime


# Amendments -----------------------------------------------------------------------------------


class ChangeOperationIn(InputSchema):
    op: str = Field(
        ...,
        pattern=r"^(add_line|remove_line|set_quantity|set_price|set_shipping_address|cancel_order)$",
        description="add_line, remove_line, set_quantity, set_price, set_shipping_address or cancel_order",
    )
    line_number: int | None = Field(None, ge=1, le=32767)
    sku: str | None = Field(None, min_length=1, max_length=64)
    quantity: int | None = Field(None, ge=1, le=100_000)
    unit_price: MoneyIn | None = None
    address: AddressIn | None = None
    reason: str = Field("", max_length=1000)


class ChangeRequestIn(InputSchema):
    operations: list[ChangeOperationIn] = Field(..., min_length=1, max_length=200)
    note: str = Field("", max_length=1000)


class StockDeltaOut(Schema):
    sku: str
    reserve: int
    release: int
    is_coverable: bool


class PreviewOut(Schema):
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    tax_total: Decimal
    total: Decimal
    previous_total: Decimal
    payment_due: Decimal
    refund_due: Decimal
    stock: list[StockDeltaOut]
    failing_checks: list[CheckOut]
    problems: list[HoldReasonOut]
    is_feasible: bool


class ChangeRequestOut(Schema):
    id: int
    order_id: int
    status: str
    base_version: int
    operations: list[dict[str, Any]]
    note: str
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    revision: int | None
    preview: PreviewOut | None


class RevisionOut(Schema):
    revision: int
    snapshot: dict[str, Any]
    created_by: str
    created_at: dt.datetime
