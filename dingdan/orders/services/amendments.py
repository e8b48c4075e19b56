"""Amendments: a change to a submitted order is staged as a change request, previewed
(totals, stock to reserve or release, payment or refund due, failing checks), then committed
as a new revision (the previous one stays readable) or discarded.

A commit locks the order and refuses (412) when the order changed since the request was
staged, so two clerks committing conflicting changes cannot both win. Anything the stock,
the order's state, what has shipped or the user's right to set prices does not allow is
refused with the reason, and nothing changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.core.exceptions import PreconditionFailed, ValidationFailed
from dingdan.customers import selectors as customers
from dingdan.inventory import selectors as stock

from .. import checks, domain
from ..exceptions import (
    AmendmentRefused,
    ChangeRequestClosed,
    ChangeRequestNotFound,
    OrderNotAmendable,
    PriceOverrideNotAllowed,
    ShippedQuantityLocked,
)
from ..lock_objects import order_for_update
from ..models import Order, OrderChangeRequest, OrderLine
from .common import audit, check_version, order_state, save
from .facts import evaluate
from .lines import (
    PRICED_LINE_FIELDS,
    TOTAL_FIELDS,
    line_release,
    line_reserve,
    order_snapshot,
    reprice,
    revision_record,
)
from .review import DEMAND, _known_price, review

S = domain.Status
OPS = ("add_line", "remove_line", "set_quantity", "set_price", "set_shipping_address", "cancel_order")
MAX_QUANTITY = 100_000
PAID_LIKE = frozenset({"paid", "partially_paid", "partially_refunded"})


def _error(field_name: str, message: str, code: str) -> dict[str, str]:
    return {"field": field_name, "message": message, "code": code}


# Staging ------------------------------------------------------------------------------------


def _clean_operation(
    index: int, raw: dict[str, Any], lines: dict[int, OrderLine], errors: list
) -> dict[str, Any]:
    """One operation checked and made JSON-safe; problems are appended to `errors`."""
    op, where = raw.get("op"), f"operations.{index}"
    clean: dict[str, Any] = {"op": op}
    if op not in OPS:
        errors.append(_error(f"{where}.op", _("Unknown change."), "invalid"))
        return clean
    if op in {"remove_line", "set_quantity", "set_price"}:
        number = raw.get("line_number")
        if number not in lines:
            errors.append(_error(f"{where}.line_number", _("The order has no such line."), "unknown_line"))
        clean["line_number"] = number
    if op in {"add_line", "set_quantity"}:
        quantity = raw.get("quantity")
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            message = _("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
            errors.append(_error(f"{where}.quantity", message, "invalid_quantity"))
        clean["quantity"] = quantity
    if op == "add_line":
        clean["sku"] = str(raw.get("sku") or "")
        if raw.get("unit_price") is not None:
            clean["unit_price"] = raw["unit_price"]
    if op == "set_price" or (op == "add_line" and "unit_price" in clean):
        try:
            price = Decimal(str(raw.get("unit_price")))
            valid = price.is_finite() and 0 <= price <= Decimal("9999999999.99")
        except InvalidOperation:
            valid = False
        if not valid:
            errors.append(_error(f"{where}.unit_price", _("Give a price of 0 or more."), "invalid"))
        clean["unit_price"] = str(raw.get("unit_price"))
    if op == "set_shipping_address":
        try:
            clean["address"] = customers.address_normalize(
                address=raw.get("address") or {}, prefix=f"{where}.address."
            )
        except ValidationFailed as error:
            errors += error.errors
    if op == "cancel_order":
        clean["reason"] = str(raw.get("reason") or "").strip()
        if not clean["reason"]:
            errors.append(_error(f"{where}.reason", _("Give a reason."), "required"))
    return clean


def _check_skus(operations: Sequence[dict[str, Any]], errors: list) -> None:
    codes = {op["sku"] for op in operations if op["op"] == "add_line"}
    known = catalog.skus_by_codes(codes=sorted(codes)) if codes else {}
    for index, op in enumerate(operations):
        if op["op"] == "add_line" and op["sku"] not in known:
            message = _("No such SKU: %(sku)s") % {"sku": op["sku"]}
            errors.append(_error(f"operations.{index}.sku", message, "unknown_sku"))


def _refuse_shipped(order: Order, operations: Sequence[dict[str, Any]], lines: dict[int, OrderLine]) -> None:
    """Changes to what has shipped are refused (ShippedQuantityLocked) with the line named."""
    for op in operations:
        line = lines.get(op.get("line_number") or 0)
        shipped = line.quantity_shipped if line else 0
        if (op["op"] == "set_quantity" and shipped and op["quantity"] < shipped) or (
            op["op"] in {"remove_line", "set_price"} and shipped
        ):
            message = _("Line %(line)d has shipped %(shipped)d; that cannot change.") % {
                "line": op["line_number"],
                "shipped": shipped,
            }
            raise ShippedQuantityLocked(message)
        if op["op"] in {"cancel_order", "set_shipping_address"} and order.fulfillment_status != "unfulfilled":
            raise ShippedQuantityLocked(
                _("Part of the order has shipped; cancel or re-address what has not.")
            )


def _validated(
    order: Order, raw_operations: Sequence[dict[str, Any]], may_set_prices: bool
) -> list[dict[str, Any]]:
    if order.status not in domain.AMENDABLE:
        raise OrderNotAmendable()
    lines = {line.line_number: line for line in order.lines.all()}
    pricing = any(op.get("op") == "set_price" or op.get("unit_price") is not None for op in raw_operations)
    if pricing and not may_set_prices:
        raise PriceOverrideNotAllowed()
    errors: list[dict[str, str]] = []
    if not 1 <= len(raw_operations) <= 200:
        errors.append(_error("operations", _("Give 1 to 200 changes."), "invalid"))
    operations = [_clean_operation(i, dict(op), lines, errors) for i, op in enumerate(raw_operations)]
    if not errors:
        _check_skus(operations, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    _refuse_shipped(order, operations, lines)
    return operations


@transaction.atomic
def change_request_stage(
    *,
    actor: Actor,
    order_id: int,
    operations: Sequence[dict[str, Any]],
    note: str = "",
    may_set_prices: bool = False,
    expected_version: int | None = None,
) -> OrderChangeRequest:
    """Stage a change to a submitted order against its current version. Refuses, writing
    nothing: a closed or draft order (OrderNotAmendable), prices without orders:set_prices
    (PriceOverrideNotAllowed), bad operations (ValidationFailed), changes to what has
    shipped (ShippedQuantityLocked), a stale If-Match (PreconditionFailed)."""
    order = order_for_update(order_id)
    check_version(order, expected_version)
    cleaned = _validated(order, operations, may_set_prices)
    # Price the change in memory now: amounts the order cannot hold refuse it (InvalidOrder)
    # before anything is written.
    _preview_of(Order.objects.select_related("channel").get(pk=order.pk), _plan(order, cleaned))
    change = OrderChangeRequest.objects.create(
        order=order,
        base_version=order.version,
        operations=cleaned,
        note=note,
        may_set_prices=may_set_prices,
        created_by=str(actor),
    )
    audit(order, action="change_staged", actor=actor, before=None, note=f"#{change.pk} {note}".strip())
    return change


# Applying in memory -----------------------------------------------------------------------------


@dataclass
class Plan:
    lines: list[OrderLine]  # the order's lines after the change (new ones unsaved)
    removed: list[OrderLine] = field(default_factory=list)
    changed: list[OrderLine] = field(default_factory=list)  # quantity changed: re-reserve
    added: list[OrderLine] = field(default_factory=list)
    address: dict[str, Any] | None = None
    cancel_reason: str = ""


def _new_line(order: Order, number: int, op: dict[str, Any], sku: Any) -> OrderLine:
    specs = " / ".join(str(value) for value in (sku.specs or {}).values())
    supplied = op.get("unit_price") is not None
    return OrderLine(
        order=order,
        line_number=number,
        sku_id=sku.pk,
        sku_code=sku.code,
        name=f"{sku.product.name} {specs}".strip()[:200],
        specs=sku.specs,
        quantity=op["quantity"],
        unit_price=Decimal(op["unit_price"]) if supplied else Decimal("0"),
        price_source="supplied" if supplied else "price_list",
    )


def _plan(order: Order, operations: Sequence[dict[str, Any]]) -> Plan:
    lines = list(order.lines.order_by("line_number"))
    by_number = {line.line_number: line for line in lines}
    plan = Plan(lines=lines)
    skus = catalog.skus_by_codes(codes=sorted({op["sku"] for op in operations if op["op"] == "add_line"}))
    next_number = max(by_number, default=0) + 1
    for op in operations:
        line = by_number.get(op.get("line_number") or 0)
        if op["op"] == "cancel_order":
            plan.cancel_reason = op["reason"]
        elif op["op"] == "set_shipping_address":
            plan.address = op["address"]
        elif op["op"] == "add_line":
            new = _new_line(order, next_number, op, skus[op["sku"]])
            next_number += 1
            plan.added.append(new)
            plan.lines.append(new)
        elif line is None or line in plan.removed:
            raise AmendmentRefused(_("A change names a line that an earlier change removed."))
        elif op["op"] == "remove_line":
            plan.removed.append(line)
            plan.lines.remove(line)
        elif op["op"] == "set_quantity":
            line.quantity = op["quantity"]
            if line not in plan.changed and line.pk:
                plan.changed.append(line)
        elif op["op"] == "set_price":
            line.unit_price, line.price_source = Decimal(op["unit_price"]), "supplied"
    if not plan.lines and not plan.cancel_reason:
        raise AmendmentRefused(_("An order keeps at least one line; cancel the order instead."))
    return plan


# Preview ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockDelta:
    sku: str
    reserve: int
    release: int
    is_coverable: bool


@dataclass(frozen=True)
class Preview:
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    tax_total: Decimal
    total: Decimal
    previous_total: Decimal
    payment_due: Decimal
    refund_due: Decimal
    stock: list[StockDelta]
    failing_checks: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    is_feasible: bool


def _reserved(lines: Sequence[OrderLine]) -> dict[int, int]:
    views = stock.reservations_for(demand_type=DEMAND, demand_ids=[str(line.pk) for line in lines if line.pk])
    reserved: dict[int, int] = {}
    for view in views:
        if view.status == "open":
            reserved[int(view.demand_id)] = reserved.get(int(view.demand_id), 0) + view.quantity
    return reserved


def _stock_deltas(plan: Plan) -> list[StockDelta]:
    """Units to release (removed and changed lines) and to reserve (changed and new lines),
    and whether one warehouse has enough free (counting what the line gives back)."""
    touched = [*plan.removed, *plan.changed, *plan.added]
    reserved = _reserved(touched)
    free: dict[int, int] = {}
    for sku_id, _warehouse, available in stock.stock_available(sku_ids={line.sku_id for line in touched}):
        free[sku_id] = max(free.get(sku_id, 0), available)
    deltas = []
    for line in touched:
        own = reserved.get(line.pk, 0) if line.pk else 0
        wanted = 0 if line in plan.removed else line.quantity
        coverable = wanted == 0 or free.get(line.sku_id, 0) + own >= wanted
        deltas.append(StockDelta(line.sku_code, wanted, own, coverable))
    return deltas


def _money_due(payment_status: str, old_total: Decimal, new_total: Decimal) -> tuple[Decimal, Decimal]:
    """(payment due, refund due): an unpaid order owes its new total; a paid one the
    difference either way (billing keeps the exact amounts)."""
    if payment_status not in PAID_LIKE:
        return new_total, Decimal("0.00")
    difference = new_total - old_total
    return max(difference, Decimal("0.00")), max(-difference, Decimal("0.00"))


def _preview_of(order: Order, plan: Plan) -> Preview:
    previous_total = order.total
    deltas = _stock_deltas(plan)
    if plan.cancel_reason:
        _due, refund_due = _money_due(order.payment_status, previous_total, Decimal("0.00"))
        return Preview(
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            previous_total,
            Decimal("0.00"),
            refund_due,
            deltas,
            [],
            [],
            True,
        )
    if plan.address is not None:
        order.shipping_address = plan.address
    reprice(order, plan.lines)
    short = {delta.sku for delta in deltas if not delta.is_coverable}
    for line in plan.lines:
        line.backorder_quantity = (
            line.quantity
            if line.sku_code in short and line in [*plan.changed, *plan.added]
            else line.backorder_quantity
        )
    skus = catalog.skus_by_codes(codes=sorted({line.sku_code for line in plan.lines}))
    customer = customers.customer_snapshot(customer_id=order.customer_id)
    results = evaluate(order, plan.lines, skus, customer, _known_price)
    failing = [
        {
            "check": r.check,
            "outcome": r.outcome,
            "reason": r.reason,
            "message": checks.render_reason(r.reason, r.params),
        }
        for r in results
        if r.outcome == checks.FAIL
    ]
    problems = [
        {"reason": "insufficient_stock", "message": checks.render_reason("insufficient_stock", {"skus": sku})}
        for sku in sorted(short)
    ]
    payment_due, refund_due = _money_due(order.payment_status, previous_total, order.total)
    return Preview(
        order.subtotal,
        order.discount_total,
        order.shipping_fee,
        order.tax_total,
        order.total,
        previous_total,
        payment_due,
        refund_due,
        deltas,
        failing,
        problems,
        not problems,
    )


def _open_change(change_request_id: int, *, lock: bool) -> OrderChangeRequest:
    changes = OrderChangeRequest.objects.select_for_update() if lock else OrderChangeRequest.objects
    change = changes.filter(pk=change_request_id).first()
    if change is None:
        raise ChangeRequestNotFound()
    return change


def change_request_preview(*, change_request_id: int) -> Preview | None:
    """What committing the staged request would do now (None once it is closed). Writes
    nothing: the order and its lines are changed in memory only."""
    change = _open_change(change_request_id, lock=False)
    if change.status != domain.ChangeStatus.STAGED:
        return None
    order = Order.objects.select_related("channel").get(pk=change.order_id)
    return _preview_of(order, _plan(order, change.operations))


# Commit and discard -----------------------------------------------------------------------------


def _apply_stock(order: Order, plan: Plan) -> None:
    """Release what removed and changed lines held, then reserve changed and new lines whole;
    a line stock cannot cover refuses the change (the transaction rolls back)."""
    for line in [*plan.removed, *plan.changed]:
        line_release(line)
    for line in plan.removed:
        line.delete()
    if plan.added:
        created = OrderLine.objects.bulk_create(plan.added)
        for line, saved in zip(plan.added, created, strict=True):
            line.pk = saved.pk
    short = [line.sku_code for line in [*plan.changed, *plan.added] if not line_reserve(order, line)]
    if short:
        message = checks.render_reason("insufficient_stock", {"skus": ", ".join(short)})
        raise AmendmentRefused(message, code="amendment_insufficient_stock")


def _recheck(order: Order, lines: Sequence[OrderLine]) -> None:
    """Run the checks again; a failure puts the order on hold, otherwise it stays where it is."""
    skus = catalog.skus_by_codes(codes=sorted({line.sku_code for line in lines}))
    results = review(order, lines, skus, customers.customer_snapshot(customer_id=order.customer_id))
    failures = [r for r in results if r.outcome == checks.FAIL]
    if failures:
        if order.status != S.ON_HOLD:
            order.held_from, order.status = order.status, S.ON_HOLD
        order.hold_reasons = [{"reason": r.reason, "params": r.params} for r in failures]
        from .review import queue_due

        queue_due(order)


@transaction.atomic
def change_request_commit(
    *, actor: Actor, change_request_id: int, expected_version: int | None = None
) -> Order:
    """Commit a staged request: a new revision with the order re-priced, stock re-reserved
    and the checks re-run; `order.amended` is emitted. The order must still be at the version
    the request was staged against, and at `expected_version` when given (else
    PreconditionFailed, 412); a closed request: ChangeRequestClosed."""
    order_id = _open_change(change_request_id, lock=False).order_id
    order = order_for_update(order_id)
    change = _open_change(change_request_id, lock=True)
    if change.status != domain.ChangeStatus.STAGED:
        raise ChangeRequestClosed()
    check_version(order, expected_version)
    if change.base_version != order.version:
        raise PreconditionFailed()
    _validated(order, change.operations, change.may_set_prices)
    state = order_state(order)
    before = order_snapshot(order, list(order.lines.order_by("line_number")))
    plan = _plan(order, change.operations)
    if plan.cancel_reason:
        from .transitions import order_cancel

        order_cancel(actor=actor, order_id=order.pk, reason=plan.cancel_reason)
        order.refresh_from_db()
    else:
        _apply_stock(order, plan)
        if plan.address is not None:
            order.shipping_address = plan.address
        reprice(order, plan.lines)
        OrderLine.objects.bulk_update(
            plan.lines, [*PRICED_LINE_FIELDS, "quantity", "price_source", "backorder_quantity"]
        )
        _recheck(order, plan.lines)
    revision_record(
        order,
        before=before,
        lines=plan.lines if not plan.cancel_reason else [],
        actor=actor,
        change_request=change,
    )
    save(
        order,
        [
            *TOTAL_FIELDS,
            "revision",
            "shipping_address",
            "status",
            "held_from",
            "hold_reasons",
            "review_due_at",
        ],
    )
    audit(order, action="amended", actor=actor, before=state, note=f"#{change.pk} {change.note}".strip())
    change.status, change.closed_by, change.closed_at = (
        domain.ChangeStatus.COMMITTED,
        str(actor),
        timezone.now(),
    )
    change.revision = order.revision
    change.save(update_fields=["status", "closed_by", "closed_at", "revision", "updated_at"])
    return order


@transaction.atomic
def change_request_discard(*, actor: Actor, change_request_id: int) -> OrderChangeRequest:
    """Drop a staged request; nothing on the order changes. A closed one: ChangeRequestClosed."""
    order_id = _open_change(change_request_id, lock=False).order_id
    order = order_for_update(order_id)
    change = _open_change(change_request_id, lock=True)
    if change.status != domain.ChangeStatus.STAGED:
        raise ChangeRequestClosed()
    change.status, change.closed_by, change.closed_at = (
        domain.ChangeStatus.DISCARDED,
        str(actor),
        timezone.now(),
    )
    change.save(update_fields=["status", "closed_by", "closed_at", "updated_at"])
    audit(order, action="change_discarded", actor=actor, before=None, note=f"#{change.pk}")
    return change
