"""The refund ledger, independent of returns: refunds for returned goods, partial lines,
shipping, goodwill or price adjustments; several partial refunds per order.

A refund never exceeds what was captured minus what was refunded or is waiting: requesting
one takes its amount with ONE conditional UPDATE of the order's account
(`captured >= refunded + refund_pending + amount`), so concurrent requests cannot together
pass the balance, on PostgreSQL (the row lock re-checks the condition) and SQLite alike; the
CHECK constraint of the account says it again. Amounts above the requester's approval limit
wait (`pending_approval`, still holding their amount) for someone with billing:approve.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.money import ZERO, quantize
from dingdan.core.outbox import outbox_emit
from dingdan.orders import selectors as orders

from .. import domain, events
from ..exceptions import (
    InvalidRefund,
    InvalidRefundTransition,
    RefundExceedsBalance,
    SelfApprovalNotAllowed,
)
from ..lock_objects import refund_for_update
from ..models import OrderAccount, Payment, Refund
from ..providers import provider_get
from ._common import account_state, audit, config, sync_order

R = domain.RefundState


@dataclass(frozen=True)
class RefundLine:
    line_number: int
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class RefundRequest:
    amount: Decimal
    kind: str
    reason: str = ""
    lines: tuple[RefundLine, ...] = ()
    payment_id: int | None = None


def _state(refund: Refund) -> dict[str, Any]:
    return {"status": refund.status, "amount": str(refund.amount), "kind": refund.kind}


def _emit(event_class: type[events.RefundEvent], refund: Refund) -> None:
    outbox_emit(
        event_class(
            aggregate_id=str(refund.pk),
            channel_id=orders.order_channel_id(order_id=refund.order_id),
            order_id=refund.order_id,
            kind=refund.kind,
            status=refund.status,
            amount=str(refund.amount),
            currency=refund.currency,
        )
    )


def _error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _line_errors(order: Any, lines: Sequence[RefundLine]) -> list[dict[str, str]]:
    by_number = {line.line_number: line for line in order.lines.all()}
    errors = []
    for index, line in enumerate(lines):
        known = by_number.get(line.line_number)
        if known is None:
            errors.append(_error(f"lines.{index}.line_number", _("The order has no such line.")))
        elif not 1 <= line.quantity <= known.quantity:
            errors.append(_error(f"lines.{index}.quantity", _("More than the line's quantity.")))
        elif line.amount < ZERO or line.amount > known.subtotal:
            errors.append(_error(f"lines.{index}.amount", _("More than the line's amount.")))
    return errors


def _refundable_by_payment(order_id: int) -> dict[int, Decimal]:
    """What each captured payment of the order can still give back: its capture minus the
    refunds paid out or waiting through it."""
    taken = dict(
        Refund.objects.filter(
            order_id=order_id, payment__isnull=False, status__in=[R.SUCCEEDED, R.PENDING_APPROVAL]
        )
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    captured = Payment.objects.filter(order_id=order_id, status=domain.PaymentState.CAPTURED)
    return {
        pk: amount - (taken.get(pk) or ZERO) for pk, amount in captured.values_list("pk", "captured_amount")
    }


def _payment(order_id: int, payment_id: int | None, amount: Decimal) -> Payment | None:
    """The payment to refund through: the one named (captured, of this order, with enough
    left), else the latest captured provider payment with enough left, else none (staff pay
    the refund out by hand, e.g. by bank transfer)."""
    left = _refundable_by_payment(order_id)
    if payment_id is not None:
        if left.get(payment_id, ZERO) < amount:
            message = _("No captured payment of this order with this id has that much left to refund.")
            raise InvalidRefund(errors=[_error("payment_id", message)])
        return Payment.objects.get(pk=payment_id)
    covering = [pk for pk, rest in left.items() if rest >= amount]
    providers = Payment.objects.filter(pk__in=covering).exclude(provider="")
    return providers.order_by("-pk").first()


def _validate(order: Any, request: RefundRequest) -> None:
    errors = []
    if request.kind not in {k.value for k in domain.RefundKind}:
        errors.append(_error("kind", _("Unknown refund kind.")))
    if request.amount <= ZERO or quantize(request.amount, order.currency) != request.amount:
        errors.append(_error("amount", _("The amount must be positive, in the currency's minor unit.")))
    lines = _line_errors(order, request.lines)
    if request.lines and not lines and sum((line.amount for line in request.lines), ZERO) != request.amount:
        lines.append(_error("lines", _("The lines' amounts must add up to the refund's amount.")))
    errors += lines
    if errors:
        raise InvalidRefund(errors=errors)


def _roles(user_id: int | None) -> list[str] | None:
    """The requester's role names; None for actors that are not users (system, CLI)."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    if user.is_superuser:
        return ["administrator"]
    return list(user.groups.values_list("name", flat=True))


def approval_limit_for(actor: Actor) -> Decimal | None:
    """The largest refund `actor` may make without approval (None: any)."""
    roles = _roles(actor.user_id)
    return None if roles is None else domain.approval_limit(roles, config("REFUND_APPROVAL_LIMITS"))


def _reserve(order_id: int, amount: Decimal) -> None:
    """Hold `amount` of the order's refundable balance, or raise RefundExceedsBalance."""
    held = OrderAccount.objects.filter(
        order_id=order_id, captured__gte=F("refunded") + F("refund_pending") + amount
    ).update(refund_pending=F("refund_pending") + amount)
    if not held:
        account = OrderAccount.objects.filter(order_id=order_id).first()
        refundable = (
            domain.refundable(
                captured=account.captured, refunded=account.refunded, refund_pending=account.refund_pending
            )
            if account
            else ZERO
        )
        message = _("At most %(amount)s can be refunded.") % {"amount": f"{refundable:.2f}"}
        raise RefundExceedsBalance(message, errors=[_error("amount", message, "exceeds_balance")])


@transaction.atomic
def refund_request(*, actor: Actor, order_id: int, request: RefundRequest) -> Refund:
    """Request a refund of an order. Within the requester's approval limit it is paid out at
    once (through the payment's provider, or by staff for bank transfers and cash); above it,
    it waits for approval holding its amount. Raises OrderNotFound, InvalidRefund (422),
    RefundExceedsBalance (409: more than captured − refunded − waiting). Nothing is written
    on any of them."""
    order = orders.order_get(order_id=order_id)
    _validate(order, request)
    payment = _payment(order.pk, request.payment_id, request.amount)
    _reserve(order.pk, request.amount)
    refund = Refund.objects.create(
        order_id=order.pk,
        customer_id=order.customer_id,
        payment=payment,
        kind=request.kind,
        status=R.PENDING_APPROVAL,
        amount=request.amount,
        currency=order.currency,
        reason=request.reason,
        lines=[
            {"line_number": x.line_number, "quantity": x.quantity, "amount": str(x.amount)}
            for x in request.lines
        ],
        requested_by=str(actor),
        requested_by_id=actor.user_id,
    )
    audit("refund", refund.pk, "requested", actor, None, _state(refund), note=request.reason)
    if domain.needs_approval(amount=request.amount, limit=approval_limit_for(actor)):
        _emit(events.RefundRequested, refund)
        return refund
    return _pay_out(refund, actor=actor)


def _pay_out(refund: Refund, *, actor: Actor) -> Refund:
    """Pay a refund out and settle its held amount: refunded on success, released on failure."""
    before = _state(refund)
    outcome = "refunded"
    if refund.payment is not None and refund.payment.provider:
        result = provider_get(refund.payment.provider).refund(
            reference=refund.payment.provider_reference, amount=refund.amount, refund_reference=str(refund.pk)
        )
        outcome, refund.provider_reference = result.status, result.reference
        refund.failure_reason = result.message[:200]
    account = OrderAccount.objects.get(order_id=refund.order_id)
    account_before = account_state(account)
    settled = {"refund_pending": F("refund_pending") - refund.amount}
    if outcome == "refunded":
        settled["refunded"] = F("refunded") + refund.amount
    OrderAccount.objects.filter(pk=account.pk).update(**settled)
    refund.status = R.SUCCEEDED if outcome == "refunded" else R.FAILED
    refund.save(update_fields=["status", "provider_reference", "failure_reason", "updated_at"])
    sync_order(account, actor=actor, note=f"refund {refund.pk}")
    audit("order_account", account.pk, "refund_settled", actor, account_before, account_state(account))
    audit("refund", refund.pk, refund.status, actor, before, _state(refund))
    _emit(events.RefundSucceeded if refund.status == R.SUCCEEDED else events.RefundFailed, refund)
    return refund


def _decidable(refund_id: int, actor: Actor) -> Refund:
    refund = refund_for_update(refund_id)
    if refund.status != R.PENDING_APPROVAL:
        raise InvalidRefundTransition()
    if actor.user_id is not None and actor.user_id == refund.requested_by_id:
        raise SelfApprovalNotAllowed()
    return refund


@transaction.atomic
def refund_approve(*, actor: Actor, refund_id: int, note: str = "") -> Refund:
    """Approve a refund waiting for approval and pay it out. Raises RefundNotFound,
    InvalidRefundTransition (409: already decided), SelfApprovalNotAllowed (403)."""
    refund = _decidable(refund_id, actor)
    refund.decided_by, refund.decided_at = str(actor), timezone.now()
    refund.save(update_fields=["decided_by", "decided_at", "updated_at"])
    audit("refund", refund.pk, "approved", actor, None, _state(refund), note=note)
    return _pay_out(refund, actor=actor)


@transaction.atomic
def refund_reject(*, actor: Actor, refund_id: int, reason: str) -> Refund:
    """Reject a refund waiting for approval; its held amount is released. Raises as
    refund_approve does."""
    refund = _decidable(refund_id, actor)
    before = _state(refund)
    OrderAccount.objects.filter(order_id=refund.order_id).update(
        refund_pending=F("refund_pending") - refund.amount
    )
    refund.status, refund.decided_by, refund.decided_at = R.REJECTED, str(actor), timezone.now()
    refund.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit("refund", refund.pk, "rejected", actor, before, _state(refund), note=reason)
    _emit(events.RefundRejected, refund)
    return refund
