"""Shared by the services: field lists, validation, the aggregate's version, audit views."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.outbox import outbox_emit
from dingdan.core.validation import full_clean_or_raise, snapshot

from .. import domain
from ..events import CustomerUpdated
from ..exceptions import StaleCustomerVersion
from ..models import Address, Contact, Customer

T = TypeVar("T")

CUSTOMER_FIELDS = [
    "kind",
    "name",
    "company_name",
    "grade",
    "phone",
    "email",
    "language",
    "credit_limit",
    "credit_hold",
    "notify_email",
    "notify_sms",
    "invoice_title",
    "taxpayer_id",
    "bank_name",
    "bank_account",
    "registered_address",
    "registered_phone",
    "notes",
    "is_active",
]
ADDRESS_FIELDS = [
    "label",
    "recipient",
    "phone",
    "country_code",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
    "is_default_shipping",
    "is_default_billing",
]
CONTACT_FIELDS = ["name", "title", "phone", "email"]
DEFAULT_FLAGS = ("is_default_shipping", "is_default_billing")

CUSTOMER_MASKS: dict[str, Callable[[str], str]] = {
    "phone": domain.mask_phone,
    "email": domain.mask_email,
    "bank_account": domain.mask_account,
    "registered_phone": domain.mask_phone,
    "registered_address": domain.mask_text,
}
CONTACT_MASKS: dict[str, Callable[[str], str]] = {"phone": domain.mask_phone, "email": domain.mask_email}


# Validation helpers --------------------------------------------------------------------


class Checks:
    """Runs checks and gathers their field errors, so one 422 lists every problem."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def run(self, check: Callable[[], T], fallback: T) -> T:
        try:
            return check()
        except ValidationFailed as error:
            self.errors.extend(error.errors)
            return fallback

    def clean(self, instance: Model, *, prefix: str = "", exclude: Sequence[str] = ()) -> None:
        """The model's own validators, skipping fields that already failed a check."""
        failed = [e["field"].removeprefix(prefix) for e in self.errors if e["field"].startswith(prefix)]
        try:
            full_clean_or_raise(instance, exclude=[*exclude, *failed], validate_unique=False)
        except ValidationFailed as error:
            self.errors.extend({**e, "field": prefix + e["field"]} for e in error.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed(errors=self.errors)


def reject_unknown(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"unknown {what} fields: {', '.join(unknown)}")


def strip_text(instance: Model, names: Iterable[str]) -> None:
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, str):
            setattr(instance, name, value.strip())


def check_phone(
    checks: Checks, instance: Model, field: str, prefix: str = "", region: str = domain.DEFAULT_REGION
) -> None:
    raw = getattr(instance, field)
    normalized = checks.run(lambda: domain.phone_normalize(raw, field=prefix + field, region=region), raw)
    setattr(instance, field, normalized)


def check_customer(customer: Customer, checks: Checks) -> None:
    strip_text(customer, [*CUSTOMER_FIELDS, "code"])
    customer.email = domain.email_normalize(customer.email)
    customer.taxpayer_id = customer.taxpayer_id.upper()
    customer.bank_account = " ".join(customer.bank_account.upper().split())
    check_phone(checks, customer, "phone")
    if customer.kind == Customer.Kind.COMPANY and not customer.company_name:
        message = _("A company customer needs its company name.")
        checks.errors.append(domain.field_error("company_name", message, "required"))
    checks.clean(customer, exclude=["code"] if not customer.code else [])


def check_address(address: Address, checks: Checks, prefix: str = "") -> None:
    strip_text(address, ["label", "recipient"])
    # A local number is read as a number of the address's country (9123 4567 in Hong Kong).
    region = (address.country_code or domain.DEFAULT_REGION).strip().upper()
    check_phone(checks, address, "phone", prefix, region=region)
    parts = domain.AddressParts(
        **{name: getattr(address, name) or "" for name in domain.AddressParts.__dataclass_fields__}
    )
    parts = checks.run(lambda: domain.address_normalize(parts, prefix=prefix), parts)
    for name in domain.AddressParts.__dataclass_fields__:
        setattr(address, name, getattr(parts, name))
    checks.clean(address, prefix=prefix, exclude=["customer"])


def check_contact(contact: Contact, checks: Checks, prefix: str = "") -> None:
    strip_text(contact, ["name", "title"])
    contact.email = domain.email_normalize(contact.email)
    check_phone(checks, contact, "phone", prefix)
    checks.clean(contact, prefix=prefix, exclude=["customer"])


# Aggregate helpers ---------------------------------------------------------------------


def require_version(customer: Customer, expected_version: int | None) -> None:
    """If-Match is evaluated before anything else: a stale version is 412, not 422."""
    if expected_version is not None and expected_version != customer.version:
        raise StaleCustomerVersion()


def touch(customer: Customer, version: int | None, **values: Any) -> None:
    """Write `values` and bump the aggregate's version in one UPDATE, which holds the
    customer row until commit (so audit chains and default flags never race). With a
    `version` the UPDATE is conditional: StaleCustomerVersion when it is no longer current."""
    now = timezone.now()
    rows = Customer.objects.filter(pk=customer.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, updated_at=now, **values):
        raise StaleCustomerVersion()
    if version is None:
        version = Customer.objects.values_list("version", flat=True).get(pk=customer.pk) - 1
    customer.version, customer.updated_at = version + 1, now


def audit(customer: Customer, action: str, actor: Actor, **values: Any) -> None:
    audit_record(aggregate_type="customer", aggregate_id=customer.pk, action=action, actor=actor, **values)


def emit_updated(customer: Customer, changed: Sequence[str]) -> None:
    outbox_emit(
        CustomerUpdated(
            aggregate_id=str(customer.pk),
            code=customer.code or "",
            version=customer.version,
            changed=tuple(changed),
        )
    )


def address_audit_view(address: Address) -> dict[str, Any]:
    values = {"id": address.pk, **snapshot(address, ADDRESS_FIELDS)}
    return domain.mask_fields(values, domain.ADDRESS_MASKS)


def contact_audit_view(contact: Contact) -> dict[str, Any]:
    return domain.mask_fields({"id": contact.pk, **snapshot(contact, CONTACT_FIELDS)}, CONTACT_MASKS)
