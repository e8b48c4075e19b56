"""Loads the demo data through the contexts' services (never by writing rows directly).

Each section runs in one transaction and, as its last write, appends a marker to the audit
trail (aggregate `demo_data`, id = section). A section with a marker is skipped, so running
the demo again creates nothing, and a run that failed half-way resumes where it stopped.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dingdan.accounts import services as accounts
from dingdan.accounts.scopes import ROLES
from dingdan.catalog import services as catalog_services
from dingdan.channels import services as channels
from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record, audit_timeline
from dingdan.core.exceptions import Conflict
from dingdan.customers import services as customers_services
from dingdan.inventory import services as inventory

from .data import SEED
from .data.catalog import catalog, price_lists
from .data.channels import CHANNELS
from .data.customers import customers
from .data.staff import staff_users, superuser
from .data.warehouses import WAREHOUSES

DEMO = Actor(username="demo", via="system")
MARKER = "demo_data"


@dataclass(frozen=True)
class SectionResult:
    name: str
    status: str  # "loaded" or "already loaded"
    created: int = 0
    seconds: float = 0.0


def _created_unless_taken(create: Callable[..., object], **fields: Any) -> int:
    """1 when created, 0 when something with this code exists already (made by hand)."""
    try:
        create(actor=DEMO, **fields)
    except Conflict:
        return 0
    return 1


def _load_channels(seed: int) -> int:
    return sum(_created_unless_taken(channels.channel_create, **row) for row in CHANNELS)


def _load_warehouses(seed: int) -> int:
    return sum(_created_unless_taken(inventory.warehouse_create, **row) for row in WAREHOUSES)


def _load_staff(seed: int) -> int:
    users = get_user_model().objects
    created = 0
    for row in [*staff_users(list(ROLES)), superuser()]:
        if users.filter(username=row["username"]).exists():
            continue
        accounts.user_create(actor=DEMO, **row)
        created += 1
    return created


def _load_tax_rates(seed: int) -> int:
    create = catalog_services.tax_rate_create
    return sum(_created_unless_taken(create, **row) for row in catalog(seed).tax_rates)


def _load_products(seed: int) -> int:
    products = catalog(seed).products
    for row in products:
        catalog_services.product_create(actor=DEMO, **row)
    return len(products)


def _load_price_lists(seed: int) -> int:
    rows = price_lists(catalog(seed), CHANNELS)
    for row in rows:
        catalog_services.price_list_create(actor=DEMO, **row)
    return len(rows)


def _load_customers(seed: int) -> int:
    rows = customers(seed)
    for row in rows:
        customers_services.customer_create(actor=DEMO, **row)
    return len(rows)


Loader = Callable[[int], int]
# In dependency order: price lists need the channels and the SKUs.
SECTIONS: list[tuple[str, Loader]] = [
    ("channels", _load_channels),
    ("staff", _load_staff),
    ("warehouses", _load_warehouses),
    ("tax_rates", _load_tax_rates),
    ("products", _load_products),
    ("price_lists", _load_price_lists),
    ("customers", _load_customers),
]


def demo_is_loaded(section: str) -> bool:
    return bool(audit_timeline(aggregate_type=MARKER, aggregate_id=section))


def _load_section(name: str, loader: Loader, seed: int) -> SectionResult:
    started = time.perf_counter()
    with transaction.atomic():
        created = loader(seed)
        audit_record(
            aggregate_type=MARKER,
            aggregate_id=name,
            action="loaded",
            actor=DEMO,
            after={"created": created, "seed": seed},
        )
    return SectionResult(name, "loaded", created, time.perf_counter() - started)


def demo_load(
    *, seed: int = SEED, progress: Callable[[SectionResult], None] | None = None
) -> list[SectionResult]:
    """Load every section not loaded yet; report each through `progress` as it finishes."""
    results = []
    for name, loader in SECTIONS:
        loaded = demo_is_loaded(name)
        result = SectionResult(name, "already loaded") if loaded else _load_section(name, loader, seed)
        results.append(result)
        if progress:
            progress(result)
    return results
