"""The only writes of the inventory context."""

from ..domain import Demand
from .low import low_stock_emit
from .operations import (
    bin_create,
    bin_stock_put,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_reorder_point_set,
    transfer_create,
    transfer_receive,
    warehouse_owners_set,
)
from .outbound import Placement, ShipLine, reservations_replace, stock_ship
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
    "Placement",
    "ShipLine",
    "StockLine",
    "bin_create",
    "bin_stock_put",
    "country_codes",
    "low_stock_emit",
    "reservations_release",
    "reservations_replace",
    "stock_adjust",
    "stock_count_open",
    "stock_count_post",
    "stock_count_record",
    "stock_receive",
    "stock_reorder_point_set",
    "stock_reserve",
    "stock_ship",
    "transfer_create",
    "transfer_receive",
    "warehouse_create",
    "warehouse_owners_set",
    "warehouse_update",
]
