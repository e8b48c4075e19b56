"""The only writes of the inventory context."""

from ..domain import Demand
from .stock import (
    Allocation,
    StockLine,
    reservations_release,
    stock_adjust,
    stock_receive,
    stock_reserve,
)
from .warehouses import country_codes, warehouse_create, warehouse_update

__all__ = [
    "Allocation",
    "Demand",
    "StockLine",
    "country_codes",
    "reservations_release",
    "stock_adjust",
    "stock_receive",
    "stock_reserve",
    "warehouse_create",
    "warehouse_update",
]
