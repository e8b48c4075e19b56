"""Input and output schemas. Outputs mask personal data unless the caller holds
customers:pii (ARCHITECTURE §6); the API logs the reads of unmasked data."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from dingdan.core.schemas import FilterSchema, InputSchema, MoneyIn
from dingdan.core.security import request_principal

from . import domain
from .models import CODE_PATTERN, Customer, CustomerGrade, CustomerKind, CustomerLanguage

PII_SCOPE = "customers:pii"
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
# What the schema can say; the server checks the rest (a real number, a known province).
PHONE = r"^[0-9+()\-. ]*$"
EMAIL = r"^$|^[^@\s\x00]+@[^@\s\x00]+$"
NON_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
COUNTRY = r"^[A-Za-z]{2}$"
POSTAL_CODE = r"^[0-9A-Za-z -]*$"
TAXPAYER_ID = r"^$|^[0-9A-Za-z]{15,20}$"
BANK_ACCOUNT = r"^$|^[0-9A-Za-z ]{4,40}$"
MAX_CHILDREN = 20


def sees_personal_data(request: Any) -> bool:
    principal = request_principal(request) if request is not None else None
    return principal is not None and principal.has(PII_SCOPE)


def _masked(field: str, mask: Callable[[str], str]) -> Any:
    """A resolver that shows `field` as stored to callers with customers:pii, else masked."""

    def resolve(obj: Any, context: dict[str, Any] | None) -> str:
        value = getattr(obj, field)
        return value if sees_personal_data((context or {}).get("request")) else mask(value)

    return staticmethod(resolve)


class AddressIn(InputSchema):
    label: str = Field("", max_length=50)
    recipient: str = Field(..., max_length=100, pattern=NON_BLANK)
    phone: str = Field("", max_length=32, pattern=PHONE)
    country_code: str = Field("CN", pattern=COUNTRY, description="ISO 3166 alpha-2")
    province: str = Field("", max_length=64)
    city: str = Field("", max_length=64)
    district: str = Field("", max_length=64)
    street: str = Field("", max_length=255)
    postal_code: str = Field("", max_length=16, pattern=POSTAL_CODE)
    is_default_shipping: bool | None = Field(
        None, description="Left out: default when the customer has no default shipping address yet."
    )
    is_default_billing: bool | None = Field(
        None, description="Left out: default when the customer has no default billing address yet."
    )


class AddressPatch(InputSchema):
    label: str | None = Field(None, max_length=50)
    recipient: str | None = Field(None, max_length=100, pattern=NON_BLANK)
    phone: str | None = Field(None, max_length=32, pattern=PHONE)
    country_code: str | None = Field(None, pattern=COUNTRY)
    province: str | None = Field(None, max_length=64)
    city: str | None = Field(None, max_length=64)
    district: str | None = Field(None, max_length=64)
    street: str | None = Field(None, max_length=255)
    postal_code: str | None = Field(None, max_length=16, pattern=POSTAL_CODE)
    is_default_shipping: bool | None = None
    is_default_billing: bool | None = None


class AddressOut(Schema):
    id: int
    label: str
    recipient: str
    phone: str
    country_code: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    is_default_shipping: bool
    is_default_billing: bool

    resolve_phone = _masked("phone", domain.mask_phone)
    resolve_street = _masked("street", domain.mask_text)


class ContactIn(InputSchema):
    name: str = Field(..., max_length=100, pattern=NON_BLANK)
    title: str = Field("", max_length=100)
    phone: str = Field("", max_length=32, pattern=PHONE)
    email: str = Field("", max_length=254, pattern=EMAIL)


class ContactPatch(InputSchema):
    name: str | None = Field(None, max_length=100, pattern=NON_BLANK)
    title: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=32, pattern=PHONE)
    email: str | None = Field(None, max_length=254, pattern=EMAIL)


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str

    resolve_phone = _masked("phone", domain.mask_phone)
    resolve_email = _masked("email", domain.mask_email)


class CustomerFields(InputSchema):
    kind: CustomerKind = CustomerKind.PERSON
    name: str = Field(..., max_length=100, pattern=NON_BLANK)
    company_name: str = Field("", max_length=200)
    grade: CustomerGrade = CustomerGrade.NORMAL
    phone: str = Field(
        "", max_length=32, pattern=PHONE, description="Stored in E.164; numbers without +code are Chinese."
    )
    email: str = Field("", max_length=254, pattern=EMAIL)
    language: CustomerLanguage = CustomerLanguage.ZH_HANS
    credit_limit: MoneyIn = Field(Decimal("0.00"), description="Needs customers:credit to set.")
    credit_hold: bool = Field(False, description="Needs customers:credit to set.")
    notify_email: bool = True
    notify_sms: bool = True
    invoice_title: str = Field("", max_length=200)
    taxpayer_id: str = Field("", max_length=20, pattern=TAXPAYER_ID)
    bank_name: str = Field("", max_length=100)
    bank_account: str = Field("", max_length=40, pattern=BANK_ACCOUNT)
    registered_address: str = Field("", max_length=200)
    registered_phone: str = Field("", max_length=40)
    notes: str = Field("", max_length=4000)
    is_active: bool = True


class CustomerIn(CustomerFields):
    code: str | None = Field(
        None, min_length=1, max_length=32, pattern=CODE_PATTERN, description="Left out: C + 8 digits."
    )
    addresses: list[AddressIn] = Field([], max_length=MAX_CHILDREN)
    contacts: list[ContactIn] = Field([], max_length=MAX_CHILDREN)


class CustomerPatch(InputSchema):
    """Only the fields given change; null means "leave as is" (send "" to clear a text)."""

    kind: CustomerKind | None = None
    name: str | None = Field(None, max_length=100, pattern=NON_BLANK)
    company_name: str | None = Field(None, max_length=200)
    grade: CustomerGrade | None = None
    phone: str | None = Field(None, max_length=32, pattern=PHONE)
    email: str | None = Field(None, max_length=254, pattern=EMAIL)
    language: CustomerLanguage | None = None
    credit_limit: MoneyIn | None = Field(None, description="Needs customers:credit.")
    credit_hold: bool | None = Field(None, description="Needs customers:credit.")
    notify_email: bool | None = None
    notify_sms: bool | None = None
    invoice_title: str | None = Field(None, max_length=200)
    taxpayer_id: str | None = Field(None, max_length=20, pattern=TAXPAYER_ID)
    bank_name: str | None = Field(None, max_length=100)
    bank_account: str | None = Field(None, max_length=40, pattern=BANK_ACCOUNT)
    registered_address: str | None = Field(None, max_length=200)
    registered_phone: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=4000)
    is_active: bool | None = None


class CustomerOut(Schema):
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
    notify_email: bool
    notify_sms: bool
    invoice_title: str
    taxpayer_id: str
    bank_name: str
    bank_account: str
    registered_address: str
    registered_phone: str
    notes: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_phone = _masked("phone", domain.mask_phone)
    resolve_email = _masked("email", domain.mask_email)
    resolve_bank_account = _masked("bank_account", domain.mask_account)
    resolve_registered_address = _masked("registered_address", domain.mask_text)
    resolve_registered_phone = _masked("registered_phone", domain.mask_phone)


class CustomerDetailOut(CustomerOut):
    addresses: list[AddressOut]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_addresses(obj: Customer) -> list[Any]:
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj: Customer) -> list[Any]:
        return list(obj.contacts.all())


class CustomerFilter(FilterSchema):
    q: str | None = Field(
        None,
        max_length=100,
        pattern=NO_NUL,
        description="Code, name, company; phone and e-mail too with customers:pii.",
    )
    grade: CustomerGrade | None = None
    is_active: bool | None = None
