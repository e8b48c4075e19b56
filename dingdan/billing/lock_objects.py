"""Named row locks of the billing context.

Lock order: a payment (or refund), then its order's money account (locked, or changed by a
conditional UPDATE, which locks it too), then the order row, which the orders service locks
when billing records the derived payment status. Every billing path takes them in this order,
so two of them never wait on each other in opposite orders. `select_for_update` is a no-op
on SQLite, where IMMEDIATE transactions serialise writers instead.
"""

from django.db import IntegrityError, transaction

from .exceptions import PaymentNotFound, RefundNotFound
from .models import OrderAccount, Payment, Refund


def account_for_update(*, order_id: int, customer_id: int, currency: str) -> OrderAccount:
    """The order's account, locked; created on first use (a concurrent creation waits on the
    unique order id and then reads the winner's row)."""
    account = OrderAccount.objects.select_for_update().filter(order_id=order_id).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            OrderAccount.objects.create(order_id=order_id, customer_id=customer_id, currency=currency)
    except IntegrityError:
        pass
    return OrderAccount.objects.select_for_update().get(order_id=order_id)


def payment_for_update(payment_id: int) -> Payment:
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def refund_for_update(refund_id: int) -> Refund:
    refund = Refund.objects.select_for_update().filter(pk=refund_id).first()
    if refund is None:
        raise RefundNotFound()
    return refund
