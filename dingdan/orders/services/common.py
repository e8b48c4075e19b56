"""Helpers shared by the order services: audit snapshot, events, version checks."""

from typing import Any

from django.db import DatabaseError

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import PreconditionFailed
from dingdan.core.models import AuditEntry
from dingdan.core.outbox import outbox_emit
from dingdan.core.rows import row_update, rows_insert

from .. import events
from ..models import Order

AUDITED = ["status", "payment_status", "fulfillment_status", "total", "hold_reasons", "version"]


def order_state(order: Order) -> dict[str, Any]:
    return {name: getattr(order, name) for name in AUDITED}


def check_version(order: Order, expected_version: int | None) -> None:
    """Optimistic concurrency: a stale If-Match is refused (412) before anything changes."""
    if expected_version is not None and expected_version != order.version:
        raise PreconditionFailed()


def audit(
    order: Order,
    *,
    action: str,
    actor: Actor,
    before: dict[str, Any] | None,
    note: str = "",
    previous: AuditEntry | None = None,
    first: bool = False,
) -> AuditEntry:
    """The order's next audit entry (`previous`/`first`: see audit_record)."""
    return audit_record(
        aggregate_type="order",
        aggregate_id=order.pk,
        action=action,
        actor=actor,
        before=before,
        after=order_state(order),
        note=note,
        previous=previous,
        first=first,
    )


def emit(event_class: type[events.OrderEvent], order: Order, **extra: Any) -> None:
    outbox_emit(
        event_class(
            aggregate_id=str(order.pk),
            number=order.number,
            status=order.status,
            channel=order.channel.code,
            customer_id=order.customer_id,
            total=str(order.total),
            currency=order.currency,
            channel_id=order.channel_id,
            **extra,
        )
    )


def save(order: Order, fields: list[str]) -> None:
    """Write `fields` of the order with its next version (what `save(update_fields=...)`
    writes, without the ORM's query building: every order change comes through here). An
    order being placed that is not written yet (placement took its pk) is inserted whole."""
    order.version += 1
    if order._state.adding:
        rows_insert([order])
        return
    if not row_update(order, [*fields, "version", "updated_at"]):
        raise DatabaseError("the order to update is gone")
