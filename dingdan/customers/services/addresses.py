"""Addresses of a customer: at most one default shipping and one default billing address."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from dingdan.core.actors import Actor
from dingdan.core.validation import snapshot

from ..models import Address, Customer
from ._aggregate import (
    ADDRESS_FIELDS,
    DEFAULT_FLAGS,
    Checks,
    address_audit_view,
    audit,
    check_address,
    emit_updated,
    reject_unknown,
    require_version,
    touch,
)


def _clear_other_defaults(address: Address, flags: Iterable[str]) -> None:
    """The address takes over each named default from its siblings (one per customer)."""
    for flag in flags:
        Address.objects.filter(customer_id=address.customer_id, **{flag: True}).exclude(pk=address.pk).update(
            **{flag: False}
        )


@transaction.atomic
def address_add(
    *, actor: Actor, customer: Customer, expected_version: int | None = None, **fields: Any
) -> Address:
    """Add an address. A default flag left out (None) makes it the default of that kind when
    the customer has none yet; True takes the default over from the current one. Raises
    StaleCustomerVersion (412), ValidationFailed (422) for a bad address."""
    reject_unknown(fields, ADDRESS_FIELDS, "address")
    require_version(customer, expected_version)
    flags = {flag: fields.pop(flag, None) for flag in DEFAULT_FLAGS}
    address = Address(customer=customer, **fields)
    checks = Checks()
    check_address(address, checks)
    checks.raise_any()
    touch(customer, expected_version)
    existing = Address.objects.filter(customer=customer)
    for flag, value in flags.items():
        setattr(address, flag, value if value is not None else not existing.filter(**{flag: True}).exists())
    _clear_other_defaults(address, [flag for flag in DEFAULT_FLAGS if getattr(address, flag)])
    address.save(force_insert=True)
    audit(customer, "address_added", actor, after=address_audit_view(address))
    emit_updated(customer, ["addresses"])
    return address


@transaction.atomic
def address_update(
    *, actor: Actor, address: Address, expected_version: int | None = None, **changes: Any
) -> Address:
    """Change an address; it is validated whole again (a new province re-checks the city).
    Setting a default flag takes that default over from the sibling that had it. Raises
    StaleCustomerVersion (412), ValidationFailed (422). No change, no write."""
    reject_unknown(changes, ADDRESS_FIELDS, "address")
    customer = address.customer
    require_version(customer, expected_version)
    before = snapshot(address, ADDRESS_FIELDS)
    before_view = address_audit_view(address)
    for name, value in changes.items():
        setattr(address, name, value)
    checks = Checks()
    check_address(address, checks)
    checks.raise_any()
    changed = [name for name in ADDRESS_FIELDS if before[name] != getattr(address, name)]
    if not changed:
        return address
    touch(customer, expected_version)
    _clear_other_defaults(address, [f for f in DEFAULT_FLAGS if f in changed and getattr(address, f)])
    address.save(update_fields=[*changed, "updated_at"])
    after_view = address_audit_view(address)
    audit(
        customer,
        "address_updated",
        actor,
        before={"id": address.pk, **{k: before_view[k] for k in changed}},
        after={"id": address.pk, **{k: after_view[k] for k in changed}},
    )
    emit_updated(customer, ["addresses"])
    return address


@transaction.atomic
def address_remove(*, actor: Actor, address: Address, expected_version: int | None = None) -> None:
    """Delete an address. Orders keep their own copy of the address, so nothing points to it;
    a removed default leaves the customer without that default. Raises StaleCustomerVersion."""
    customer = address.customer
    require_version(customer, expected_version)
    touch(customer, expected_version)
    view = address_audit_view(address)
    address.delete()
    audit(customer, "address_removed", actor, before=view)
    emit_updated(customer, ["addresses"])
