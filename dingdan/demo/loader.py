"""Loads the demo data through the contexts' services (never by writing rows directly).

Each section runs in one transaction and, as its last write, appends a marker to the audit
trail (aggregate `demo_data`, id = section). A section with a marker is skipped, so running
the demo again creates nothing, and a run that failed half-way resumes where it stopped.
The orders come in sections of ORDER_BATCH orders, so no transaction grows large.

The history is dated: the opening stock arrives before the first order and the orders are
spread over the last days. The services read the time from `django.utils.timezone.now`; the
loader sets that clock to each moment (`_clock`) instead of writing any date field itself.
"""

import contextlib
import datetime as dt
import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dingdan.accounts import services as accounts
from dingdan.accounts.scopes import ROLES
from dingdan.catalog import selectors as catalog_selectors
from dingdan.catalog import services as catalog_services
from dingdan.channels import selectors as channel_selectors
from dingdan.channels import services as channels
from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record, audit_timeline
from dingdan.core.exceptions import Conflict
from dingdan.customers import selectors as customer_selectors
from dingdan.customers import services as customers_services
from dingdan.inventory import selectors as inventory_selectors
from dingdan.inventory import services as inventory
from dingdan.orders import services as orders

from .data import SEED
from .data.catalog import catalog, price_lists
from .data.channels import CHANNELS
from .data.customers import customers
from .data.orders import DAYS, ORDERS, OrderPlan, demand, next_step, order_plans
from .data.staff import staff_users, superuser
from .data.stock import opening_receipts
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


# Stock and orders ---------------------------------------------------------------------------

ORDER_COUNT = ORDERS
ORDER_BATCH = 200
OPENING_HOUR = 8  # the opening stock arrives at 08:00, the day before the first orders


@contextlib.contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    """While open, `timezone.now()` (the clock every service reads) returns `moment`."""
    real = timezone.now
    timezone.now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real  # type: ignore[assignment]


def _local_day_start(days_ago: int, now: dt.datetime) -> dt.datetime:
    """Midnight in the company's time zone, `days_ago` days before the day of `now`."""
    zone = timezone.get_default_timezone()
    day = timezone.localdate(now, zone) - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


@functools.cache
def _plans(seed: int, count: int) -> tuple[OrderPlan, ...]:
    return tuple(order_plans(seed, skus=catalog(seed).base_prices, customers=customers(seed), count=count))


def _load_stock(seed: int) -> int:
    """The opening stock, sized by the orders to come; returns the receipt lines."""
    warehouse_ids = dict(inventory_selectors.warehouse_list().values_list("code", "pk"))
    codes = list(catalog(seed).base_prices)
    sku_ids = {code: sku.pk for code, sku in catalog_selectors.skus_by_codes(codes=codes).items()}
    receipts = opening_receipts(
        seed,
        skus=codes,
        warehouses=[row["code"] for row in WAREHOUSES if row["code"] in warehouse_ids],
        demand=demand(_plans(seed, ORDER_COUNT)),
    )
    arrived = _local_day_start(DAYS, timezone.now()) + dt.timedelta(hours=OPENING_HOUR)
    with _clock(arrived):
        for receipt in receipts:
            inventory.stock_receive(
                actor=DEMO,
                warehouse_id=warehouse_ids[receipt["warehouse"]],
                lines=[inventory.StockLine(sku_ids[code], quantity) for code, quantity in receipt["lines"]],
                reference=receipt["reference"],
                note=receipt["note"],
            )
    return sum(len(receipt["lines"]) for receipt in receipts)


@dataclass(frozen=True)
class _Ids:
    """Database ids of what the plans name by code (channels) or position (customers)."""

    channels: dict[str, int]
    customers: list[int | None]

    @classmethod
    def load(cls, seed: int) -> "_Ids":
        by_phone = dict(customer_selectors.customer_list().values_list("phone", "pk"))
        return cls(
            channels=dict(channel_selectors.channel_list().values_list("code", "pk")),
            customers=[by_phone.get(row["phone"]) for row in customers(seed)],
        )


_STEPS: dict[str, tuple[Callable[..., Any], str]] = {
    "approve": (orders.order_approve, "note"),
    "hold": (orders.order_hold, "reason"),
    "reject": (orders.order_reject, "reason"),
    "cancel": (orders.order_cancel, "reason"),
}


def _place(plan: OrderPlan, ids: _Ids, now: dt.datetime) -> bool:
    """Place one planned order at its moment, then take its next step a while later."""
    channel_id, customer_id = ids.channels.get(plan.channel), ids.customers[plan.customer]
    if channel_id is None or customer_id is None:
        return False
    day = _local_day_start(plan.days_ago, now)
    second = plan.second_of_day
    if plan.days_ago == 0:  # today: squeeze the day's orders into the hours gone by
        second = int(second * (now - day).total_seconds() / 86_400)
    placed = day + dt.timedelta(seconds=second)
    request = orders.OrderRequest(
        channel_id=channel_id,
        customer_id=customer_id,
        lines=tuple(orders.LineRequest(sku_code=code, quantity=quantity) for code, quantity in plan.lines),
        external_reference=plan.external_reference,
        priority=plan.priority,
        shipping_fee=plan.shipping_fee,
        customer_note=plan.customer_note,
    )
    with _clock(placed):
        order = orders.order_create(actor=DEMO, request=request, submit=plan.submit)
    step = next_step(order.status, plan.fate, (now - placed).total_seconds() / 86_400)
    stepped = min(placed + dt.timedelta(minutes=plan.delay_minutes), now - dt.timedelta(minutes=1))
    if step is not None and stepped > placed:
        service, argument = _STEPS[step.action]
        with _clock(stepped):
            service(actor=DEMO, order_id=order.pk, **{argument: step.text})
    return True


def _load_orders(batch: int) -> Callable[[int], int]:
    """The loader of the `batch`-th ORDER_BATCH plans, oldest first."""

    def load(seed: int) -> int:
        plans = _plans(seed, ORDER_COUNT)[batch * ORDER_BATCH : (batch + 1) * ORDER_BATCH]
        ids, now = _Ids.load(seed), timezone.now()
        return sum(_place(plan, ids, now) for plan in plans)

    return load


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
    ("stock", _load_stock),
    *((f"orders-{n + 1:02d}", _load_orders(n)) for n in range(math.ceil(ORDERS / ORDER_BATCH))),
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
    *, seed: int = SEED, progress: Callable[[SectionResult], None] | None = None, with_orders: bool = True
) -> list[SectionResult]:
    """Load every section not loaded yet; report each through `progress` as it finishes.
    Without `with_orders` the master data and the opening stock only (for `--orders N`)."""
    results = []
    for name, loader in SECTIONS:
        if not with_orders and name.startswith("orders-"):
            continue
        loaded = demo_is_loaded(name)
        result = SectionResult(name, "already loaded") if loaded else _load_section(name, loader, seed)
        results.append(result)
        if progress:
            progress(result)
    return results
