"""The only writes of the orders context."""

from .placement import LineRequest, OrderRequest, order_create, order_submit, order_update_draft
from .transitions import order_approve, order_cancel, order_hold, order_reject, order_release

__all__ = [
    "LineRequest",
    "OrderRequest",
    "order_approve",
    "order_cancel",
    "order_create",
    "order_hold",
    "order_reject",
    "order_release",
    "order_submit",
    "order_update_draft",
]
