"""Demo customers: people (Chinese and English names) and companies with invoice details,
in the shape of dingdan.customers.services.customer_create; deterministic from a seed."""

import random
from decimal import Decimal
from typing import Any

from .codes import landline, mobile, uscc
from .names import PersonName, chinese_name, email, english_name
from .places import City, District, home_street, office_street, pick_place

PEOPLE = 280
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
COMPANIES = 40

_COMPANY_WORDS = [
    "宏达",
    "鑫源",
    "华联",
    "永盛",
    "恒通",
    "嘉禾",
    "云帆",
    "瑞丰",
    "德信",
    "汇佳",
    "优品",
    "百顺",
]
_COMPANY_TRADES = ["贸易", "商贸", "电子商务", "百货", "供应链", "实业", "便利店连锁", "文化用品"]
_BANKS = ["中国工商银行", "中国建设银行", "中国银行", "招商银行", "交通银行", "中国农业银行"]


def _address(
    label: str, recipient: str, phone: str, city: City, district: District, street: str, *, default: bool
) -> dict[str, Any]:
    return {
        "label": label,
        "recipient": recipient,
        "phone": phone,
        "country_code": "CN",
        "province": city.province,
        "city": city.name,
        "district": district.name,
        "street": street,
        "postal_code": district.postal_code,
        "is_default_shipping": default,
        "is_default_billing": default,
    }


def _person(rng: random.Random) -> dict[str, Any]:
    person: PersonName = english_name(rng) if rng.random() < 0.08 else chinese_name(rng)
    phone = mobile(rng)
    city, district = pick_place(rng)
    addresses = [_address("家", person.name, phone, city, district, home_street(district, rng), default=True)]
    if rng.random() < 0.35:
        work_city, work_district = (city, rng.choice(city.districts))
        street = office_street(work_district, rng)
        addresses.append(
            _address("公司", person.name, phone, work_city, work_district, street, default=False)
        )
    language = "en" if person.is_english else rng.choices(["zh-hans", "zh-hant"], weights=[19, 1])[0]
    return {
        "name": person.name,
        "kind": "person",
        "grade": "vip" if rng.random() < 0.12 else "normal",
        "phone": phone,
        "email": email(person, rng) if rng.random() < 0.7 else "",
        "language": language,
        "credit_limit": ZERO,
        "addresses": addresses,
    }


def _company_name(city: City, rng: random.Random) -> str:
    short = city.name.removesuffix("市")
    return f"{short}{rng.choice(_COMPANY_WORDS)}{rng.choice(_COMPANY_TRADES)}有限公司"


def _invoice(company: str, city: City, district: District, rng: random.Random) -> dict[str, Any]:
    """Details printed on a VAT special invoice (增值税专用发票)."""
    return {
        "invoice_title": company,
        "taxpayer_id": uscc(city.division_code, rng),
        "bank_name": f"{rng.choice(_BANKS)}{city.name.removesuffix('市')}{district.name}支行",
        "bank_account": f"{rng.randint(1000, 9999)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d} "
        f"{rng.randrange(10**4):04d} {rng.randrange(10**3):03d}",
        "registered_address": f"{city.province}{'' if city.province == city.name else city.name}"
        f"{district.name}{office_street(district, rng)}",
        "registered_phone": landline(city.area_code, city.local_digits, rng),
    }


def _contacts(buyer: PersonName, phone: str, domain: str, rng: random.Random) -> list[dict[str, Any]]:
    accountant = chinese_name(rng)
    return [
        {"name": buyer.name, "title": "采购", "phone": phone, "email": f"{buyer.email_local}@{domain}"},
        {
            "name": accountant.name,
            "title": "财务",
            "phone": mobile(rng),
            "email": f"{accountant.email_local}@{domain}",
        },
    ]


def _company(rng: random.Random, used: set[str]) -> dict[str, Any]:
    city, district = pick_place(rng)
    company = _company_name(city, rng)
    while company in used:
        company = _company_name(city, rng)
    used.add(company)
    buyer, phone, domain = chinese_name(rng), mobile(rng), f"company{len(used):03d}.example.com"
    is_wholesale = rng.random() < 0.75
    street = office_street(district, rng)
    return {
        "name": company,
        "kind": "company",
        "company_name": company,
        "grade": "wholesale" if is_wholesale else "normal",
        "phone": phone,
        "email": f"{buyer.email_local}@{domain}",
        "language": "zh-hans",
        "credit_limit": Decimal(rng.randrange(5, 51) * 10_000).quantize(CENT) if is_wholesale else ZERO,
        **_invoice(company, city, district, rng),
        "addresses": [_address("仓库收货", buyer.name, phone, city, district, street, default=True)],
        "contacts": _contacts(buyer, phone, domain, rng),
    }


def customers(seed: int) -> list[dict[str, Any]]:
    """PEOPLE people, then COMPANIES companies (three in four buy wholesale on credit)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    used: set[str] = set()
    return [_person(rng) for _ in range(PEOPLE)] + [_company(rng, used) for _ in range(COMPANIES)]
