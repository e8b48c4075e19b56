"""Contact persons of a customer."""

from typing import Any

from django.db import transaction

from dingdan.core.actors import Actor
from dingdan.core.validation import snapshot

from ..models import Contact, Customer
from ._aggregate import (
    CONTACT_FIELDS,
    Checks,
    audit,
    check_contact,
    contact_audit_view,
    emit_updated,
    reject_unknown,
    require_version,
    touch,
)


@transaction.atomic
def contact_add(
    *, actor: Actor, customer: Customer, expected_version: int | None = None, **fields: Any
) -> Contact:
    """Add a contact person. Raises StaleCustomerVersion (412), ValidationFailed (422)."""
    reject_unknown(fields, CONTACT_FIELDS, "contact")
    require_version(customer, expected_version)
    contact = Contact(customer=customer, **fields)
    checks = Checks()
    check_contact(contact, checks)
    checks.raise_any()
    touch(customer, expected_version)
    contact.save(force_insert=True)
    audit(customer, "contact_added", actor, after=contact_audit_view(contact))
    emit_updated(customer, ["contacts"])
    return contact


@transaction.atomic
def contact_update(
    *, actor: Actor, contact: Contact, expected_version: int | None = None, **changes: Any
) -> Contact:
    """Change a contact. Raises StaleCustomerVersion (412), ValidationFailed (422)."""
    reject_unknown(changes, CONTACT_FIELDS, "contact")
    customer = contact.customer
    require_version(customer, expected_version)
    before = snapshot(contact, CONTACT_FIELDS)
    before_view = contact_audit_view(contact)
    for name, value in changes.items():
        setattr(contact, name, value)
    checks = Checks()
    check_contact(contact, checks)
    checks.raise_any()
    changed = [name for name in CONTACT_FIELDS if before[name] != getattr(contact, name)]
    if not changed:
        return contact
    touch(customer, expected_version)
    contact.save(update_fields=[*changed, "updated_at"])
    after_view = contact_audit_view(contact)
    audit(
        customer,
        "contact_updated",
        actor,
        before={"id": contact.pk, **{k: before_view[k] for k in changed}},
        after={"id": contact.pk, **{k: after_view[k] for k in changed}},
    )
    emit_updated(customer, ["contacts"])
    return contact


@transaction.atomic
def contact_remove(*, actor: Actor, contact: Contact, expected_version: int | None = None) -> None:
    """Delete a contact. Raises StaleCustomerVersion (412)."""
    customer = contact.customer
    require_version(customer, expected_version)
    touch(customer, expected_version)
    view = contact_audit_view(contact)
    contact.delete()
    audit(customer, "contact_removed", actor, before=view)
    emit_updated(customer, ["contacts"])
