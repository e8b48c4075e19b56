import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from dingdan.core.schemas import FilterSchema


class TopSkusQuery(FilterSchema):
    since: dt.date = Field(..., description="First business day (company time zone), included.")
    until: dt.date = Field(..., description="Last business day, included.")
    limit: int = Field(10, ge=1, le=100, description="How many SKUs (1-100).")
    channel_id: int | None = Field(None, ge=1, description="One channel's orders only.")


class SkuFiguresOut(Schema):
    sku_code: str
    units: int
    revenue: Decimal = Field(..., description="Sum of the lines' subtotals (the channel's currency).")
    orders: int


class TopSkusOut(Schema):
    since: dt.date
    until: dt.date
    items: list[SkuFiguresOut]
