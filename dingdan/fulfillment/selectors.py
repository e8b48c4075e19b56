"""Reads of the fulfillment context."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from dingdan.inventory import selectors as inventory_selectors
from dingdan.orders import selectors as order_selectors

from . import domain
from .exceptions import PackageNotFound, PickListNotFound, ShipmentNotFound
from .models import Carrier, Package, PickList, PickListLine, Shipment, TrackingEvent


def carrier_list(*, is_active: bool | None = True) -> QuerySet[Carrier]:
    carriers = Carrier.objects.all()
    return carriers.filter(is_active=is_active) if is_active is not None else carriers


def pick_list_list(
    *, warehouse: str | None = None, status: str | None = None, channel_id: int | None = None
) -> QuerySet[PickList]:
    """`channel_id`: the caller's bound channel: only pick lists all of whose orders are its own."""
    pick_lists = PickList.objects.select_related("warehouse")
    if channel_id is not None:
        foreign = PickListLine.objects.exclude(order__channel_id=channel_id).values("pick_list_id")
        pick_lists = pick_lists.filter(lines__order__channel_id=channel_id).exclude(pk__in=foreign).distinct()
    if warehouse:
        pick_lists = pick_lists.filter(warehouse__code=warehouse)
    if status:
        pick_lists = pick_lists.filter(status=status)
    return pick_lists


def pick_list_get(*, pick_list_id: int) -> PickList:
    pick_list = (
        PickList.objects.select_related("warehouse")
        .prefetch_related(
            Prefetch("lines", queryset=PickListLine.objects.select_related("order").order_by("sequence"))
        )
        .filter(pk=pick_list_id)
        .first()
    )
    if pick_list is None:
        raise PickListNotFound()
    return pick_list


def package_get(*, package_id: int) -> Package:
    package = (
        Package.objects.select_related("order", "warehouse", "pick_list", "shipment__carrier")
        .prefetch_related("lines__order_line")
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        raise PackageNotFound()
    return package


def packages_of_order(*, order_id: int) -> QuerySet[Package]:
    return Package.objects.filter(order_id=order_id).order_by("pk")


def shipment_list(
    *,
    order_id: int | None = None,
    status: str | None = None,
    carrier: str | None = None,
    channel_id: int | None = None,
) -> QuerySet[Shipment]:
    shipments = Shipment.objects.select_related("carrier", "warehouse", "order")
    if channel_id is not None:  # the caller's bound channel
        shipments = shipments.filter(order__channel_id=channel_id)
    if order_id:
        shipments = shipments.filter(order_id=order_id)
    if status:
        shipments = shipments.filter(status=status)
    if carrier:
        shipments = shipments.filter(carrier__code=carrier)
    return shipments


def order_ids_with_tracking_number(*, tracking_number: str, limit: int = 1000) -> list[int]:
    """Ids of the orders one of whose shipments carries exactly this tracking number (with any
    carrier), at most `limit`, in no particular order. One read of the index
    shipment_tracking_number alone: the back office's search runs it before its order query."""
    shipments = Shipment.objects.filter(tracking_number=tracking_number).order_by()
    return list(shipments.values_list("order_id", flat=True)[:limit])


def shipment_get(*, shipment_id: int) -> Shipment:
    shipment = (
        Shipment.objects.select_related("carrier", "warehouse", "order")
        .prefetch_related(
            "lines__order_line",
            Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "pk")),
            "packages",
        )
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise ShipmentNotFound()
    return shipment


def tracking_url(shipment: Shipment) -> str:
    return domain.tracking_url(shipment.carrier.tracking_url_template, shipment.tracking_number)


@dataclass(frozen=True)
class ShipmentTracking:
    """What a customer may see of a shipment: no address, no personal data."""

    number: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    updated_at: dt.datetime


def shipment_tracking(*, order_id: int) -> list[ShipmentTracking]:
    """The order's shipments, oldest first, with carrier, tracking number and link (one query)."""
    shipments = Shipment.objects.filter(order_id=order_id).select_related("carrier").order_by("pk")
    return [
        ShipmentTracking(
            number=shipment.number,
            carrier=shipment.carrier.name,
            tracking_number=shipment.tracking_number,
            tracking_url=tracking_url(shipment),
            status=shipment.status,
            updated_at=shipment.updated_at,
        )
        for shipment in shipments
    ]


@dataclass(frozen=True)
class AtRisk:
    order_id: int
    number: str
    promised_date: dt.date
    priority: str
    fulfillment_status: str
    reason: str


def orders_at_risk(
    *, now: dt.datetime | None = None, horizon_days: int = 1, limit: int = 500
) -> list[AtRisk]:
    """Confirmed orders not fully shipped whose promised ship date is at most `horizon_days`
    away (or past), with why each is likely to miss it (domain.at_risk_reason): late,
    backordered, not picked after the cut-off, not picked. Four queries."""
    moment = timezone.localtime(now or timezone.now())
    today = moment.date()
    cutoffs = [w["cutoff_time"] for w in inventory_selectors.warehouse_facts()]
    after_cutoff = bool(cutoffs) and moment.time() >= min(cutoffs)
    picked = PickListLine.objects.filter(order_id=OuterRef("pk"), picked__isnull=False)
    candidates = (
        order_selectors.order_list(filters=order_selectors.OrderFilters(status="confirmed"))
        .filter(promised_date__isnull=False, promised_date__lte=today + dt.timedelta(days=horizon_days))
        .exclude(fulfillment_status__in=["shipped", "delivered", "partially_returned", "returned"])
        .annotate(
            has_backorder=Exists(
                order_selectors.order_list(filters=order_selectors.OrderFilters()).filter(
                    pk=OuterRef("pk"), lines__backorder_quantity__gt=0
                )
            ),
            was_picked=Exists(picked),
        )
        .order_by("promised_date", "pk")[:limit]
    )
    found = []
    for order in candidates:
        reason = domain.at_risk_reason(
            domain.RiskFacts(order.promised_date, False, order.has_backorder, order.was_picked),
            today=today,
            after_cutoff=after_cutoff,
        )
        if reason and order.promised_date is not None:
            found.append(
                AtRisk(
                    order.pk,
                    order.number,
                    order.promised_date,
                    order.priority,
                    order.fulfillment_status,
                    reason,
                )
            )
    return found


def on_time_rate(*, since: dt.date) -> tuple[int, int]:
    """(shipments that left by their order's promised date, shipments) since a date."""
    shipments = Shipment.objects.filter(shipped_at__date__gte=since, promised_date__isnull=False)
    total = shipments.count()
    on_time = sum(
        1
        for shipped_at, promised in shipments.values_list("shipped_at", "promised_date")
        if promised is not None and timezone.localdate(shipped_at) <= promised
    )
    return on_time, total
