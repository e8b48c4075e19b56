"""Tracking events: by signed webhook, by CSV/Excel upload or by hand. Each event moves the
shipment (and, on delivery, the order); a failed delivery, a return to sender or a loss
opens a delivery_failure exception case owned by logistics. An event id seen before is a
replay and changes nothing."""

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.outbox import outbox_emit
from dingdan.orders import services as orders

from .. import domain, events
from ..exceptions import InvalidSignature, InvalidTrackingFile, ShipmentNotFound
from ..models import Shipment, TrackingEvent
from .common import audit, field_error
from .shipping import _event, carrier_get

SIGNATURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_ROWS = 5000
COLUMNS = ("carrier", "tracking_number", "event_id", "kind", "occurred_at", "location", "description")


@dataclass(frozen=True)
class TrackingUpdate:
    carrier_code: str
    tracking_number: str
    event_id: str
    kind: str
    occurred_at: dt.datetime
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Recorded:
    event: TrackingEvent
    duplicate: bool


def _shipment(carrier_code: str, tracking_number: str) -> Shipment:
    shipment = (
        Shipment.objects.select_for_update()
        .filter(carrier__code=carrier_code, tracking_number=tracking_number.strip().upper())
        .first()
    )
    if shipment is None:
        raise ShipmentNotFound()
    return shipment


def _check(update: TrackingUpdate, prefix: str = "") -> list[dict[str, str]]:
    errors = []
    if update.kind not in domain.EVENT_STATUS:
        errors.append(field_error(f"{prefix}kind", _("Not a kind of tracking event."), "invalid_kind"))
    if not update.event_id or len(update.event_id) > 100:
        errors.append(
            field_error(f"{prefix}event_id", _("Give the event's id (at most 100 characters)."), "invalid")
        )
    if update.occurred_at.tzinfo is None:
        errors.append(field_error(f"{prefix}occurred_at", _("Give the time with its UTC offset."), "invalid"))
    return errors


@transaction.atomic
def tracking_event_record(*, actor: Actor, update: TrackingUpdate, source: str) -> Recorded:
    """Record one tracking event and apply it to its shipment. Raises ValidationFailed,
    CarrierNotFound, ShipmentNotFound; a known event id returns the stored event
    (duplicate) and changes nothing."""
    known = TrackingEvent.objects.filter(event_id=update.event_id).first()
    if known is not None:
        return Recorded(known, True)
    errors = _check(update)
    if errors:
        raise ValidationFailed(errors=errors)
    carrier_get(code=update.carrier_code)
    shipment = _shipment(update.carrier_code, update.tracking_number)
    target = domain.shipment_status_after(shipment.status, update.kind)
    try:
        with transaction.atomic():
            event = TrackingEvent.objects.create(
                shipment=shipment,
                event_id=update.event_id,
                kind=update.kind,
                occurred_at=update.occurred_at,
                location=update.location[:100],
                description=update.description[:255],
                source=source,
                applied=target is not None,
                recorded_by=str(actor),
            )
    except IntegrityError:  # the same event arrived twice at once: the other one won
        return Recorded(TrackingEvent.objects.get(event_id=update.event_id), True)
    if target is not None:
        _apply(shipment, event, target, actor)
    return Recorded(event, False)


def _apply(shipment: Shipment, event: TrackingEvent, target: domain.ShipmentStatus, actor: Actor) -> None:
    before = shipment.status
    shipment.status = target
    fields = ["status", "updated_at"]
    if target == domain.SS.DELIVERED:
        shipment.delivered_at = event.occurred_at
        fields.append("delivered_at")
    shipment.save(update_fields=fields)
    audit(
        "shipment",
        shipment.pk,
        "tracked",
        actor,
        before={"status": before},
        after={"status": target},
        note=event.event_id,
    )
    outbox_emit(
        _event(
            events.ShipmentStatusChanged,
            shipment,
            shipment.order,
            event_kind=event.kind,
            location=event.location,
        )
    )
    if target == domain.SS.DELIVERED:
        undelivered = (
            Shipment.objects.filter(order_id=shipment.order_id).exclude(status=domain.SS.DELIVERED).exists()
        )
        orders.order_delivery_record(
            actor=actor,
            order_id=shipment.order_id,
            shipment_number=shipment.number,
            all_shipments_delivered=not undelivered,
        )
    case_kind = domain.EXCEPTION_EVENTS.get(event.kind)
    if case_kind:
        orders.exception_open(
            order_id=shipment.order_id,
            kind=case_kind,
            actor=actor,
            note=_("Shipment %(number)s (%(carrier)s %(tracking)s): %(event)s at %(location)s.")
            % {
                "number": shipment.number,
                "carrier": shipment.carrier.name,
                "tracking": shipment.tracking_number,
                "event": event.get_kind_display(),
                "location": event.location or "-",
            },
            owner_role="logistics",
            facts={
                "shipment": shipment.number,
                "tracking_number": shipment.tracking_number,
                "event": event.kind,
            },
        )


# Webhook -------------------------------------------------------------------------------------


def signature_verify(*, secret: str, body: bytes, header: str, now: dt.datetime) -> None:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">` (ARCHITECTURE §6b), at most five
    minutes old. Raises InvalidSignature."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        sent = int(parts.get("t", ""))
    except ValueError as error:
        raise InvalidSignature() from error
    expected = hmac.new(secret.encode(), f"{sent}.".encode() + body, hashlib.sha256).hexdigest()
    if not secret or not hmac.compare_digest(expected, parts.get("v1", "")):
        raise InvalidSignature()
    if abs(now.timestamp() - sent) > SIGNATURE_TOLERANCE.total_seconds():
        raise InvalidSignature()


def signature_header(*, secret: str, body: bytes, at: int) -> str:
    """What a carrier sends (tests and the carrier simulators use it)."""
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def _parsed_time(value: Any, field: str) -> dt.datetime:
    parsed = parse_datetime(str(value or "")) if not isinstance(value, dt.datetime) else value
    if parsed is None:
        raise ValidationFailed(errors=[field_error(field, _("Not a date and time (ISO 8601)."), "invalid")])
    return parsed


def tracking_webhook_receive(*, carrier_code: str, body: bytes, signature: str, actor: Actor) -> Recorded:
    """A carrier's signed webhook: `{"id", "type", "data": {"tracking_number", "kind",
    "occurred_at", "location", "description"}}`. Raises CarrierNotFound, InvalidSignature,
    ValidationFailed, ShipmentNotFound."""
    carrier = carrier_get(code=carrier_code)
    signature_verify(secret=carrier.webhook_secret, body=body, header=signature, now=timezone.now())
    try:
        payload = json.loads(body)
        data = payload["data"]
        update = TrackingUpdate(
            carrier_code=carrier.code,
            tracking_number=str(data["tracking_number"]),
            event_id=f"{carrier.code}:{payload['id']}",
            kind=str(data["kind"]),
            occurred_at=_parsed_time(data.get("occurred_at"), "data.occurred_at"),
            location=str(data.get("location") or ""),
            description=str(data.get("description") or ""),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ValidationFailed(errors=[field_error("body", _("Not a tracking event."), "invalid")]) from error
    return tracking_event_record(actor=actor, update=update, source="webhook")


# Upload --------------------------------------------------------------------------------------


def _rows(content: bytes, filename: str) -> list[dict[str, Any]]:
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            rows = [list(row) for row in sheet.iter_rows(values_only=True)] if sheet is not None else []
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise InvalidTrackingFile() from error
    else:
        try:
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as error:
            raise InvalidTrackingFile() from error
    if not rows:
        raise InvalidTrackingFile()
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    missing = [name for name in COLUMNS[:5] if name not in header]
    if missing:
        message = _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        raise InvalidTrackingFile(errors=[field_error("file", message, "missing_columns")])
    return [
        dict(zip(header, row, strict=False))
        for row in rows[1:]
        if any(cell not in (None, "") for cell in row)
    ]


def tracking_file_read(*, content: bytes, filename: str) -> list[TrackingUpdate]:
    """The events of a CSV or Excel file (columns carrier, tracking_number, event_id, kind,
    occurred_at, location, description). Raises InvalidTrackingFile or ValidationFailed
    naming every bad row."""
    rows = _rows(content, filename)
    if len(rows) > MAX_ROWS:
        raise InvalidTrackingFile(
            errors=[field_error("file", _("At most %(max)d rows.") % {"max": MAX_ROWS}, "too_many_rows")]
        )
    updates, errors = [], []
    for index, row in enumerate(rows, start=2):
        try:
            update = TrackingUpdate(
                carrier_code=str(row.get("carrier") or "").strip(),
                tracking_number=str(row.get("tracking_number") or "").strip(),
                event_id=str(row.get("event_id") or "").strip(),
                kind=str(row.get("kind") or "").strip(),
                occurred_at=_parsed_time(row.get("occurred_at"), f"rows.{index}.occurred_at"),
                location=str(row.get("location") or ""),
                description=str(row.get("description") or ""),
            )
        except ValidationFailed as failed:
            errors += failed.errors
            continue
        errors += _check(update, prefix=f"rows.{index}.")
        updates.append(update)
    if errors:
        raise ValidationFailed(errors=errors)
    return updates


@transaction.atomic
def tracking_events_upload(*, actor: Actor, updates: Sequence[TrackingUpdate]) -> list[Recorded]:
    """Record the events of an upload in one transaction: an unknown carrier or tracking
    number anywhere refuses the whole file (nothing changes)."""
    recorded = []
    for index, update in enumerate(updates, start=2):
        try:
            recorded.append(tracking_event_record(actor=actor, update=update, source="upload"))
        except (ShipmentNotFound, ValidationFailed) as error:
            message = _("Row %(row)d: %(problem)s") % {"row": index, "problem": error.message}
            raise ValidationFailed(errors=[field_error(f"rows.{index}", message, error.code)]) from error
    return recorded
