"""Notification preferences of a customer: channels, muted event types, opt-out, SMS quiet
hours. They belong to the customer aggregate (version, audit trail, customer.updated)."""

import datetime as dt
import re
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed

from .. import domain
from ..models import Customer
from ._aggregate import audit, emit_updated, require_version, touch

PREFERENCE_FIELDS = [
    "notify_email",
    "notify_sms",
    "notify_opt_out",
    "notify_muted_events",
    "sms_quiet_start",
    "sms_quiet_end",
]
# An event type ("order.cancelled") or a family of them ("order.*").
_EVENT_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z_]+)*\.([a-z_]+|\*)$")


def _check(muted: Sequence[str], start: dt.time | None, end: dt.time | None) -> None:
    errors = []
    bad = [name for name in muted if not _EVENT_TYPE.match(name)]
    if bad:
        message = _("Not an event type: %(names)s") % {"names": ", ".join(bad)}
        errors.append(domain.field_error("notify_muted_events", message, "invalid"))
    if (start is None) != (end is None) or (start is not None and start == end):
        message = _("Give both ends of the quiet hours, and make them differ.")
        errors.append(domain.field_error("sms_quiet_start", message, "invalid"))
    if errors:
        raise ValidationFailed(errors=errors)


@transaction.atomic
def customer_notification_preferences_set(
    *,
    actor: Actor,
    customer: Customer,
    expected_version: int | None,
    notify_email: bool,
    notify_sms: bool,
    notify_opt_out: bool,
    notify_muted_events: Sequence[str],
    sms_quiet_start: dt.time | None,
    sms_quiet_end: dt.time | None,
) -> Customer:
    """Replace the customer's notification preferences. Quiet hours are in the company's
    time zone and may wrap midnight (22:00-08:00). Raises StaleCustomerVersion (412) when
    `expected_version` is stale, ValidationFailed (422) for an unknown-shaped event type or
    half-given quiet hours. Only a real change bumps the version, audits and emits."""
    require_version(customer, expected_version)
    muted = sorted(set(notify_muted_events))
    _check(muted, sms_quiet_start, sms_quiet_end)
    values = {
        "notify_email": notify_email,
        "notify_sms": notify_sms,
        "notify_opt_out": notify_opt_out,
        "notify_muted_events": muted,
        "sms_quiet_start": sms_quiet_start,
        "sms_quiet_end": sms_quiet_end,
    }
    before = {name: getattr(customer, name) for name in PREFERENCE_FIELDS}
    changed = [name for name in PREFERENCE_FIELDS if before[name] != values[name]]
    if not changed:
        return customer
    old_version = customer.version
    touch(customer, customer.version, **{name: values[name] for name in changed})
    for name in changed:
        setattr(customer, name, values[name])
    audit(
        customer,
        "notification_preferences_set",
        actor,
        before={**{k: _plain(before[k]) for k in changed}, "version": old_version},
        after={**{k: _plain(values[k]) for k in changed}, "version": customer.version},
    )
    emit_updated(customer, changed)
    return customer


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.time) else value
