"""Reads of the customers context. Selectors return the stored (unmasked) values; whoever
shows them to a person masks them or logs the read (ARCHITECTURE §6)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from dingdan.core.exceptions import ValidationFailed
from dingdan.core.rows import column_of, fields_of, rows_select

from . import domain
from .exceptions import AddressNotFound, ContactNotFound, CustomerNotFound
from .models import Address, Contact, Customer

SNAPSHOT_ADDRESS_FIELDS = (
    "id",
    "label",
    "recipient",
    "phone",
    "country_code",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s()-]{4,}$")


def _search(text: str, *, personal: bool) -> Q:
    condition = Q(code__icontains=text) | Q(name__icontains=text) | Q(company_name__icontains=text)
    if not personal:
        return condition
    condition |= Q(email__icontains=text)
    digits = re.sub(r"\D", "", text).lstrip("0")  # 010-1234… is stored as +86101234…
    if _PHONE_LIKE.match(text) and digits:
        condition |= Q(phone__contains=digits)
    return condition


def customer_list(
    *,
    q: str | None = None,
    grade: str | None = None,
    is_active: bool | None = None,
    search_personal_data: bool = True,
) -> QuerySet[Customer]:
    """Customers matching the filters. `q` searches code, name and company name, and with
    `search_personal_data` also phone (by its digits) and e-mail: callers that may not see
    personal data must not be able to find it by guessing either."""
    customers = Customer.objects.all()
    if q and q.strip():
        customers = customers.filter(_search(q.strip(), personal=search_personal_data))
    if grade:
        customers = customers.filter(grade=grade)
    if is_active is not None:
        customers = customers.filter(is_active=is_active)
    return customers


def customer_get(*, customer_id: int, with_children: bool = False) -> Customer:
    """The customer; `with_children` prefetches its addresses and contacts (two queries).
    Raises CustomerNotFound."""
    customers = Customer.objects.all()
    if with_children:
        customers = customers.prefetch_related(
            Prefetch("addresses", queryset=Address.objects.order_by("pk")),
            Prefetch("contacts", queryset=Contact.objects.order_by("pk")),
        )
    customer = customers.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def customer_get_by_code(*, code: str) -> Customer:
    customer = Customer.objects.filter(code=code).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def customer_addresses(*, customer_id: int) -> QuerySet[Address]:
    return Address.objects.filter(customer_id=customer_id).order_by("pk")


def customer_contacts(*, customer_id: int) -> QuerySet[Contact]:
    return Contact.objects.filter(customer_id=customer_id).order_by("pk")


def address_get(*, customer_id: int, address_id: int) -> Address:
    """The customer's address, with the customer loaded. Raises AddressNotFound."""
    address = (
        Address.objects.select_related("customer").filter(pk=address_id, customer_id=customer_id).first()
    )
    if address is None:
        raise AddressNotFound()
    return address


def contact_get(*, customer_id: int, contact_id: int) -> Contact:
    """The customer's contact, with the customer loaded. Raises ContactNotFound."""
    contact = (
        Contact.objects.select_related("customer").filter(pk=contact_id, customer_id=customer_id).first()
    )
    if contact is None:
        raise ContactNotFound()
    return contact


@dataclass(frozen=True)
class CustomerSnapshot:
    """What an order copies from its customer when it is placed (plain values only)."""

    id: int
    code: str
    kind: str
    name: str
    company_name: str
    grade: str
    phone: str
    email: str
    language: str
    credit_limit: Decimal
    credit_hold: bool
    is_active: bool
    notify_email: bool
    notify_sms: bool
    default_shipping_address: dict[str, Any] | None
    default_billing_address: dict[str, Any] | None


_SNAPSHOT_ADDRESSES = ("default_shipping_address", "default_billing_address")
# The snapshot's own fields are the customer's columns of the same names.
_SNAPSHOT_CUSTOMER_FIELDS = fields_of(
    Customer, *(f.name for f in fields(CustomerSnapshot) if f.name not in _SNAPSHOT_ADDRESSES)
)
_SNAPSHOT_ADDRESS_COLUMNS = fields_of(
    Address, "is_default_shipping", "is_default_billing", *SNAPSHOT_ADDRESS_FIELDS
)
# The customer with its default addresses (none, one for both, or one each): written once,
# because placement reads it for every order and the ORM's query building cost more than
# the query.
_SNAPSHOT_SQL = (
    "SELECT "  # noqa: S608 (names from the models, the id as a parameter)
    + ", ".join(
        [f"c.{column_of(f)}" for f in _SNAPSHOT_CUSTOMER_FIELDS]
        + [f"a.{column_of(f)}" for f in _SNAPSHOT_ADDRESS_COLUMNS]
    )
    + f' FROM "{Customer._meta.db_table}" c LEFT JOIN "{Address._meta.db_table}" a'
    + ' ON a."customer_id" = c."id" AND (a."is_default_shipping" OR a."is_default_billing")'
    + ' WHERE c."id" = %s'
)


def customer_snapshot(*, customer_id: int) -> CustomerSnapshot:
    """The customer as an order needs it, with the default addresses (one query).
    Raises CustomerNotFound."""
    rows = rows_select(_SNAPSHOT_SQL, [customer_id], [*_SNAPSHOT_CUSTOMER_FIELDS, *_SNAPSHOT_ADDRESS_COLUMNS])
    if not rows:
        raise CustomerNotFound()
    width = len(_SNAPSHOT_CUSTOMER_FIELDS)
    shipping = billing = None
    for row in rows:
        is_shipping, is_billing, *address = row[width:]
        if is_shipping:
            shipping = dict(zip(SNAPSHOT_ADDRESS_FIELDS, address, strict=True))
        if is_billing:
            billing = dict(zip(SNAPSHOT_ADDRESS_FIELDS, address, strict=True))
    customer = dict(zip([f.name for f in _SNAPSHOT_CUSTOMER_FIELDS], rows[0][:width], strict=True))
    return CustomerSnapshot(
        **customer | {"code": customer["code"] or ""},
        default_shipping_address=shipping,
        default_billing_address=billing,
    )


# Addresses as plain dicts (orders keep their own copy) ----------------------------------


def address_normalize(*, address: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`address` (keys as in CustomerSnapshot's addresses) checked and normalised like a
    customer's address: canonical province/city/district, phone in E.164. Other keys are
    kept. Raises ValidationFailed listing every problem, fields prefixed with `prefix`."""
    names = [f.name for f in fields(domain.AddressParts)]
    given = {name: str(address.get(name) or "") for name in names}
    given["country_code"] = given["country_code"] or domain.DEFAULT_REGION
    errors: list[dict[str, Any]] = []
    phone = str(address.get("phone") or "")
    try:
        phone = domain.phone_normalize(phone, field=f"{prefix}phone", region=given["country_code"].upper())
    except ValidationFailed as error:
        errors += error.errors
    try:
        parts = domain.address_normalize(domain.AddressParts(**given), prefix=prefix)
    except ValidationFailed as error:
        errors += error.errors
    if errors:
        raise ValidationFailed(errors=errors)
    normalized = {name: getattr(parts, name) for name in names}
    return {**address, **normalized, "phone": phone}


def address_for_display(*, address: Mapping[str, Any], unmasked: bool) -> dict[str, Any]:
    """`address` as shown to a person: phone and street masked unless `unmasked` (the
    caller holds customers:pii and logs the read)."""
    return dict(address) if unmasked else domain.mask_fields(address, domain.ADDRESS_MASKS)


@dataclass(frozen=True)
class NotificationProfile:
    """What notifications needs to reach a customer, and what the customer allows."""

    customer_id: int
    version: int
    name: str
    email: str
    phone: str
    language: str
    notify_email: bool
    notify_sms: bool
    notify_opt_out: bool
    notify_muted_events: tuple[str, ...]
    sms_quiet_start: Any
    sms_quiet_end: Any


def customer_notification_profile(*, customer_id: int) -> NotificationProfile:
    """The customer's contact points and notification preferences (one query). Raises
    CustomerNotFound."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound()
    return NotificationProfile(
        customer_id=customer.pk,
        version=customer.version,
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        language=customer.language,
        notify_email=customer.notify_email,
        notify_sms=customer.notify_sms,
        notify_opt_out=customer.notify_opt_out,
        notify_muted_events=tuple(customer.notify_muted_events or ()),
        sms_quiet_start=customer.sms_quiet_start,
        sms_quiet_end=customer.sms_quiet_end,
    )
