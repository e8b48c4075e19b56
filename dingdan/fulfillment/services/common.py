"""Helpers shared by the fulfilment services."""

from typing import Any

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record

DEMAND = "order_line"  # the reservations of order lines (orders' demand type)


def audit(
    aggregate: str,
    pk: int,
    action: str,
    actor: Actor,
    *,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> None:
    audit_record(
        aggregate_type=aggregate,
        aggregate_id=pk,
        action=action,
        actor=actor,
        before=before,
        after=after,
        note=note,
    )


def field_error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}
