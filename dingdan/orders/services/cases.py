"""Exception cases: open, assign, note, resolve (a stock shortage through one of the offered
options, carried out by its provider in the same transaction) and cancel."""

import datetime as dt
import re
from dataclasses import asdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.accounts.scopes import ROLES
from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import PreconditionFailed, ValidationFailed
from dingdan.core.outbox import outbox_emit

from .. import domain, events
from ..exceptions import ExceptionCaseNotFound, InvalidExceptionTransition, ShortageOptionUnavailable
from ..lock_objects import order_for_update
from ..models import ExceptionCase, ExceptionNote, Order
from .shortage import shortage_facts, shortage_options

CaseAction = domain.CaseAction
# Hours to the due time when none is given, per kind (a shortage holds up a shipment).
DUE_HOURS = {"stock_shortage": 4, "payment_problem": 24, "address_problem": 8, "delivery_failure": 8}
DEFAULT_DUE_HOURS = 24
DEFAULT_ROLES = {
    "stock_shortage": "order_clerk",
    "payment_problem": "finance",
    "address_problem": "customer_service",
    "delivery_failure": "logistics",
    "damaged_goods": "customer_service",
    "wrong_goods": "customer_service",
    "customer_request": "customer_service",
}
RESOLUTION_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
AUDITED = ["status", "owner_id", "owner_role", "due_at", "resolution", "version"]


def _state(case: ExceptionCase) -> dict[str, Any]:
    return {name: getattr(case, name) for name in AUDITED}


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _audit(
    case: ExceptionCase, action: str, actor: Actor, before: dict[str, Any] | None, note: str = ""
) -> None:
    audit_record(
        aggregate_type="exception_case",
        aggregate_id=case.pk,
        action=action,
        actor=actor,
        before=before,
        after=_state(case),
        note=note,
    )


def _emit(event_class: type[events.ExceptionCaseEvent], case: ExceptionCase, order: Order) -> None:
    outbox_emit(
        event_class(
            aggregate_id=str(case.pk),
            order_id=order.pk,
            order_number=order.number,
            line_number=case.line_number,
            kind=case.kind,
            status=case.status,
            owner_role=case.owner_role,
            resolution=case.resolution,
            channel_id=order.channel_id,
        )
    )


def _validate_open(order: Order, kind: str, line_number: int | None, owner_role: str) -> None:
    errors = []
    if kind not in ExceptionCase.Kind.values:
        errors.append(_error("kind", _("Unknown exception kind."), "invalid_kind"))
    if line_number is not None and not order.lines.filter(line_number=line_number).exists():
        errors.append(_error("line_number", _("The order has no such line."), "unknown_line"))
    if owner_role and owner_role not in ROLES:
        errors.append(_error("owner_role", _("No such role."), "unknown_role"))
    if kind == "stock_shortage" and line_number is None:
        errors.append(_error("line_number", _("Name the short line."), "required"))
    if errors:
        raise ValidationFailed(errors=errors)


@transaction.atomic
def exception_open(
    *,
    order_id: int,
    kind: str,
    actor: Actor,
    line_number: int | None = None,
    note: str = "",
    owner_role: str = "",
    facts: dict[str, Any] | None = None,
    due_at: dt.datetime | None = None,
) -> ExceptionCase:
    """Open a case on an order or one of its lines. Unknown order: OrderNotFound; unknown
    kind, line or role, or a shortage without its line: ValidationFailed (nothing written).
    The due time defaults by kind (DUE_HOURS), the owner role by kind (DEFAULT_ROLES). A
    shortage case records the line's facts (SKU, short quantity, warehouses)."""
    order = order_for_update(order_id)
    _validate_open(order, kind, line_number, owner_role)
    now = timezone.now()
    all_facts = dict(facts or {})
    if kind == "stock_shortage" and line_number is not None:
        line_facts = shortage_facts(order, line_number)
        all_facts = {**asdict(line_facts), "warehouse_ids": list(line_facts.warehouse_ids), **all_facts}
    case = ExceptionCase.objects.create(
        order=order,
        line_number=line_number,
        kind=kind,
        owner_role=owner_role or DEFAULT_ROLES.get(kind, ""),
        due_at=due_at or now + dt.timedelta(hours=DUE_HOURS.get(kind, DEFAULT_DUE_HOURS)),
        facts=all_facts,
        opened_by=str(actor),
    )
    if note:
        ExceptionNote.objects.create(case=case, at=now, by=str(actor), text=note)
    _audit(case, "opened", actor, None, note)
    _emit(events.ExceptionOpened, case, order)
    return case


def _begin(case_id: int, action: domain.CaseAction, expected_version: int | None) -> ExceptionCase:
    """Lock the case's order, then the case; check the version and that the action is allowed."""
    order_id = ExceptionCase.objects.filter(pk=case_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise ExceptionCaseNotFound()
    order = order_for_update(order_id)
    case = ExceptionCase.objects.select_for_update().get(pk=case_id)
    case.order = order
    if expected_version is not None and expected_version != case.version:
        raise PreconditionFailed()
    if domain.case_next_status(action, domain.CaseStatus(case.status)) is None:
        raise InvalidExceptionTransition()
    return case


def _save(case: ExceptionCase, fields: list[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def exception_assign(
    *,
    case_id: int,
    actor: Actor,
    owner_id: int | None = None,
    owner_role: str | None = None,
    due_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ExceptionCase:
    """Give an open case an owner (a staff user), a role and/or a new due time; it is then
    in progress. Unknown or inactive user, unknown role: ValidationFailed; a closed case:
    InvalidExceptionTransition; a stale version: PreconditionFailed."""
    case = _begin(case_id, CaseAction.ASSIGN, expected_version)
    errors = []
    if owner_id is not None and not get_user_model().objects.filter(pk=owner_id, is_active=True).exists():
        errors.append(_error("owner_id", _("No such active user."), "unknown_user"))
    if owner_role and owner_role not in ROLES:
        errors.append(_error("owner_role", _("No such role."), "unknown_role"))
    if errors:
        raise ValidationFailed(errors=errors)
    before = _state(case)
    if owner_id is not None:
        case.owner_id = owner_id
    if owner_role is not None:
        case.owner_role = owner_role
    if due_at is not None:
        case.due_at = due_at
    case.status = domain.CaseStatus.IN_PROGRESS
    _save(case, ["owner", "owner_role", "due_at", "status"])
    _audit(case, "assigned", actor, before)
    _emit(events.ExceptionAssigned, case, case.order)
    return case


@transaction.atomic
def exception_note_add(*, case_id: int, text: str, actor: Actor) -> ExceptionNote:
    """Append a note to an open case. Empty text: ValidationFailed; a closed case:
    InvalidExceptionTransition."""
    if not text.strip():
        raise ValidationFailed(errors=[_error("text", _("Write the note."), "required")])
    case = _begin(case_id, CaseAction.NOTE, None)
    note = ExceptionNote.objects.create(case=case, at=timezone.now(), by=str(actor), text=text)
    _save(case, [])
    _audit(case, "noted", actor, None, text)
    return note


def _carry_out_shortage(case: ExceptionCase, option_code: str, actor: Actor) -> dict[str, Any]:
    """Recompute the options now (stock moves) and carry out the chosen one."""
    offered = shortage_options(case.order, case.line_number or 0)
    chosen = next(
        ((facts, option, provider) for facts, option, provider in offered if option.code == option_code), None
    )
    if chosen is None:
        raise ShortageOptionUnavailable()
    facts, option, provider = chosen
    provider.carry_out(facts, option=option, actor=actor)
    return {"option": option.code, "details": option.details}


@transaction.atomic
def exception_resolve(
    *,
    case_id: int,
    resolution: str,
    actor: Actor,
    note: str = "",
    expected_version: int | None = None,
) -> ExceptionCase:
    """Resolve a case with a resolution code. A stock shortage's resolution is the code of
    one of the options offered now (exception_get lists them); its provider carries it out
    in this transaction, and if it cannot (ShortageOptionUnavailable or its own error)
    nothing changes. A bad code: ValidationFailed; a closed case: InvalidExceptionTransition."""
    if not RESOLUTION_CODE.match(resolution or ""):
        raise ValidationFailed(errors=[_error("resolution", _("Give a resolution code."), "invalid")])
    case = _begin(case_id, CaseAction.RESOLVE, expected_version)
    before = _state(case)
    if case.kind == "stock_shortage":
        case.facts = {**case.facts, "resolution": _carry_out_shortage(case, resolution, actor)}
    case.status, case.resolution, case.resolution_note = domain.CaseStatus.RESOLVED, resolution, note
    case.closed_at = timezone.now()
    _save(case, ["status", "resolution", "resolution_note", "facts", "closed_at"])
    _audit(case, "resolved", actor, before, note)
    _emit(events.ExceptionResolved, case, case.order)
    return case


@transaction.atomic
def exception_cancel(
    *, case_id: int, reason: str, actor: Actor, expected_version: int | None = None
) -> ExceptionCase:
    """Close a case opened in error; a reason is required."""
    if not reason.strip():
        raise ValidationFailed(errors=[_error("reason", _("Give a reason."), "required")])
    case = _begin(case_id, CaseAction.CANCEL, expected_version)
    before = _state(case)
    case.status, case.resolution_note, case.closed_at = domain.CaseStatus.CANCELLED, reason, timezone.now()
    _save(case, ["status", "resolution_note", "closed_at"])
    _audit(case, "cancelled", actor, before, reason)
    _emit(events.ExceptionCancelled, case, case.order)
    return case
