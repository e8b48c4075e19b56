"""Inventory events: past-tense classes in code, `stock.*` types on the wire."""

from dataclasses import dataclass

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class StockLow(Event):
    """Available units (on hand − reserved) of a SKU in a warehouse fell below its reorder
    point. Notifications mails the warehouse's owners (`selectors.warehouse_owner_emails`)."""

    type = "stock.low"
    aggregate_type = "stock"
    warehouse_id: int
    warehouse_code: str
    sku_id: int
    sku_code: str
    available: int
    reorder_point: int
