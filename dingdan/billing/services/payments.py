"""Payments: recorded by staff (bank transfer, cash on delivery, account credit) or run through
a provider (Alipay, WeChat Pay, card) that confirms them by signed notification.

Every change of a payment moves the order's money account with F() updates under the account
lock and records the derived payment status on the order in the same transaction.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.money import ZERO, quantize
from dingdan.core.outbox import outbox_emit
from dingdan.orders import selectors as orders

from .. import domain, events
from ..exceptions import (
    InvalidPayment,
    InvalidPaymentTransition,
    OrderNotPayable,
    PaymentExceedsBalance,
)
from ..lock_objects import account_for_update, payment_for_update
from ..models import OrderAccount, Payment, ProviderNotification
from ..providers import Notification, provider_get
from ._common import OPEN_STATUSES, account_state, audit, sync_order

M, P = domain.Method, domain.PaymentState
PAYMENT_FIELDS = ["status", "amount", "captured_amount", "provider_reference", "failure_reason"]


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: Decimal
    currency: str | None = None
    reference: str = ""
    payer: str = ""
    received_at: dt.datetime | None = None
    provider: str = "sandbox"
    capture: bool = True  # provider payments: capture with the authorisation


def _state(payment: Payment) -> dict[str, Any]:
    return {name: str(getattr(payment, name)) for name in PAYMENT_FIELDS}


def _emit(event_class: type[events.PaymentEvent], payment: Payment, **extra: Any) -> None:
    outbox_emit(
        event_class(
            aggregate_id=str(payment.pk),
            channel_id=orders.order_channel_id(order_id=payment.order_id),
            order_id=payment.order_id,
            method=payment.method,
            status=payment.status,
            amount=str(payment.amount),
            currency=payment.currency,
            **extra,
        )
    )


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _validate(order: Any, request: PaymentRequest) -> None:
    errors = []
    if request.method not in {m.value for m in M}:
        errors.append(_error("method", _("Unknown payment method."), "invalid"))
    if request.amount <= ZERO or quantize(request.amount, order.currency) != request.amount:
        errors.append(
            _error("amount", _("The amount must be positive, in the currency's minor unit."), "invalid")
        )
    if request.currency and request.currency != order.currency:
        message = _("The order is in %(currency)s.") % {"currency": order.currency}
        errors.append(_error("currency", message, "currency_mismatch"))
    if request.received_at and request.received_at > timezone.now() + dt.timedelta(minutes=5):
        errors.append(_error("received_at", _("The payment cannot be received in the future."), "future"))
    if errors:
        raise InvalidPayment(errors=errors)
    if order.status not in OPEN_STATUSES:
        raise OrderNotPayable()


def _outstanding(order: Any, account: OrderAccount) -> Decimal:
    return order.total - (account.captured - account.refunded) - account.authorized


@transaction.atomic
def payment_record(*, actor: Actor, order_id: int, request: PaymentRequest) -> Payment:
    """Record a payment of an open order. Staff methods are captured at once; provider methods
    start pending and are authorised through the provider, whose notifications confirm them.
    Raises OrderNotFound, InvalidPayment (422: method, amount, currency, time; unknown
    provider), OrderNotPayable (409: draft or closed order), PaymentExceedsBalance (409: more
    than is owed). Nothing is written on any of them."""
    order = orders.order_get(order_id=order_id)
    _validate(order, request)
    provider = provider_get(request.provider) if request.method in domain.PROVIDER_METHODS else None
    account = account_for_update(order_id=order.pk, customer_id=order.customer_id, currency=order.currency)
    if request.amount > _outstanding(order, account):
        raise PaymentExceedsBalance()
    staff = provider is None
    payment = Payment.objects.create(
        order_id=order.pk,
        customer_id=order.customer_id,
        method=request.method,
        status=P.CAPTURED if staff else P.PENDING,
        amount=request.amount,
        captured_amount=request.amount if staff else ZERO,
        currency=order.currency,
        reference=request.reference,
        payer=request.payer,
        received_at=request.received_at or timezone.now(),
        provider=provider.code if provider else "",
        created_by=str(actor),
    )
    if provider is not None:
        result = provider.authorize(
            order_reference=order.number,
            amount=request.amount,
            currency=order.currency,
            capture=request.capture or request.method not in domain.AUTHORIZING_METHODS,
        )
        payment.provider_reference = result.reference
        payment.save(update_fields=["provider_reference", "updated_at"])
    audit("payment", payment.pk, "recorded", actor, None, _state(payment))
    if staff:
        before = account_state(account)
        OrderAccount.objects.filter(pk=account.pk).update(captured=F("captured") + payment.amount)
        sync_order(account, actor=actor, note=f"payment {payment.pk}")
        audit("order_account", account.pk, "captured", actor, before, account_state(account))
        _emit(events.PaymentCaptured, payment)
    else:
        _emit(events.PaymentRecorded, payment)
    return payment


def _move(payment: Payment, target: domain.PaymentState, amount: Decimal, *, actor: Actor, note: str) -> None:
    """Apply a transition the table allows to the payment and its order's account."""
    account = account_for_update(
        order_id=payment.order_id, customer_id=payment.customer_id, currency=payment.currency
    )
    before, account_before = _state(payment), account_state(account)
    was_authorized = payment.status == P.AUTHORIZED
    changes: dict[str, Any] = {}
    if was_authorized:
        changes["authorized"] = F("authorized") - payment.amount
    if target == P.AUTHORIZED:
        changes["authorized"] = F("authorized") + payment.amount
    if target == P.CAPTURED:
        changes["captured"] = F("captured") + amount
        payment.captured_amount = amount
    payment.status = target
    payment.save(update_fields=["status", "captured_amount", "failure_reason", "updated_at"])
    if changes:
        OrderAccount.objects.filter(pk=account.pk).update(**changes)
        sync_order(account, actor=actor, note=f"payment {payment.pk}")
        audit("order_account", account.pk, target.value, actor, account_before, account_state(account))
    audit("payment", payment.pk, target.value, actor, before, _state(payment), note=note)
    event = {P.AUTHORIZED: events.PaymentAuthorized, P.CAPTURED: events.PaymentCaptured}.get(target)
    if target in {P.FAILED, P.VOIDED}:
        _emit(events.PaymentFailed, payment, reason=payment.failure_reason)
    elif event is not None:
        _emit(event, payment)


@transaction.atomic
def payment_capture(*, actor: Actor, payment_id: int, amount: Decimal | None = None) -> Payment:
    """Capture an authorised payment (all of it by default) through its provider. Raises
    PaymentNotFound, InvalidPaymentTransition (409) unless authorised, InvalidPayment (422)
    for an amount beyond the authorisation; a provider refusal fails the payment."""
    payment = payment_for_update(payment_id)
    if payment.status != P.AUTHORIZED or not payment.provider:
        raise InvalidPaymentTransition()
    amount = payment.amount if amount is None else amount
    if amount <= ZERO or amount > payment.amount:
        message = _("At most the authorised %(amount)s can be captured.") % {"amount": payment.amount}
        raise InvalidPayment(errors=[_error("amount", message, "invalid")])
    result = provider_get(payment.provider).capture(reference=payment.provider_reference, amount=amount)
    if result.status == "captured":
        _move(payment, P.CAPTURED, amount, actor=actor, note="capture")
    else:
        payment.failure_reason = result.message[:200]
        _move(payment, P.FAILED, ZERO, actor=actor, note="capture refused")
    return payment


def _notified(provider: str, notification: Notification) -> bool:
    """Record the notification once; False when it was seen before (a duplicate)."""
    try:
        with transaction.atomic():
            ProviderNotification.objects.create(
                provider=provider,
                event_id=notification.event_id,
                provider_reference=notification.reference,
                kind=notification.kind,
                payload=notification.payload,
                outcome="received",
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def payment_notification_apply(*, provider_code: str, body: bytes, headers: dict[str, str]) -> str:
    """Apply one signed provider notification. Returns what came of it: `applied`,
    `duplicate` (this event id was seen: nothing changes), `stale` (it arrived after a later
    state, e.g. "authorized" after "captured": recorded, nothing changes) or
    `unknown_payment`. Raises UnknownProvider, InvalidSignature, InvalidNotification (400)."""
    provider = provider_get(provider_code)
    notification = provider.parse_webhook(body=body, headers=headers)
    if not _notified(provider_code, notification):
        return "duplicate"
    outcome = _apply(provider_code, notification)
    ProviderNotification.objects.filter(provider=provider_code, event_id=notification.event_id).update(
        outcome=outcome
    )
    return outcome


def _apply(provider_code: str, notification: Notification) -> str:
    found = Payment.objects.filter(provider=provider_code, provider_reference=notification.reference).first()
    if found is None:
        return "unknown_payment"
    payment = payment_for_update(found.pk)
    target = domain.PaymentState(notification.kind)
    if not domain.payment_can_move(domain.PaymentState(payment.status), target):
        return "stale"
    if target == P.CAPTURED and notification.amount != payment.amount:
        return "stale"  # a partial capture the provider echoes; we captured it ourselves
    if target == P.FAILED:
        payment.failure_reason = _("Declined by the provider.")
    actor = Actor(username=provider_code, via="system")
    _move(payment, target, notification.amount, actor=actor, note=f"notification {notification.event_id}")
    return "applied"
