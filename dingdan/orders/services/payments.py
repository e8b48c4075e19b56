"""The order's payment status, as billing derives it from payments and refunds.

The status is never set by hand: billing computes it from the order's money (paid = captured
− refunded) whenever a payment or refund changes, and records it here in the same transaction.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor

from .. import domain, events
from ..exceptions import InvalidOrder
from ..lock_objects import order_for_update
from ..models import Order
from .common import audit, emit, order_state, save


@transaction.atomic
def order_payment_status_record(
    *, actor: Actor, order_id: int, payment_status: str, paid: Decimal, note: str = ""
) -> Order:
    """Record the payment status billing derived (`paid`: captured − refunded). Raises
    OrderNotFound, or InvalidOrder for a value that is not a payment status. An unchanged
    status writes nothing; a change bumps the version, is audited and emits
    order.payment_status_changed."""
    if payment_status not in {s.value for s in domain.PaymentStatus}:
        message = _("Not a payment status: %(value)s") % {"value": payment_status}
        raise InvalidOrder(errors=[{"field": "payment_status", "message": message, "code": "invalid"}])
    order = order_for_update(order_id)
    if order.payment_status == payment_status:
        return order
    before = order_state(order)
    order.payment_status = payment_status
    save(order, ["payment_status"])
    audit(order, action="payment_status_changed", actor=actor, before=before, note=note)
    emit(events.OrderPaymentStatusChanged, order, payment_status=payment_status, paid=str(paid))
    return order
