"""Reads of the orders context."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from dingdan.core.audit import audit_timeline
from dingdan.core.models import AuditEntry
from dingdan.inventory import selectors as inventory

from . import domain
from .checks import render_reason
from .exceptions import OrderNotFound
from .models import Order, OrderCheckResult, OrderLine


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    channel: str | None = None
    customer_id: int | None = None
    number: str | None = None
    external_reference: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None


def order_list(*, filters: OrderFilters) -> QuerySet[Order]:
    orders = Order.objects.select_related("channel")
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.channel:
        orders = orders.filter(channel__code=filters.channel)
    if filters.customer_id:
        orders = orders.filter(customer_id=filters.customer_id)
    if filters.number:
        orders = orders.filter(number__startswith=filters.number.strip().upper())
    if filters.external_reference:
        orders = orders.filter(external_reference=filters.external_reference)
    if filters.created_from:
        orders = orders.filter(created_at__gte=filters.created_from)
    if filters.created_to:
        orders = orders.filter(created_at__lt=filters.created_to)
    return orders


def order_get(*, order_id: int) -> Order:
    order = (
        Order.objects.select_related("channel")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise OrderNotFound()
    return order


def staff_label(order: Order) -> domain.StaffLabel:
    return domain.staff_label(
        status=domain.Status(order.status),
        payment_status=domain.PaymentStatus(order.payment_status),
        fulfillment_status=domain.FulfillmentStatus(order.fulfillment_status),
        pay_first=order.pay_first,
    )


def available_actions(order: Order) -> list[str]:
    return [action.value for action in domain.available_actions(domain.Status(order.status))]


MANUAL_HOLD = _("Put on hold by hand: %(note)s")


def _hold_message(reason: str, params: dict[str, Any]) -> str:
    if reason == "manual_hold":  # not a check's reason: the reviewer's own note
        return str(MANUAL_HOLD) % {"note": params.get("note", "")}
    return render_reason(reason, params)


def hold_reasons(order: Order) -> list[dict[str, Any]]:
    """Why the order is on hold, each reason with its localised message."""
    return [
        {"reason": r["reason"], "message": _hold_message(r["reason"], r.get("params", {}))}
        for r in order.hold_reasons
    ]


def latest_check_results(order: Order) -> list[dict[str, Any]]:
    """The results of the order's last check run, in the order they ran (one query)."""
    last_run = OrderCheckResult.objects.filter(order=order).order_by("-run").values("run")[:1]
    rows = OrderCheckResult.objects.filter(order=order, run=Subquery(last_run)).order_by("pk")
    return [
        {
            "check": row.check_code,
            "outcome": row.outcome,
            "reason": row.reason,
            "message": render_reason(row.reason, row.params) if row.reason else "",
        }
        for row in rows
    ]


def order_reservations(order: Order) -> list[Any]:
    line_ids = [str(line.pk) for line in order.lines.all()]
    return inventory.reservations_for(demand_type="order_line", demand_ids=line_ids)


def order_timeline(order: Order) -> list[AuditEntry]:
    return audit_timeline(aggregate_type="order", aggregate_id=order.pk)
