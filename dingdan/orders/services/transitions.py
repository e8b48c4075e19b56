"""One service per transition of the order table (orders/domain.py)."""

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.customers import selectors as customers
from dingdan.inventory import services as inventory

from .. import domain, events
from ..exceptions import InvalidOrderTransition, OverrideNotAllowed, OverrideNoteRequired
from ..lock_objects import order_for_update
from ..models import Order, OrderCheckResult, OrderLine
from .common import audit, check_version, emit, order_state, save
from .pricing import coupons_release
from .review import DEMAND, decide, queue_due, reserve, review

Action, S = domain.Action, domain.Status


def _begin(order_id: int, action: domain.Action, expected_version: int | None) -> Order:
    """Lock the order, check its version and that `action` is allowed from its status."""
    order = order_for_update(order_id)
    check_version(order, expected_version)
    if not domain.can(action, domain.Status(order.status)):
        raise InvalidOrderTransition()
    return order


def _release_stock(order: Order) -> None:
    line_ids = [str(pk) for pk in order.lines.values_list("pk", flat=True)]
    inventory.reservations_release(demand_type=DEMAND, demand_ids=line_ids)


def _has_failed_checks(order: Order) -> bool:
    last_run = OrderCheckResult.objects.filter(order=order).order_by("-run").values("run")[:1]
    return OrderCheckResult.objects.filter(order=order, run=Subquery(last_run), outcome="fail").exists()


@transaction.atomic
def order_approve(
    *,
    actor: Actor,
    order_id: int,
    note: str = "",
    expected_version: int | None = None,
    may_override: bool = False,
) -> Order:
    """A reviewer confirms an order waiting for review. Approving an order on hold or one
    whose last checks failed overrides them: it needs `may_override` (orders:override,
    else OverrideNotAllowed) and a note (else OverrideNoteRequired). Raises
    InvalidOrderTransition from any other status, PreconditionFailed on a stale version."""
    order = _begin(order_id, Action.APPROVE, expected_version)
    overriding = order.status == S.ON_HOLD or _has_failed_checks(order)
    if overriding and not may_override:
        raise OverrideNotAllowed()
    if overriding and not note.strip():
        raise OverrideNoteRequired()
    before = order_state(order)
    order.status, order.confirmed_at = S.CONFIRMED, timezone.now()
    order.held_from, order.review_due_at = "", None
    save(order, ["status", "confirmed_at", "held_from", "review_due_at"])
    audit(order, action="overridden" if overriding else "approved", actor=actor, before=before, note=note)
    emit(events.OrderConfirmed, order)
    return order


@transaction.atomic
def order_hold(*, actor: Actor, order_id: int, reason: str, expected_version: int | None = None) -> Order:
    """Put an order waiting for review or confirmed on hold by hand, with a reason. Its
    reservations stay; release returns it to where it was."""
    order = _begin(order_id, Action.HOLD, expected_version)
    before = order_state(order)
    order.held_from, order.status = order.status, S.ON_HOLD
    order.hold_reasons = [*order.hold_reasons, {"reason": "manual_hold", "params": {"note": reason}}]
    queue_due(order)
    save(order, ["status", "held_from", "hold_reasons", "review_due_at"])
    audit(order, action="held", actor=actor, before=before, note=reason)
    emit(events.OrderHeld, order, reasons=["manual_hold"])
    return order


@transaction.atomic
def order_release(
    *, actor: Actor, order_id: int, note: str = "", expected_version: int | None = None
) -> Order:
    """Release a hold: short lines try to reserve again and the checks run again; the order
    goes where they send it (still on hold if something still fails)."""
    order = _begin(order_id, Action.RELEASE, expected_version)
    before = order_state(order)
    lines = list(order.lines.order_by("line_number"))
    reserve(order, [line for line in lines if line.backorder_quantity])
    OrderLine.objects.bulk_update(lines, ["backorder_quantity"])
    skus = catalog.skus_by_codes(codes=sorted({line.sku_code for line in lines}))
    results = review(order, lines, skus, customers.customer_snapshot(customer_id=order.customer_id))
    decide(order, lines, results, held_from=order.held_from)
    save(order, ["status", "held_from", "hold_reasons", "confirmed_at", "review_due_at"])
    audit(order, action="released", actor=actor, before=before, note=note)
    emit(events.OrderReleased, order)
    return order


@transaction.atomic
def order_reject(*, actor: Actor, order_id: int, reason: str, expected_version: int | None = None) -> Order:
    """A reviewer rejects an order waiting for review or on hold; a reason is required.
    Its reservations and coupon uses are released."""
    order = _begin(order_id, Action.REJECT, expected_version)
    before = order_state(order)
    _release_stock(order)
    coupons_release(order, actor=actor)
    order.status, order.closed_at, order.review_due_at = S.REJECTED, timezone.now(), None
    save(order, ["status", "closed_at", "review_due_at"])
    audit(order, action="rejected", actor=actor, before=before, note=reason)
    emit(events.OrderRejected, order, reason=reason)
    return order


@transaction.atomic
def order_cancel(*, actor: Actor, order_id: int, reason: str, expected_version: int | None = None) -> Order:
    """Cancel an order that has not shipped; its reservations and coupon uses are released."""
    order = _begin(order_id, Action.CANCEL, expected_version)
    before = order_state(order)
    _release_stock(order)
    coupons_release(order, actor=actor)
    order.status, order.closed_at, order.review_due_at = S.CANCELLED, timezone.now(), None
    save(order, ["status", "closed_at", "review_due_at"])
    audit(order, action="cancelled", actor=actor, before=before, note=reason)
    emit(events.OrderCancelled, order, reason=reason)
    return order
