"""Sourcing: choose the warehouses an order ships from (pure `domain.source`), and move its
reservations there; staff may override the choice with a reason."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.inventory import selectors as inventory_selectors
from dingdan.inventory import services as inventory
from dingdan.orders import selectors as order_selectors
from dingdan.orders import services as orders

from .. import domain
from ..exceptions import InvalidSourcing, SourcingLocked
from ..models import PickListLine, PickListStatus, SourcingDecision, SourcingPolicy
from .common import DEMAND, audit, field_error


@dataclass(frozen=True)
class SourcingPreview:
    order_id: int
    plan: domain.SourcingPlan
    current: tuple[domain.Assignment, ...]  # where the order's units are reserved now
    warehouses: dict[int, str]  # id → code


def _policy(channel_id: int) -> tuple[domain.SourcingRules, frozenset[str], dict[str, int]]:
    policy = (
        SourcingPolicy.objects.filter(channel_id=channel_id).first()
        or SourcingPolicy.objects.filter(channel__isnull=True).first()
    )
    if policy is None:
        return domain.SourcingRules(), frozenset({"vip"}), {}
    rules = domain.SourcingRules(
        rules=tuple(policy.rules or domain.DEFAULT_RULES), allow_split=policy.allow_split
    )
    return (
        rules,
        frozenset(policy.priority_grades or ["vip"]),
        {str(k): int(v) for k, v in policy.warehouse_costs.items()},
    )


def _reserved(lines: Sequence[Any]) -> list[tuple[str, int, int, int]]:
    return inventory_selectors.open_reservations(
        demand_type=DEMAND, demand_ids=[str(line.pk) for line in lines]
    )


def _outstanding_pick_units(line_ids: Sequence[int]) -> int:
    """Units of these lines on pick lists and not yet shipped (0: the order may be re-sourced)."""
    rows = PickListLine.objects.filter(order_line_id__in=list(line_ids)).exclude(
        pick_list__status=PickListStatus.CANCELLED
    )
    total = rows.aggregate(units=Sum(Coalesce(F("picked"), F("quantity")) - F("shipped")))["units"]
    return int(total or 0)


def sourcing_preview(*, order_id: int) -> SourcingPreview:
    """What the rules would choose for the order's reserved units now, and why (no writes)."""
    order = order_selectors.order_get(order_id=order_id)
    lines = list(order.lines.all())
    reserved = _reserved(lines)
    own: dict[tuple[int, int], int] = {}
    per_line: dict[int, int] = {}
    for demand_id, sku, wh, units in reserved:
        own[(sku, wh)] = own.get((sku, wh), 0) + units
        per_line[int(demand_id)] = per_line.get(int(demand_id), 0) + units
    available = {
        (sku, wh): free + own.get((sku, wh), 0)
        for sku, wh, free in inventory_selectors.stock_available(sku_ids={line.sku_id for line in lines})
    }
    rules, grades, costs = _policy(order.channel_id)
    facts = inventory_selectors.warehouse_facts()
    warehouses = [
        domain.WarehouseFact(w["id"], w["code"], w["region"], w["priority"], costs.get(w["code"], 0))
        for w in facts
    ]
    plan = domain.source(
        [domain.SourcingLine(line.pk, line.sku_id, per_line.get(line.pk, 0)) for line in lines],
        warehouses,
        available,
        rules=rules,
        order_region=domain.region_of(str(order.shipping_address.get("province", ""))),
        priority_order=order.priority == "urgent" or order.customer_grade in grades,
    )
    current = tuple(domain.Assignment(int(d), wh, units) for d, _sku, wh, units in reserved)
    return SourcingPreview(order.pk, plan, current, {w["id"]: w["code"] for w in facts})


def _merged(assignments: Sequence[domain.Assignment]) -> dict[tuple[int, int], int]:
    merged: dict[tuple[int, int], int] = {}
    for a in assignments:
        merged[(a.line_id, a.warehouse_id)] = merged.get((a.line_id, a.warehouse_id), 0) + a.quantity
    return merged


def _check_override(
    assignments: Sequence[domain.Assignment],
    current: Sequence[domain.Assignment],
    warehouses: dict[int, str],
    reason: str,
) -> None:
    errors = []
    if not reason.strip():
        errors.append(field_error("reason", _("Say why you override the sourcing."), "required"))
    needed: dict[int, int] = {}
    for a in current:
        needed[a.line_id] = needed.get(a.line_id, 0) + a.quantity
    given: dict[int, int] = {}
    for index, a in enumerate(assignments):
        if a.warehouse_id not in warehouses:
            errors.append(
                field_error(
                    f"assignments.{index}.warehouse", _("No such active warehouse."), "unknown_warehouse"
                )
            )
        if a.quantity < 1:
            errors.append(
                field_error(
                    f"assignments.{index}.quantity", _("The quantity must be at least 1."), "invalid_quantity"
                )
            )
        given[a.line_id] = given.get(a.line_id, 0) + a.quantity
    if given != needed:
        errors.append(
            field_error(
                "assignments",
                _("Assign exactly the reserved units of every line: %(needed)s.") % {"needed": needed},
                "units_mismatch",
            )
        )
    if errors:
        raise InvalidSourcing(errors=errors)


@transaction.atomic
def order_source(
    *, actor: Actor, order_id: int, override: Sequence[domain.Assignment] | None = None, reason: str = ""
) -> SourcingDecision:
    """Source a confirmed order: move its reservations to the warehouses the rules choose (or
    that staff chose, with a reason) and record the decision with its explanation. Raises
    OrderNotShippable, SourcingLocked (units already on a pick list), InvalidSourcing (an
    override that does not assign exactly the reserved units), InsufficientStock (a chosen
    warehouse lacks the units); nothing changes then."""
    order = orders.order_for_fulfilment(order_id=order_id)
    preview = sourcing_preview(order_id=order.pk)
    line_ids = sorted({a.line_id for a in preview.current})
    if _outstanding_pick_units(line_ids):
        raise SourcingLocked()
    if override is not None:
        _check_override(override, preview.current, preview.warehouses, reason)
        chosen = tuple(override)
        explanation = [{"rule": "override", "params": {"reason": reason.strip()}}]
    else:
        if preview.plan.shortages:
            raise InvalidSourcing()
        chosen = preview.plan.assignments
        explanation = [{"rule": r.rule, "params": r.params} for r in preview.plan.explanation]
    merged = _merged(chosen)
    skus = {line.pk: line.sku_id for line in order.lines.all()}
    if merged != _merged(preview.current):
        inventory.reservations_replace(
            demand_type=DEMAND,
            demand_ids=[str(pk) for pk in line_ids],
            placements=[
                inventory.Placement(str(line), skus[line], wh, units)
                for (line, wh), units in sorted(merged.items())
            ],
            reference=order.number,
        )
    plan = [
        {"line_id": line, "warehouse_id": wh, "quantity": units}
        for (line, wh), units in sorted(merged.items())
    ]
    decision = SourcingDecision.objects.create(
        order_id=order.pk,
        plan=plan,
        explanation=explanation,
        is_override=override is not None,
        reason=reason.strip(),
        actor=str(actor),
    )
    audit(
        "order",
        order.pk,
        "sourced",
        actor,
        after={"plan": plan, "override": override is not None},
        note=reason.strip(),
    )
    return decision
