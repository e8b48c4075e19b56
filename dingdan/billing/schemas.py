"""Request and response bodies of the billing API. Money travels as decimal strings."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from dingdan.core.schemas import CurrencyCode, FilterSchema, InputSchema, MoneyIn

from .domain import Method, PaymentState, RefundKind, RefundState


class PaymentIn(InputSchema):
    method: Method
    amount: MoneyIn
    currency: CurrencyCode | None = Field(None, description="Defaults to the order's; must be it.")
    reference: str = Field("", max_length=64, description="Bank or provider reference the payer used.")
    payer: str = Field("", max_length=200)
    received_at: dt.datetime | None = Field(None, description="When the money arrived (staff methods).")
    provider: str = Field("sandbox", max_length=32, description="Provider methods: the provider's code.")
    capture: bool = Field(True, description="Card: capture with the authorisation (false: capture later).")


class CaptureIn(InputSchema):
    amount: MoneyIn | None = None


class PaymentOut(Schema):
    id: int
    order_id: int
    customer_id: int
    method: str
    status: str
    amount: Decimal
    captured_amount: Decimal
    currency: str
    reference: str
    payer: str
    received_at: dt.datetime
    provider: str
    provider_reference: str
    failure_reason: str
    created_at: dt.datetime


class PaymentFilterIn(FilterSchema):
    order_id: int | None = Field(None, ge=1)
    customer_id: int | None = Field(None, ge=1)
    status: PaymentState | None = None
    method: Method | None = None


class NotificationOut(Schema):
    outcome: str


class OrderMoneyOut(Schema):
    order_id: int
    currency: str
    total: Decimal
    authorized: Decimal
    captured: Decimal
    refunded: Decimal
    refund_pending: Decimal
    paid: Decimal
    balance_due: Decimal
    refundable: Decimal
    payment_status: str


class RefundLineIn(InputSchema):
    line_number: int = Field(..., ge=1, le=10_000)
    quantity: int = Field(..., ge=1, le=100_000)
    amount: MoneyIn


class RefundIn(InputSchema):
    amount: MoneyIn
    kind: RefundKind
    reason: str = Field("", max_length=500)
    lines: list[RefundLineIn] = Field(default_factory=list, max_length=200)
    payment_id: int | None = Field(None, ge=1)


class RefundLineOut(Schema):
    line_number: int
    quantity: int
    amount: Decimal


class RefundOut(Schema):
    id: int
    order_id: int
    customer_id: int
    payment_id: int | None
    kind: str
    status: str
    amount: Decimal
    currency: str
    reason: str
    lines: list[RefundLineOut]
    requested_by: str
    decided_by: str
    decided_at: dt.datetime | None
    provider_reference: str
    failure_reason: str
    created_at: dt.datetime


class RefundFilterIn(FilterSchema):
    order_id: int | None = Field(None, ge=1)
    customer_id: int | None = Field(None, ge=1)
    status: RefundState | None = None
    kind: RefundKind | None = None


class DecisionIn(InputSchema):
    note: str = Field("", max_length=500)


class RejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class InvoiceIn(InputSchema):
    scope: Literal["whole", "shipped"] = "whole"
    invoice_type: Literal["normal", "special"] = "normal"


class CreditLineIn(InputSchema):
    position: int = Field(..., ge=1, le=10_000)
    quantity: int = Field(0, ge=0, le=100_000)
    amount: MoneyIn | None = Field(None, description="A price correction instead of units.")


class CreditNoteIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)
    lines: list[CreditLineIn] | None = Field(
        None, max_length=200, description="Absent: credit everything left."
    )


class InvoiceLineOut(Schema):
    position: int
    order_line_number: int | None
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class BuyerOut(Schema):
    name: str = ""
    invoice_title: str = ""
    taxpayer_id: str = ""
    bank_name: str = ""
    bank_account: str = ""
    registered_address: str = ""
    registered_phone: str = ""


class InvoiceSummaryOut(Schema):
    id: int
    number: str
    kind: str
    invoice_type: str
    basis: str
    scope: str
    order_id: int
    customer_id: int
    credited_invoice_id: int | None
    currency: str
    prices_include_tax: bool
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    issued_at: dt.datetime
    issued_by: str


class InvoiceOut(InvoiceSummaryOut):
    reason: str
    buyer: BuyerOut
    lines: list[InvoiceLineOut]


class InvoiceFilterIn(FilterSchema):
    order_id: int | None = Field(None, ge=1)
    customer_id: int | None = Field(None, ge=1)
    kind: Literal["invoice", "credit_note"] | None = None


class CreditOut(Schema):
    customer_id: int
    credit_limit: Decimal
    credit_hold: bool
    open_receivables: Decimal
    available: Decimal


class CreditHoldIn(InputSchema):
    hold: bool
    reason: str = Field("", max_length=500)


class AgeingRowOut(Schema):
    customer_id: int
    customer_name: str
    currency: str
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal


class AgeingFilterIn(FilterSchema):
    customer_id: int | None = Field(None, ge=1)
    on: dt.date | None = Field(None, description="The day to age on; today by default.")


class StatementLineOut(Schema):
    id: int
    row_number: int
    value_date: dt.date
    amount: Decimal
    currency: str
    reference: str
    payer: str
    status: str
    payment_id: int | None
    confidence: Decimal
    match_reasons: list[str]
    matched_by: str


class StatementOut(Schema):
    id: int
    source: str
    filename: str
    imported_at: dt.datetime
    imported_by: str
    counts: dict[str, int]
    incoming_lines: int
    match_rate: Decimal
    lines: list[StatementLineOut]
    unmatched_payments: list[PaymentOut]


class MatchIn(InputSchema):
    payment_id: int = Field(..., ge=1, le=2**62)


class ExportFilterIn(FilterSchema):
    start: dt.date = Field(..., description="First business day of the period.")
    end: dt.date = Field(..., description="Last business day of the period (inclusive).")
    format: Literal["csv", "xlsx"] = "csv"
