"""Input and output schemas of /api/v1/events and /api/v1/notifications."""

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from dingdan.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from dingdan.core.schemas import FilterSchema, InputSchema, LocalTimeIn, LocalTimeOut

EVENT_PATTERN = r"^(\*|[a-z][a-z_]*(\.[a-z_]+)*(\.\*)?)$"
EVENT_TYPE_PATTERN = r"^[a-z][a-z_]*(\.[a-z_]+)+$"
Language = Literal["zh-hans", "zh-hant", "en"]
MessageChannel = Literal["email", "sms"]


class FeedQuery(FilterSchema):
    after: str | None = Field(None, max_length=500, description="The `next` cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Page size; values above {MAX_LIMIT} are capped.")
    type: list[str] | None = Field(None, description="Only these event types.")


class EventOut(Schema):
    id: UUID
    type: str
    created: dt.datetime
    aggregate_type: str
    aggregate_id: str
    data: dict[str, Any]


class FeedPage(Schema):
    items: list[EventOut]
    next: str | None = Field(None, description="Pass as `after` to read on; absent when caught up.")


class SubscriptionIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., min_length=8, max_length=500)
    events: list[str] = Field(..., min_length=1, max_length=100)


class SubscriptionPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, min_length=8, max_length=500)
    events: list[str] | None = Field(None, min_length=1, max_length=100)
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    owner: str
    created_at: dt.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(..., description="Shown once: verify each delivery's X-Dingdan-Signature with it.")


class DeliveryFilterIn(FilterSchema):
    subscription_id: int | None = None
    channel: Literal["email", "sms", "webhook"] | None = None
    state: Literal["pending", "sending", "delivered", "failed"] | None = None
    event_id: UUID | None = None


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: str
    status_code: int | None
    error: str
    manual: bool


class DeliveryOut(Schema):
    id: int
    event_id: UUID
    event_type: str
    channel: str
    subscription_id: int | None
    recipient: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_status: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class DeliveryDetailOut(DeliveryOut):
    attempt_log: list[AttemptOut]


class TemplateIn(InputSchema):
    subject: str = Field("", max_length=300)
    text: str = Field(..., min_length=1, max_length=20000)
    html: str = Field("", max_length=100000)


class TemplateOut(Schema):
    channel: str
    event_type: str
    language: str
    subject: str
    text: str
    html: str
    updated_by: str
    updated_at: dt.datetime


class TemplatesOut(Schema):
    default_event_types: list[str]
    overrides: list[TemplateOut]


class PreviewIn(InputSchema):
    channel: MessageChannel = "email"
    event_type: str = Field(..., pattern=EVENT_TYPE_PATTERN, max_length=64)
    language: Language = "zh-hans"
    subject: str | None = Field(None, max_length=300)
    text: str | None = Field(None, max_length=20000)
    html: str | None = Field(None, max_length=100000)
    data: dict[str, Any] | None = Field(None, description="Event data to render with (a sample if absent).")


class PreviewOut(Schema):
    subject: str
    text: str
    html: str


class PreferencesIn(InputSchema):
    notify_email: bool
    notify_sms: bool
    notify_opt_out: bool = False
    notify_muted_events: list[str] = Field(default_factory=list, max_length=100)
    sms_quiet_start: LocalTimeIn | None = None
    sms_quiet_end: LocalTimeIn | None = None


class PreferencesOut(Schema):
    customer_id: int
    notify_email: bool
    notify_sms: bool
    notify_opt_out: bool
    notify_muted_events: list[str]
    sms_quiet_start: LocalTimeOut | None
    sms_quiet_end: LocalTimeOut | None


class LowStockAlertOut(Schema):
    event_id: UUID
    at: dt.datetime
    warehouse_id: int
    warehouse_code: str
    sku_id: int
    sku_code: str
    available: int
    reorder_point: int
    emails_sent: int
