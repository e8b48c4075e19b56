"""The only writes of the orders context."""

from .amendments import (
    Preview,
    change_request_commit,
    change_request_discard,
    change_request_preview,
    change_request_stage,
)
from .cases import (
    exception_assign,
    exception_cancel,
    exception_note_add,
    exception_open,
    exception_resolve,
)
from .fulfillment import (
    BackorderedLine,
    OrderNotShippable,
    ShippedExceedsOrdered,
    backordered_lines,
    order_backorders_allocate,
    order_delivery_record,
    order_for_fulfilment,
    order_line_backorder_cover,
    order_lines_ship,
    orders_for_fulfilment,
)
from .payments import order_payment_status_record
from .placement import (
    LineRequest,
    OrderRequest,
    Placement,
    order_create,
    order_place,
    order_submit,
    order_update_draft,
)
from .queue import (
    blacklist_add,
    blacklist_remove,
    check_setting_set,
    order_assign,
    order_classify,
)
from .transitions import order_approve, order_cancel, order_hold, order_reject, order_release

__all__ = [
    "BackorderedLine",
    "LineRequest",
    "OrderNotShippable",
    "OrderRequest",
    "Placement",
    "Preview",
    "ShippedExceedsOrdered",
    "backordered_lines",
    "blacklist_add",
    "blacklist_remove",
    "change_request_commit",
    "change_request_discard",
    "change_request_preview",
    "change_request_stage",
    "check_setting_set",
    "exception_assign",
    "exception_cancel",
    "exception_note_add",
    "exception_open",
    "exception_resolve",
    "order_approve",
    "order_assign",
    "order_backorders_allocate",
    "order_cancel",
    "order_classify",
    "order_create",
    "order_delivery_record",
    "order_for_fulfilment",
    "order_hold",
    "order_line_backorder_cover",
    "order_lines_ship",
    "order_payment_status_record",
    "order_place",
    "order_reject",
    "order_release",
    "order_submit",
    "order_update_draft",
    "orders_for_fulfilment",
]
