"""The review queue and its configuration: assign an order to a colleague, reclassify it,
set a channel's check settings, keep the blacklist."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from dingdan.channels import selectors as channels
from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import NotFound, ValidationFailed

from .. import checks, domain, events
from ..exceptions import InvalidOrderTransition, UnknownCheck
from ..lock_objects import order_for_update
from ..models import BlacklistEntry, CheckSetting, Order, OrderPriority, OrderType
from .common import audit, check_version, emit, save


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _active_user(owner_id: int, field: str = "owner_id") -> None:
    if not get_user_model().objects.filter(pk=owner_id, is_active=True).exists():
        raise ValidationFailed(errors=[_error(field, _("No such active user."), "unknown_user")])


@transaction.atomic
def order_assign(
    *,
    actor: Actor,
    order_id: int,
    owner_id: int | None,
    due_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Order:
    """Give an order in the review queue an owner (None: nobody) and optionally a new due
    time. Orders outside the queue: InvalidOrderTransition; unknown user: ValidationFailed."""
    order = order_for_update(order_id)
    check_version(order, expected_version)
    if order.status not in domain.IN_REVIEW_QUEUE:
        raise InvalidOrderTransition()
    if owner_id is not None:
        _active_user(owner_id)
    before = {"review_owner_id": order.review_owner_id, "review_due_at": order.review_due_at}
    order.review_owner_id = owner_id
    if due_at is not None:
        order.review_due_at = due_at
    save(order, ["review_owner", "review_due_at"])
    audit_record(
        aggregate_type="order",
        aggregate_id=order.pk,
        action="assigned",
        actor=actor,
        before=before,
        after={"review_owner_id": order.review_owner_id, "review_due_at": order.review_due_at},
    )
    return order


@transaction.atomic
def order_classify(
    *,
    actor: Actor,
    order_id: int,
    note: str,
    type: str | None = None,
    priority: str | None = None,
    customer_grade: str | None = None,
    expected_version: int | None = None,
) -> Order:
    """Change an open order's type, priority or customer grade by hand, with a note.
    Bad values: ValidationFailed; a closed order: InvalidOrderTransition."""
    errors = []
    if type is not None and type not in OrderType.values:
        errors.append(_error("type", _("Unknown order type."), "invalid"))
    if priority is not None and priority not in OrderPriority.values:
        errors.append(_error("priority", _("Unknown priority."), "invalid"))
    if not note.strip():
        errors.append(_error("note", _("Say why."), "required"))
    if errors:
        raise ValidationFailed(errors=errors)
    order = order_for_update(order_id)
    check_version(order, expected_version)
    if order.status in domain.TERMINAL:
        raise InvalidOrderTransition()
    changes = {"type": type, "priority": priority, "customer_grade": customer_grade}
    changes = {name: value for name, value in changes.items() if value is not None}
    before = {name: getattr(order, name) for name in changes}
    for name, value in changes.items():
        setattr(order, name, value)
    save(order, list(changes))
    audit(order, action="reclassified", actor=actor, before=before, note=note)
    emit(events.OrderReclassified, order, order_type=order.type, priority=order.priority)
    return order


def _check_params(check_code: str, params: dict[str, Any]) -> list[dict[str, str]]:
    """A check's parameters: only those it knows, each of the right kind."""
    known = checks.DEFAULT_PARAMS.get(check_code, {})
    errors = []
    for name, value in params.items():
        field = f"params.{name}"
        if name not in known:
            errors.append(_error(field, _("This check has no such parameter."), "unknown_parameter"))
        elif name == "countries" and not (
            isinstance(value, list) and all(isinstance(c, str) and len(c) == 2 and c.isupper() for c in value)
        ):
            errors.append(_error(field, _("Give a list of two-letter country codes."), "invalid"))
        elif name != "countries" and not (
            isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 10_000
        ):
            errors.append(_error(field, _("Give a number from 0 to 10000."), "invalid"))
    return errors


@transaction.atomic
def check_setting_set(
    *,
    actor: Actor,
    channel_id: int,
    check_code: str,
    is_enabled: bool | None = None,
    severity: str | None = None,
    params: dict[str, Any] | None = None,
) -> CheckSetting:
    """Set a channel's setting of one registered check (UnknownCheck otherwise): enabled,
    severity ("" as the check says, warn, fail), parameters (ValidationFailed if unknown or
    of the wrong kind). Audited."""
    channel = channels.channel_get(channel_id=channel_id)
    if check_code not in checks.registered_checks():
        raise UnknownCheck()
    errors = _check_params(check_code, params or {})
    if severity is not None and severity not in CheckSetting.Severity.values:
        errors.append(_error("severity", _("Unknown severity."), "invalid"))
    if errors:
        raise ValidationFailed(errors=errors)
    setting, _created = CheckSetting.objects.select_for_update().get_or_create(
        channel_id=channel.pk, check_code=check_code
    )
    before = {"is_enabled": setting.is_enabled, "severity": setting.severity, "params": setting.params}
    if is_enabled is not None:
        setting.is_enabled = is_enabled
    if severity is not None:
        setting.severity = severity
    if params is not None:
        setting.params = params
    setting.save(update_fields=["is_enabled", "severity", "params", "updated_at"])
    audit_record(
        aggregate_type="check_setting",
        aggregate_id=f"{channel.code}:{check_code}",
        action="updated",
        actor=actor,
        before=before,
        after={"is_enabled": setting.is_enabled, "severity": setting.severity, "params": setting.params},
    )
    return setting


def _blacklist_value(kind: str, value: Any) -> str:
    key = domain.blacklist_key(kind, value)
    if not key or (kind == "customer" and not key.isdigit()) or (kind == "email" and "@" not in key):
        raise ValidationFailed(errors=[_error("value", _("Give a value of this kind."), "invalid")])
    return key[:255]


@transaction.atomic
def blacklist_add(*, actor: Actor, kind: str, value: Any, reason: str = "") -> BlacklistEntry:
    """Blacklist a phone, e-mail, address (a dict) or customer id; an existing entry is
    reactivated. Bad kind or value: ValidationFailed."""
    if kind not in BlacklistEntry.Kind.values:
        raise ValidationFailed(errors=[_error("kind", _("Unknown kind."), "invalid")])
    key = _blacklist_value(kind, value)
    entry, created = BlacklistEntry.objects.get_or_create(
        kind=kind, value=key, defaults={"reason": reason, "created_by": str(actor)}
    )
    if not created:
        entry.is_active, entry.reason = True, reason or entry.reason
        entry.save(update_fields=["is_active", "reason", "updated_at"])
    audit_record(
        aggregate_type="blacklist",
        aggregate_id=entry.pk,
        action="added",
        actor=actor,
        after={"kind": kind, "value": key, "is_active": True},
        note=reason,
    )
    return entry


@transaction.atomic
def blacklist_remove(*, actor: Actor, entry_id: int) -> BlacklistEntry:
    """Deactivate an entry (kept for the record). Unknown: NotFound."""
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    audit_record(
        aggregate_type="blacklist",
        aggregate_id=entry.pk,
        action="removed",
        actor=actor,
        before={"is_active": True},
        after={"is_active": False},
    )
    return entry
