"""Reads of the orders context."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dingdan.core.audit import audit_timeline
from dingdan.core.models import AuditEntry
from dingdan.inventory import selectors as inventory

from . import domain, providers
from .checks import DEFAULT_PARAMS, check_label, registered_checks, render_reason
from .exceptions import ChangeRequestNotFound, ExceptionCaseNotFound, OrderNotFound
from .models import (
    STAFF_LABELS,
    STATUS_LABELS,
    BlacklistEntry,
    CheckSetting,
    ExceptionCase,
    Order,
    OrderChangeRequest,
    OrderCheckResult,
    OrderLine,
    OrderPriority,
    OrderRevision,
    OrderType,
)

# The names of the orders' codes, for the interfaces to show (lazy: translated when rendered).
STAFF_LABEL_NAMES = STAFF_LABELS
STATUS_NAMES = STATUS_LABELS
TYPE_NAMES = {member.value: member.label for member in OrderType}
PRIORITY_NAMES = {member.value: member.label for member in OrderPriority}
CHECK_OUTCOME_NAMES = {member.value: member.label for member in OrderCheckResult.Outcome}

# The staff labels as conditions on the three statuses: the inverse of domain.staff_label
# (tests check both agree for every combination of statuses).
_CLOSED = ("cancelled", "rejected", "completed", "draft")
_SHIPPED = ("partially_shipped", "shipped", "delivered", "partially_returned", "returned")
_PAID = ("paid", "partially_refunded", "refunded")
_OPEN_UNSHIPPED = ~Q(status__in=_CLOSED) & ~Q(fulfillment_status__in=_SHIPPED)
STAFF_LABEL_CONDITIONS: dict[str, Q] = {
    "draft": Q(status="draft"),
    "awaiting_review": Q(status="pending_review") & _OPEN_UNSHIPPED,
    "on_hold": Q(status="on_hold") & _OPEN_UNSHIPPED,
    "awaiting_payment": Q(status="confirmed", pay_first=True)
    & _OPEN_UNSHIPPED
    & ~Q(payment_status__in=_PAID),
    "awaiting_shipment": Q(status="confirmed")
    & _OPEN_UNSHIPPED
    & (Q(pay_first=False) | Q(payment_status__in=_PAID)),
    "shipped": ~Q(status__in=_CLOSED) & Q(fulfillment_status__in=_SHIPPED),
    "completed": Q(status="completed"),
    "cancelled": Q(status__in=("cancelled", "rejected")),
}


@dataclass(frozen=True)
class OrderFilters:
    """`label`: one of the staff labels (domain.StaffLabel), derived from the three statuses."""

    label: str | None = None
    status: str | None = None
    channel: str | None = None
    customer_id: int | None = None
    number: str | None = None
    external_reference: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    channel_id: int | None = None  # the caller's bound channel: nothing of another channel


def order_list(*, filters: OrderFilters) -> QuerySet[Order]:
    orders = Order.objects.select_related("channel")
    if filters.channel_id is not None:
        orders = orders.filter(channel_id=filters.channel_id)
    if filters.label:
        orders = orders.filter(STAFF_LABEL_CONDITIONS[filters.label])
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


def order_channel_id(*, order_id: int) -> int | None:
    """The id of the order's sales channel (None: no such order); one read of the order's row."""
    return Order.objects.filter(pk=order_id).values_list("channel_id", flat=True).first()


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


# Exception cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionFilters:
    status: str | None = None
    kind: str | None = None
    order_id: int | None = None
    owner_id: int | None = None
    owner_role: str | None = None
    is_open: bool | None = None
    is_overdue: bool | None = None
    channel_id: int | None = None  # the caller's bound channel: cases of its orders only


def exception_list(*, filters: ExceptionFilters, now: dt.datetime | None = None) -> QuerySet[ExceptionCase]:
    """Cases with their order and owner joined (one query per page)."""
    cases = ExceptionCase.objects.select_related("order", "owner")
    if filters.channel_id is not None:
        cases = cases.filter(order__channel_id=filters.channel_id)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.order_id:
        cases = cases.filter(order_id=filters.order_id)
    if filters.owner_id:
        cases = cases.filter(owner_id=filters.owner_id)
    if filters.owner_role:
        cases = cases.filter(owner_role=filters.owner_role)
    closed = [status.value for status in domain.CASE_CLOSED]
    if filters.is_open is not None:
        cases = cases.exclude(status__in=closed) if filters.is_open else cases.filter(status__in=closed)
    if filters.is_overdue is not None:
        overdue = Q(due_at__lt=now or timezone.now()) & ~Q(status__in=closed)
        cases = cases.filter(overdue) if filters.is_overdue else cases.exclude(overdue)
    return cases


def exception_get(*, case_id: int) -> ExceptionCase:
    case = (
        ExceptionCase.objects.select_related("order", "owner")
        .prefetch_related("notes")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise ExceptionCaseNotFound()
    return case


def exception_is_overdue(case: ExceptionCase, now: dt.datetime | None = None) -> bool:
    return (
        case.due_at is not None
        and case.status not in domain.CASE_CLOSED
        and case.due_at < (now or timezone.now())
    )


def exception_options(case: ExceptionCase) -> list[dict[str, Any]]:
    """What the clerk may choose for an open stock shortage (empty for other cases)."""
    from .services.shortage import shortage_options

    if case.kind != "stock_shortage" or case.status in domain.CASE_CLOSED or case.line_number is None:
        return []
    if not case.order.lines.filter(line_number=case.line_number).exists():
        return []
    return [
        {"code": option.code, "label": str(option.label), "details": option.details}
        for _facts, option, _provider in shortage_options(case.order, case.line_number)
    ]


# Credit exposure -------------------------------------------------------------------------

OPEN_UNPAID = {"payment_status__in": ["unpaid", "authorized", "partially_paid"]}


def credit_exposure(*, customer_id: int, excluding_order_id: int | None = None) -> Decimal:
    """The customer's open exposure: the registered provider's (billing's receivables), else
    the value of the customer's submitted orders that are neither closed nor paid."""
    provider = providers.credit_exposure_provider()
    if provider is not None:
        return provider(customer_id)
    orders = Order.objects.filter(customer_id=customer_id, status__in=list(domain.RESERVING), **OPEN_UNPAID)
    if excluding_order_id is not None:
        orders = orders.exclude(pk=excluding_order_id)
    total = orders.aggregate(total=Sum("total"))["total"] or Decimal("0")
    return Decimal(total).quantize(Decimal("0.01"))  # SQLite sums drop the scale


# The review queue ----------------------------------------------------------------------------

QUEUE_ORDERING = ("urgent_rank", "vip_rank", "submitted_at", "pk")


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    channel: str | None = None
    owner_id: int | None = None
    is_overdue: bool | None = None
    is_unassigned: bool | None = None


def review_queue(*, filters: QueueFilters, now: dt.datetime | None = None) -> QuerySet[Order]:
    """Orders waiting for review or on hold: urgent first, then VIP customers, then the
    oldest submission (paginate with QUEUE_ORDERING). The findings of each order's check
    runs that did not pass are prefetched (queue_reasons picks the last run's)."""
    orders = (
        Order.objects.filter(status__in=list(domain.IN_REVIEW_QUEUE))
        .select_related("channel", "review_owner")
        .annotate(
            urgent_rank=Case(When(priority=Order.Priority.URGENT, then=Value(0)), default=Value(1)),
            vip_rank=Case(When(customer_grade__in=list(domain.VIP_GRADES), then=Value(0)), default=Value(1)),
        )
        .prefetch_related(
            Prefetch(
                "check_results",
                queryset=OrderCheckResult.objects.exclude(outcome="pass").order_by("run", "pk"),
                to_attr="findings",
            )
        )
    )
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.channel:
        orders = orders.filter(channel__code=filters.channel)
    if filters.owner_id:
        orders = orders.filter(review_owner_id=filters.owner_id)
    if filters.is_unassigned is not None:
        orders = orders.filter(review_owner__isnull=filters.is_unassigned)
    if filters.is_overdue is not None:
        overdue = Q(review_due_at__lt=now or timezone.now())
        orders = orders.filter(overdue) if filters.is_overdue else orders.exclude(overdue)
    return orders


def queue_reasons(order: Order) -> list[dict[str, Any]]:
    """Why the order waits: its hold reasons, then the warnings of its last check run."""
    findings = getattr(order, "findings", None)
    if findings is None:
        findings = list(order.check_results.exclude(outcome="pass").order_by("run", "pk"))
    last_run = max((row.run for row in findings), default=0)
    warnings = [
        {"reason": row.reason, "message": render_reason(row.reason, row.params)}
        for row in findings
        if row.run == last_run and row.outcome == "warn"
    ]
    return [*hold_reasons(order), *warnings]


def is_overdue(due_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    return due_at is not None and due_at < (now or timezone.now())


# Check settings and the blacklist ------------------------------------------------------------


def check_settings_for_channel(*, channel_id: int) -> list[dict[str, Any]]:
    """Every registered check with the channel's setting (defaults where it has none)."""
    rows = {row.check_code: row for row in CheckSetting.objects.filter(channel_id=channel_id)}
    result = []
    for code in registered_checks():
        row = rows.get(code)
        result.append(
            {
                "check": code,
                "label": check_label(code),
                "is_enabled": row.is_enabled if row else True,
                "severity": row.severity if row else "",
                "params": {**DEFAULT_PARAMS.get(code, {}), **(row.params if row else {})},
            }
        )
    return result


def blacklist_list(*, kind: str | None = None, is_active: bool | None = None) -> QuerySet[BlacklistEntry]:
    entries = BlacklistEntry.objects.all()
    if kind:
        entries = entries.filter(kind=kind)
    if is_active is not None:
        entries = entries.filter(is_active=is_active)
    return entries


def order_revisions(*, order_id: int) -> QuerySet[OrderRevision]:
    return OrderRevision.objects.filter(order_id=order_id).order_by("revision")


def change_request_get(*, change_request_id: int) -> OrderChangeRequest:
    change = OrderChangeRequest.objects.select_related("order").filter(pk=change_request_id).first()
    if change is None:
        raise ChangeRequestNotFound()
    return change


# Sales figures (reports read them) ---------------------------------------------------------------

NOT_COUNTED = domain.NOT_COUNTED  # statuses whose orders bring no sales (the domain says which)


def sales_lines(*, periods: list[tuple[dt.datetime, dt.datetime]]) -> QuerySet[OrderLine]:
    """Lines of the orders that count for sales (status not in NOT_COUNTED) created within any
    of `periods` ([start, end) each, aware datetimes); no period, no lines."""
    if not periods:
        return OrderLine.objects.none()
    within = Q()
    for start, end in periods:
        within |= Q(order__created_at__gte=start, order__created_at__lt=end)
    return OrderLine.objects.filter(within).exclude(order__status__in=NOT_COUNTED)


# Ids per query: PostgreSQL takes at most 65,535 parameters in a statement bound on the
# server (PG_PREPARED_STATEMENTS), and a worker that fell behind leaves more orders in flight.
IDS_PER_QUERY = 10_000


def order_created_times(*, order_ids: list[int]) -> dict[int, dt.datetime]:
    """When each of the orders was created (unknown ids are left out), however many."""
    created: dict[int, dt.datetime] = {}
    for start in range(0, len(order_ids), IDS_PER_QUERY):
        chunk = order_ids[start : start + IDS_PER_QUERY]
        created.update(Order.objects.filter(pk__in=chunk).values_list("pk", "created_at"))
    return created


def first_order_created_at() -> dt.datetime | None:
    """When the oldest order was created (None without orders)."""
    return Order.objects.order_by("created_at").values_list("created_at", flat=True).first()
