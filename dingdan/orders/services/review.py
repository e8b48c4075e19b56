"""Submission and re-review: price, reserve, run the checks, decide the status."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.models import AuditEntry
from dingdan.core.rows import rows_insert
from dingdan.inventory import services as inventory

from .. import checks, domain, events, providers
from ..models import Order, OrderCheckResult, OrderLine
from . import pricing
from .common import audit, emit, order_state, save
from .facts import evaluate

DEMAND = "order_line"
S = domain.Status


def _price(
    order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], *, strict_coupons: bool = False
) -> Any:
    """Price the order and its lines through the catalog's quote (prices, promotions, coupons,
    shipping fee rules, tax): see services/pricing.py. Returns the quote."""
    return pricing.price_order(order, lines, skus, strict_coupons=strict_coupons)


# Repricing after submission (shortage options, amendments) calls the helper placement uses.
price_order = _price


def reserve(order: Order, lines: Sequence[OrderLine]) -> list[inventory.Allocation]:
    """Reserve each of `lines` whole; a line stock cannot cover reserves nothing and records
    its whole quantity as backorder (it waits for a shortage decision or for stock).
    Returns the allocations, one per line."""
    allocations = inventory.stock_reserve(
        demands=[inventory.Demand(str(line.pk), line.sku_id, line.quantity) for line in lines],
        demand_type=DEMAND,
        reference=order.number,
    )
    for line, allocation in zip(lines, allocations, strict=True):
        line.backorder_quantity = line.quantity - allocation.quantity
    return allocations


def _known_price(line: OrderLine) -> Any:
    """The line's price, or None when neither the price list nor the caller gave one."""
    return line.unit_price if line.list_price is not None or line.price_source == "supplied" else None


def review(
    order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], customer: Any, *, first: bool = False
) -> list[checks.CheckResult]:
    """Run the checks and store their results as the order's next run (`first`: the caller
    knows there is no earlier run, which saves the query)."""
    results = evaluate(order, lines, skus, customer, _known_price)
    run = 1 if first else (order.check_results.aggregate(last=Max("run"))["last"] or 0) + 1
    rows_insert(
        [
            OrderCheckResult(
                order=order, run=run, check_code=r.check, outcome=r.outcome, reason=r.reason, params=r.params
            )
            for r in results
        ]
    )
    return results


def decide(
    order: Order, lines: Sequence[OrderLine], results: Sequence[checks.CheckResult], *, held_from: str = ""
) -> None:
    """Move the order to where its check results and stock send it, with the hold reasons."""
    failures = [r for r in results if r.outcome == checks.FAIL]
    target = domain.status_after_checks(
        has_failures=bool(failures),
        has_shortage=any(line.backorder_quantity for line in lines),
        auto_confirm=order.channel.review_policy == "auto_confirm",
    )
    if target != S.ON_HOLD and held_from == S.CONFIRMED:
        target = S.CONFIRMED  # a manual hold of a confirmed order goes back where it was
    order.status = target
    order.hold_reasons = [{"reason": r.reason, "params": r.params} for r in failures]
    order.held_from = (held_from or S.PENDING_REVIEW) if target == S.ON_HOLD else ""
    if target == S.CONFIRMED and order.confirmed_at is None:
        order.confirmed_at = timezone.now()
    queue_due(order)


def queue_due(order: Order) -> None:
    """An order entering the review queue is due within the channel's review SLA; leaving
    it clears the due time (and the owner keeps the history in the audit trail)."""
    if order.status in domain.IN_REVIEW_QUEUE:
        if order.review_due_at is None:
            hours = order.channel.review_sla_hours
            order.review_due_at = (order.submitted_at or timezone.now()) + dt.timedelta(hours=hours)
    else:
        order.review_due_at = None


def classify(order: Order, customer: Any) -> None:
    """Type, priority and grade by the intake rules (domain.classify)."""
    result = domain.classify(
        requested_type=order.type,
        requested_priority=order.priority,
        channel_kind=order.channel.kind,
        customer_grade=customer.grade,
        customer_kind=customer.kind,
    )
    order.type, order.priority, order.customer_grade = result.type, result.priority, result.customer_grade


def emit_outcome(order: Order) -> None:
    if order.status == S.CONFIRMED:
        emit(events.OrderConfirmed, order)
    elif order.status == S.ON_HOLD:
        emit(events.OrderHeld, order, reasons=[r["reason"] for r in order.hold_reasons])
    else:
        emit(events.OrderSubmittedForReview, order)


@dataclass(frozen=True)
class Submission:
    """What submitting wrote: the check results (in the order stored), the allocations (one
    per line) and the `submitted` audit entry."""

    results: list[checks.CheckResult]
    allocations: list[inventory.Allocation]
    entry: AuditEntry


def submit_lines(
    *,
    order: Order,
    lines: Sequence[OrderLine],
    skus: dict[str, Any],
    customer: Any,
    actor: Actor,
    previous: AuditEntry | None = None,
    new_lines: bool = False,
) -> Submission:
    """Submit a draft (new or saved): see the placement module docstring. `previous`: the
    order's last audit entry when the caller has just written it; `new_lines`: the lines are
    not saved yet (they are inserted priced, before they reserve)."""
    before = order_state(order)
    classify(order, customer)
    quote = _price(order, lines, skus, strict_coupons=True)
    pricing.coupons_redeem(order, quote, actor=actor)
    if new_lines:
        lines = rows_insert(lines)
    allocations = reserve(order, lines)
    if new_lines:  # priced when inserted; only a short line has more to store
        OrderLine.objects.bulk_update(
            [line for line in lines if line.backorder_quantity], ["backorder_quantity"]
        )
    else:
        OrderLine.objects.bulk_update(
            lines,
            [
                "unit_price",
                "list_price",
                "tax_rate",
                "discount",
                "subtotal",
                "tax_amount",
                "backorder_quantity",
            ],
        )
    # Checks run at submission and on release only, and a draft is submitted once: first run.
    results = review(order, lines, skus, customer, first=True)
    order.submitted_at = timezone.now()
    decide(order, lines, results)
    order.promised_date = providers.promised_date(
        providers.PromiseFacts(
            channel_sla_hours=order.channel.sla_hours,
            business_date=timezone.localdate(order.submitted_at),
            priority=order.priority,
            shipping_province=str(order.shipping_address.get("province", "")),
        )
    )
    save(
        order,
        [
            "status",
            "held_from",
            "hold_reasons",
            "prices_include_tax",
            "subtotal",
            "discount_total",
            "shipping_fee",
            "tax_total",
            "total",
            "applied_promotions",
            "lines_digest",
            "submitted_at",
            "confirmed_at",
            "promised_date",
            "review_due_at",
            "type",
            "priority",
            "customer_grade",
        ],
    )
    entry = audit(order, action="submitted", actor=actor, before=before, previous=previous)
    emit(events.OrderPlaced, order)
    emit_outcome(order)
    return Submission(results, allocations, entry)
