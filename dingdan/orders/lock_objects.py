"""Named row locks of the orders context.

An order is locked before anything it owns (lines, reservations, stock rows), so two
actions on one order serialise, and stock rows are always taken after the order row in
ascending (SKU, warehouse) order by inventory. `select_for_update` is a no-op on SQLite,
where IMMEDIATE transactions serialise writers instead.
"""

from .exceptions import OrderNotFound
from .models import Order


def order_for_update(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order
