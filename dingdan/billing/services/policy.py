"""The channels' payment policy: unpaid orders of pay-first channels are cancelled after a
configurable time (BILLING["UNPAID_CANCEL_MINUTES"]), which releases their stock and tells
the customer (the orders service emits order.cancelled)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ApplicationError
from dingdan.orders import selectors as orders
from dingdan.orders import services as order_services

from .. import domain
from ..lock_objects import account_for_update
from ..models import Payment
from ._common import config

UNPAID_CANCELLABLE = ("pending_review", "confirmed", "on_hold")
REASON = "unpaid_timeout"


def unpaid_orders_due(*, now: dt.datetime) -> list[int]:
    """Ids of pay-first orders still unpaid past the limit: nothing captured or authorised,
    and no provider payment still waiting for its confirmation."""
    cutoff = now - dt.timedelta(minutes=int(config("UNPAID_CANCEL_MINUTES")))
    waiting = Payment.objects.filter(status=domain.PaymentState.PENDING).values("order_id")
    due = (
        orders.order_list(filters=orders.OrderFilters())
        .filter(
            pay_first=True, payment_status="unpaid", status__in=UNPAID_CANCELLABLE, submitted_at__lt=cutoff
        )
        .exclude(pk__in=waiting)
    )
    return list(due.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def unpaid_order_cancel(*, actor: Actor, order_id: int, now: dt.datetime) -> bool:
    """Cancel one due order, unless a payment arrived meanwhile: the order's account is locked
    first (as every payment does), then the order is checked again. True when cancelled."""
    order = orders.order_get(order_id=order_id)
    account_for_update(order_id=order.pk, customer_id=order.customer_id, currency=order.currency)
    if order_id not in unpaid_orders_due(now=now):
        return False
    order_services.order_cancel(actor=actor, order_id=order_id, reason=REASON)
    return True


def unpaid_orders_cancel(*, actor: Actor, now: dt.datetime | None = None) -> list[int]:
    """Cancel every due order, each in its own transaction; returns the cancelled ids."""
    moment = now or timezone.now()
    cancelled = []
    for order_id in unpaid_orders_due(now=moment):
        try:
            if unpaid_order_cancel(actor=actor, order_id=order_id, now=moment):
                cancelled.append(order_id)
        except ApplicationError:  # changed meanwhile (shipped, cancelled by hand): leave it
            continue
    return cancelled
