import datetime as dt

from ninja import Field, Schema

from dingdan.core.schemas import CurrencyCode, FilterSchema, InputSchema

from .models import ChannelKind, ChannelPaymentPolicy, ChannelReviewPolicy

CODE = r"^[a-z0-9][a-z0-9_-]*$"
PREFIX = r"^[A-Z]{1,6}$"


class ChannelIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=100)
    kind: ChannelKind
    number_prefix: str = Field(..., pattern=PREFIX)
    review_policy: ChannelReviewPolicy = ChannelReviewPolicy.AUTO_CONFIRM
    payment_policy: ChannelPaymentPolicy = ChannelPaymentPolicy.PREPAID
    payment_terms_days: int = Field(0, ge=0, le=365)
    sla_hours: int = Field(48, ge=1, le=2000)
    review_sla_hours: int = Field(4, ge=1, le=2000, description="Hours an order may wait for review.")
    currency: CurrencyCode = "CNY"
    is_active: bool = True


class ChannelPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: ChannelKind | None = None
    number_prefix: str | None = Field(None, pattern=PREFIX)
    review_policy: ChannelReviewPolicy | None = None
    payment_policy: ChannelPaymentPolicy | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    sla_hours: int | None = Field(None, ge=1, le=2000)
    review_sla_hours: int | None = Field(None, ge=1, le=2000)
    currency: CurrencyCode | None = None
    is_active: bool | None = None


class ChannelOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    number_prefix: str
    review_policy: str
    payment_policy: str
    payment_terms_days: int
    sla_hours: int
    review_sla_hours: int
    currency: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ChannelFilter(FilterSchema):
    is_active: bool | None = None
    kind: ChannelKind | None = None
