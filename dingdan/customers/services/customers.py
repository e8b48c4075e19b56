"""Customers: create, update; the log of unmasked reads."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.models import PersonalDataAccess
from dingdan.core.outbox import outbox_emit
from dingdan.core.rows import rows_insert
from dingdan.core.validation import snapshot

from .. import domain
from ..events import CustomerCreated
from ..exceptions import CustomerCodeTaken
from ..models import Address, Contact, Customer
from ._aggregate import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    CUSTOMER_MASKS,
    DEFAULT_FLAGS,
    Checks,
    address_audit_view,
    audit,
    check_address,
    check_contact,
    check_customer,
    contact_audit_view,
    emit_updated,
    reject_unknown,
    require_version,
    touch,
)


def _insert_customer(customer: Customer) -> None:
    """Insert; a customer without a code gets C + its zero-padded primary key, which is
    unique under any concurrency because the primary key is."""
    given = customer.code or None
    if given and Customer.objects.filter(code=given).exists():
        raise CustomerCodeTaken()
    customer.code = given
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError as error:
        if given:  # a concurrent create took the code between our check and our insert
            raise CustomerCodeTaken() from error
        raise
    if not given:
        customer.code = domain.generated_code(customer.pk)
        Customer.objects.filter(pk=customer.pk).update(code=customer.code)


def _build_children(
    model: type[Any], rows: Sequence[Mapping[str, Any]], allowed: list[str], key: str, checks: Checks
) -> list[Any]:
    children = []
    for index, row in enumerate(rows):
        reject_unknown(row, allowed, key)
        child = model(**{k: v for k, v in row.items() if k not in DEFAULT_FLAGS})
        check = check_address if model is Address else check_contact
        check(child, checks, prefix=f"{key}.{index}.")
        children.append(child)
    return children


def _initial_defaults(addresses: list[Address], rows: Sequence[Mapping[str, Any]], checks: Checks) -> None:
    """Per kind: the address marked default, else the first one not marked otherwise."""
    for flag in DEFAULT_FLAGS:
        marked = [i for i, row in enumerate(rows) if row.get(flag) is True]
        for index in marked[1:]:
            message = _("Only one address can be the default.")
            checks.errors.append(
                domain.field_error(f"addresses.{index}.{flag}", message, "duplicate_default")
            )
        open_ = [i for i, row in enumerate(rows) if row.get(flag) is None]
        chosen = marked[0] if marked else (open_[0] if open_ else None)
        for index, address in enumerate(addresses):
            setattr(address, flag, index == chosen)


@transaction.atomic
def customer_create(
    *,
    actor: Actor,
    addresses: Sequence[Mapping[str, Any]] = (),
    contacts: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> Customer:
    """A new customer with its first addresses and contacts. Without a code it gets
    C + 8 digits; a given code must not look generated. The first address (unless another
    is marked, or it is marked False) becomes the default shipping and billing address.
    Raises ValidationFailed listing every bad field (addresses as "addresses.0.city"; a
    reserved code as "reserved_code") and CustomerCodeTaken (409). Writes nothing on failure."""
    reject_unknown(fields, ["code", *CUSTOMER_FIELDS], "customer")
    customer = Customer(**fields)
    checks = Checks()
    check_customer(customer, checks)
    if customer.code and domain.is_generated_code(customer.code):
        message = _("Codes of the form C followed by digits are reserved for generated codes.")
        checks.errors.append(domain.field_error("code", message, "reserved_code"))
    new_addresses = _build_children(Address, addresses, ADDRESS_FIELDS, "addresses", checks)
    _initial_defaults(new_addresses, addresses, checks)
    new_contacts = _build_children(Contact, contacts, CONTACT_FIELDS, "contacts", checks)
    checks.raise_any()
    _insert_customer(customer)
    for child in [*new_addresses, *new_contacts]:
        child.customer = customer
        child.save(force_insert=True)
    after = {
        "code": customer.code,
        **domain.mask_fields(snapshot(customer, CUSTOMER_FIELDS), CUSTOMER_MASKS),
        "addresses": [address_audit_view(a) for a in new_addresses],
        "contacts": [contact_audit_view(c) for c in new_contacts],
    }
    audit(customer, "created", actor, after=after)
    outbox_emit(
        CustomerCreated(
            aggregate_id=str(customer.pk), code=customer.code or "", kind=customer.kind, grade=customer.grade
        )
    )
    return customer


@transaction.atomic
def customer_update(
    *, actor: Actor, customer: Customer, expected_version: int | None, **changes: Any
) -> Customer:
    """Change a customer's fields (the code is its identity and cannot change). Raises
    StaleCustomerVersion (412) when `expected_version` is given and not current (checked
    first) or when the customer changed since `customer` was read; ValidationFailed (422)
    for bad fields, as on create. Who may change the credit terms is the caller's rule (the
    API requires customers:credit). Only a real change bumps the version, audits and emits
    customer.updated."""
    reject_unknown(changes, CUSTOMER_FIELDS, "customer")
    require_version(customer, expected_version)
    before = snapshot(customer, CUSTOMER_FIELDS)
    for name, value in changes.items():
        setattr(customer, name, value)
    checks = Checks()
    check_customer(customer, checks)
    checks.raise_any()
    changed = [name for name in CUSTOMER_FIELDS if before[name] != getattr(customer, name)]
    if not changed:
        return customer
    old_version = customer.version
    # Without If-Match the caller's copy is the version it read: a concurrent change to
    # the same customer is refused rather than silently overwritten.
    touch(customer, old_version, **{name: getattr(customer, name) for name in changed})
    audit(
        customer,
        "updated",
        actor,
        before={
            **domain.mask_fields({k: before[k] for k in changed}, CUSTOMER_MASKS),
            "version": old_version,
        },
        after={
            **domain.mask_fields(snapshot(customer, changed), CUSTOMER_MASKS),
            "version": customer.version,
        },
    )
    emit_updated(customer, changed)
    return customer


# Personal data access ------------------------------------------------------------------


def personal_data_access_record(
    *, actor: Actor, subject_ids: Sequence[int], purpose: str
) -> PersonalDataAccess | None:
    """Log one read of unmasked customer data (ARCHITECTURE §6): one row per request, all
    the customers it showed. Nothing shown, nothing logged. One INSERT: it commits with the
    caller's transaction, or on its own (no savepoint of its own)."""
    if not subject_ids:
        return None
    (entry,) = rows_insert(
        [
            PersonalDataAccess(
                actor=str(actor), subject_type="customer", subject_ids=list(subject_ids), purpose=purpose
            )
        ]
    )
    return entry
