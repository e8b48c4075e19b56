"""One service per transition of the order table (orders/domain.py)."""

from django.db import transaction
from django.utils import timezone

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.customers import selectors as customers
from dingdan.inventory import services as inventory

from .. import domain, events
from ..exceptions import InvalidOrderTransition
from ..lock_objects import order_for_update
from ..models import Order, OrderLine
from .common import audit, check_version, emit, order_state, save
from .review import DEMAND, decide, reserve, review

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


@transaction.atomic
def order_approve(
    *, actor: Actor, order_id: int, note: str = "", expected_version: int | None = None
) -> Order:
    """A reviewer confirms an order waiting for review. Raises InvalidOrderTransition from
    any other status, PreconditionFailed on a stale version."""
    order = _begin(order_id, Action.APPROVE, expected_version)
    before = order_state(order)
    order.status, order.confirmed_at = S.CONFIRMED, timezone.now()
    save(order, ["status", "confirmed_at"])
    audit(order, action="approved", actor=actor, before=before, note=note)
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
    save(order, ["status", "held_from", "hold_reasons"])
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
    save(order, ["status", "held_from", "hold_reasons", "confirmed_at"])
    audit(order, action="released", actor=actor, before=before, note=note)
    emit(events.OrderReleased, order)
    return order


@transaction.atomic
def order_reject(*, actor: Actor, order_id: int, reason: str, expected_version: int | None = None) -> Order:
    """A reviewer rejects an order waiting for review or on hold; a reason is required.
    Its reservations are released."""
    order = _begin(order_id, Action.REJECT, expected_version)
    before = order_state(order)
    _release_stock(order)
    order.status, order.closed_at = S.REJECTED, timezone.now()
    save(order, ["status", "closed_at"])
    audit(order, action="rejected", actor=actor, before=before, note=reason)
    emit(events.OrderRejected, order, reason=reason)
    return order


@transaction.atomic
def order_cancel(*, actor: Actor, order_id: int, reason: str, expected_version: int | None = None) -> Order:
    """Cancel an order that has not shipped; its reservations are released."""
    order = _begin(order_id, Action.CANCEL, expected_version)
    before = order_state(order)
    _release_stock(order)
    order.status, order.closed_at = S.CANCELLED, timezone.now()
    save(order, ["status", "closed_at"])
    audit(order, action="cancelled", actor=actor, before=before, note=reason)
    emit(events.OrderCancelled, order, reason=reason)
    return order
