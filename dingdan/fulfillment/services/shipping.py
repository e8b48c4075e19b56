"""Shipments: packages handed to a carrier. Shipping consumes the reservations, writes the
outbound ledger rows and raises the lines' shipped quantities in one transaction; the
order's fulfilment status follows."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.numbering import number_next
from dingdan.core.outbox import outbox_emit
from dingdan.inventory import services as inventory
from dingdan.orders import services as orders

from .. import domain, events
from ..exceptions import (
    CarrierNotFound,
    InvalidTrackingNumber,
    PackageAlreadyShipped,
    PackageNotFound,
    TrackingNumberTaken,
)
from ..models import Carrier, Package, PackageLine, PickListLine, Shipment, ShipmentLine
from .common import DEMAND, audit, field_error

MAX_COST = Decimal("9999999999.99")


def carrier_get(*, code: str) -> Carrier:
    carrier = Carrier.objects.filter(code=code, is_active=True).first()
    if carrier is None:
        raise CarrierNotFound()
    return carrier


def _check(carrier: Carrier, service: str, tracking_number: str, cost: Decimal) -> None:
    errors = []
    if not domain.tracking_number_valid(tracking_number, carrier.tracking_pattern):
        raise InvalidTrackingNumber(
            errors=[
                field_error(
                    "tracking_number",
                    _("Not a %(carrier)s tracking number.") % {"carrier": carrier.name},
                    "invalid_tracking_number",
                )
            ]
        )
    if service and carrier.services and service not in carrier.services:
        message = _("Not a service of this carrier: %(services)s") % {"services": ", ".join(carrier.services)}
        errors.append(field_error("service", message, "unknown_service"))
    if not Decimal(0) <= cost <= MAX_COST:
        errors.append(
            field_error("cost", _("The cost must be between 0 and %(max)s.") % {"max": MAX_COST}, "invalid")
        )
    if errors:
        raise ValidationFailed(errors=errors)


def _packages(package_ids: Sequence[int]) -> list[Package]:
    wanted = sorted(set(package_ids))
    if not wanted:
        raise ValidationFailed(errors=[field_error("packages", _("Give at least one package."), "required")])
    packages = list(Package.objects.filter(pk__in=wanted).order_by("pk"))
    if len(packages) != len(wanted):
        raise PackageNotFound()
    if len({(p.order_id, p.warehouse_id) for p in packages}) != 1:
        message = _("A shipment carries packages of one order from one warehouse.")
        raise ValidationFailed(errors=[field_error("packages", message, "mixed_packages")])
    if any(p.shipment_id for p in packages):
        raise PackageAlreadyShipped()
    return packages


def _insert(shipment: Shipment) -> None:
    if Shipment.objects.filter(carrier=shipment.carrier, tracking_number=shipment.tracking_number).exists():
        raise TrackingNumberTaken()
    try:
        with transaction.atomic():
            shipment.save(force_insert=True)
    except IntegrityError as error:
        raise TrackingNumberTaken() from error


@transaction.atomic
def shipment_create(
    *,
    actor: Actor,
    package_ids: Sequence[int],
    carrier_code: str,
    tracking_number: str,
    service: str = "",
    cost: Decimal = Decimal("0.00"),
) -> Shipment:
    """Ship packages of one order from one warehouse (one package or all of them). Raises
    PackageNotFound, CarrierNotFound, InvalidTrackingNumber, ValidationFailed,
    TrackingNumberTaken, OrderNotShippable, PackageAlreadyShipped (a package shipped, e.g.
    by another clerk a moment ago); nothing changes then."""
    tracking_number = tracking_number.strip().upper()
    carrier = carrier_get(code=carrier_code)
    _check(carrier, service, tracking_number, cost)
    packages = _packages(package_ids)
    order = orders.order_for_fulfilment(order_id=packages[0].order_id)  # the order row first
    now = timezone.now()
    shipment = Shipment(
        number=number_next(series="shipment", prefix="SH"),
        order_id=order.pk,
        warehouse_id=packages[0].warehouse_id,
        carrier=carrier,
        service=service,
        tracking_number=tracking_number,
        cost=cost,
        currency=order.currency,
        shipped_at=now,
        promised_date=order.promised_date,
        shipped_by=str(actor),
    )
    _insert(shipment)
    claimed = Package.objects.filter(pk__in=[p.pk for p in packages], shipment__isnull=True).update(
        shipment=shipment, updated_at=now
    )
    if claimed != len(packages):
        raise PackageAlreadyShipped()
    _move_stock(shipment, packages, actor)
    outbox_emit(_event(events.ShipmentCreated, shipment, order))
    audit(
        "shipment",
        shipment.pk,
        "shipped",
        actor,
        after={"status": shipment.status, "packages": [p.number for p in packages]},
    )
    return shipment


def _move_stock(shipment: Shipment, packages: Sequence[Package], actor: Actor) -> None:
    contents = list(
        PackageLine.objects.filter(package__in=packages).values_list(
            "pick_line_id", "pick_line__bin_id", "order_line_id", "sku_id", "quantity"
        )
    )
    per_line: dict[int, tuple[int, int]] = {}
    per_pick: dict[int, int] = {}
    ship_lines = []
    for pick_line, bin_id, order_line, sku, units in contents:
        sku_id, total = per_line.get(order_line, (sku, 0))
        per_line[order_line] = (sku_id, total + units)
        per_pick[pick_line] = per_pick.get(pick_line, 0) + units
        ship_lines.append(inventory.ShipLine(str(order_line), sku, units, bin_id))
    inventory.stock_ship(
        actor=actor,
        warehouse_id=shipment.warehouse_id,
        demand_type=DEMAND,
        lines=ship_lines,
        reference=shipment.number,
    )
    for pick_line, units in sorted(per_pick.items()):
        if not PickListLine.objects.filter(pk=pick_line, shipped__lte=F("packed") - units).update(
            shipped=F("shipped") + units
        ):
            raise PackageAlreadyShipped()
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line, sku_id=sku, quantity=units)
        for line, (sku, units) in sorted(per_line.items())
    )
    orders.order_lines_ship(
        actor=actor,
        order_id=shipment.order_id,
        quantities={line: units for line, (_sku, units) in per_line.items()},
        shipment_number=shipment.number,
        carrier=shipment.carrier.code,
        tracking_number=shipment.tracking_number,
    )


def _event(
    event_class: type[events.ShipmentEvent], shipment: Shipment, order: Any, **extra: object
) -> events.ShipmentEvent:
    return event_class(
        aggregate_id=str(shipment.pk),
        channel_id=order.channel_id,
        number=shipment.number,
        order_id=shipment.order_id,
        order_number=order.number,
        carrier=shipment.carrier.code,
        tracking_number=shipment.tracking_number,
        tracking_url=domain.tracking_url(shipment.carrier.tracking_url_template, shipment.tracking_number),
        status=shipment.status,
        **extra,  # type: ignore[arg-type]
    )
