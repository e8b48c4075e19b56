"""Identifiers that carry check characters: EAN-13 barcodes, unified social credit codes,
and mainland phone numbers. Pure functions."""

import random

# Mobile number blocks of the three carriers (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "198", "199",
]  # fmt: skip

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def ean13_check_digit(first12: str) -> str:
    """GS1 check digit: weights 1 and 3 alternating from the left."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(company_prefix: str, item: int) -> str:
    """A valid EAN-13 from a GS1 company prefix (690-699 for China) and an item reference."""
    first12 = f"{company_prefix}{item:0{12 - len(company_prefix)}d}"
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"item {item} does not fit after prefix {company_prefix}")
    return first12 + ean13_check_digit(first12)


def _organisation_check(digits: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    value = 11 - sum(int(d) * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def uscc(division_code: str, rng: random.Random) -> str:
    """A unified social credit code (统一社会信用代码) of a company registered with the
    market regulator (91…) in the given administrative division, check characters valid."""
    organisation = f"{rng.randrange(10**8):08d}"
    first17 = f"91{division_code}{organisation}{_organisation_check(organisation)}"
    return first17 + uscc_check_char(first17)


def mobile(rng: random.Random) -> str:
    """A mainland mobile number in E.164, e.g. +8613812345678."""
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def landline(area_code: str, digits: int, rng: random.Random) -> str:
    """A fixed-line number as printed on invoices, e.g. 021-69551234 (`digits` after the area
    code; business lines here start with 5 or 6)."""
    return f"0{area_code}-{rng.randint(5, 6)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
