"""Bulk history for benchmarks: `dingdan demo --orders N` adds N past orders in minutes.

The demo's own orders go through the services one by one (about 40 orders a second); a
million would take hours. This generator writes the same tables in bulk instead (COPY on
PostgreSQL, executemany on SQLite), like a restore, and leaves every invariant that
`dingdan verify` checks intact:

- Most orders are history: completed (shipped, delivered, paid) or cancelled. Their stock
  left through ledger rows (adjustments `history_shipped`, one per SKU, warehouse and day: the
  history has no fulfilment shipments to match shipment rows), covered by a receipt per SKU
  and warehouse, so `on_hand` still equals the ledger.
- Orders of the last OPEN_DAYS days may still be open (confirmed or pending review); each of
  their lines holds an open reservation and `reserved` grows by exactly their sum.
- Every order has its audit chain (created, submitted, then completed or cancelled), hashed
  with the kernel's chain functions, so the chains verify.

Rows are written through the table names of the models (apps.get_model), not through the
other contexts' model classes: a loader writes rows, it makes no business decision. Extra
customers (one per CUSTOMERS_PER orders) come from the demo's generators of Chinese and
English people with their addresses. History has no outbox rows: its events were delivered
long ago.
"""

import datetime as dt
import itertools
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from dingdan.core.audit import GENESIS, _entry_hash  # the kernel's own chain hash
from dingdan.orders.checks import lines_digest  # what the duplicate check finds orders by

from .data.customers import _person
from .data.orders import CHANNEL_WEIGHTS, HOURS, sku_weights

DAYS = 365  # the history spans the last year
OPEN_DAYS = 7  # orders this recent may still be open
CUSTOMERS_PER = 40  # one extra customer per this many orders
LINES = (1, 9)  # lines per order, uniform: 5 on average
BATCH = 20_000  # orders per transaction
CENT = Decimal("0.01")
ACTOR = "demo (bulk)"
BUFFER = 1_000  # units left on hand per stock row after the history
AUDITED = ["status", "payment_status", "fulfillment_status", "total", "hold_reasons", "version"]

Progress = Callable[[str], None]


def _model(label: str) -> Any:  # a model class of another context, by label only
    return apps.get_model(label)


# Writing rows ---------------------------------------------------------------------------------


def _prepared(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if connection.vendor == "sqlite":
        return field.get_db_prep_save(value, connection)
    return value


def _default(field: models.Field) -> Any:
    if isinstance(field, (models.DateTimeField, models.DateField)) and (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ):
        return timezone.now()
    return field.get_default()


def insert_rows(label: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert `rows` (field name → value; a missing field takes its model default) into the
    table of `label` in one COPY (PostgreSQL) or one executemany (SQLite)."""
    model = _model(label)
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    defaults = {f.attname: f for f in fields}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    count = 0

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            _prepared(defaults[name], row[name] if name in row else _default(defaults[name]))
            for name in names
        )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
        else:
            prepared = [values(row) for row in rows]
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)  # noqa: S608 (names from the model)
            count = len(prepared)
    return count


def _next_id(label: str) -> int:
    model = _model(label)
    return (model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(labels: Sequence[str]) -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), [_model(label) for label in labels])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _order_numbers(count: int) -> int:
    """Take `count` values of the order number series at once; returns the first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('dingdan_order_number_seq')")
            first = int(cursor.fetchone()[0])
            cursor.execute("SELECT setval('dingdan_order_number_seq', %s)", [first + count - 1])
        return first
    ticket = _model("core.NumberTicket")
    first = _next_id("core.NumberTicket")
    ticket._base_manager.create(pk=first + count - 1)
    ticket._base_manager.filter(pk=first + count - 1).delete()  # AUTOINCREMENT keeps the mark
    return first


# What the orders are made of ------------------------------------------------------------------


@dataclass(frozen=True)
class _Sku:
    id: int
    code: str
    name: str
    specs: dict[str, Any]
    specs_json: str
    tax_rate: Decimal
    price: Decimal


@dataclass(frozen=True)
class _Channel:
    id: int
    code: str
    prefix: str
    currency: str
    auto_confirm: bool
    pay_first: bool
    weight: float


@dataclass(frozen=True)
class _Customer:
    id: int
    grade: str
    address: dict[str, Any]


def _skus(seed: int) -> list[_Sku]:
    sku, stock = _model("catalog.Sku"), _model("inventory.StockLevel")
    stocked = set(stock._base_manager.values_list("sku_id", flat=True))
    rows = (
        sku._base_manager.filter(is_active=True, product__is_active=True, pk__in=stocked)
        .select_related("product", "tax_rate")
        .order_by("pk")
    )
    prices = dict(
        _model("catalog.PriceListItem")
        ._base_manager.filter(min_quantity__lte=1, price_list__customer_grade="")
        .values_list("sku_id", "price")
    )
    skus = []
    for row in rows:
        specs = row.specs or {}
        name = f"{row.product.name} {' / '.join(str(v) for v in specs.values())}".strip()[:200]
        price = prices.get(row.pk) or Decimal("99.00")
        skus.append(_Sku(row.pk, row.code, name, specs, json.dumps(specs), row.tax_rate.rate, price))
    weights = sku_weights(seed, [s.code for s in skus])
    return sorted(skus, key=lambda s: -weights[s.code])


def _channels() -> list[_Channel]:
    rows = _model("channels.Channel")._base_manager.filter(is_active=True).order_by("pk")
    return [
        _Channel(
            c.pk,
            c.code,
            c.number_prefix,
            c.currency,
            c.review_policy == "auto_confirm",
            c.payment_policy == "prepaid",
            CHANNEL_WEIGHTS.get(c.code, 5),
        )
        for c in rows
    ]


def _address_snapshot(address: Any) -> dict[str, Any]:
    return {
        name: getattr(address, name)
        for name in (
            "recipient",
            "phone",
            "country_code",
            "province",
            "city",
            "district",
            "street",
            "postal_code",
        )
    }


def _customers() -> list[_Customer]:
    address = _model("customers.Address")
    defaults = {a.customer_id: a for a in address._base_manager.filter(is_default_shipping=True)}
    rows = _model("customers.Customer")._base_manager.filter(is_active=True).order_by("pk")
    return [_Customer(c.pk, c.grade, _address_snapshot(defaults[c.pk])) for c in rows if c.pk in defaults]


def add_customers(count: int, seed: int) -> int:
    """`count` more people (Chinese and English names, Chinese addresses), in bulk."""
    rng = random.Random(seed + 11)  # noqa: S311 (reproducible demo data, not secrets)
    first, first_address = _next_id("customers.Customer"), _next_id("customers.Address")
    people: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    for n in range(count):
        person = _person(rng)
        pk = first + n
        people.append(
            {
                "id": pk,
                "code": f"C{pk:08d}",
                **{k: v for k, v in person.items() if k != "addresses"},
                "kind": "person",
            }
        )
        for address in person["addresses"]:
            addresses.append({"id": first_address + len(addresses), "customer_id": pk, **address})
    insert_rows("customers.Customer", people)
    insert_rows("customers.Address", addresses)
    _reset_sequences(["customers.Customer", "customers.Address"])
    return count


# Orders ---------------------------------------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class _Totals:
    shipped: dict[tuple[int, int, dt.date], int]
    reserved: dict[tuple[int, int], int]


class _Generator:
    def __init__(self, seed: int, now: dt.datetime, warehouse_id: int) -> None:
        self.rng = random.Random(seed + 7)  # noqa: S311 (reproducible demo data, not secrets)
        self.now = now
        self.warehouse_id = warehouse_id
        self.skus = _skus(seed)
        ranks = range(len(self.skus))
        self.sku_weights = list(itertools.accumulate(1 / (r + 8) for r in ranks))
        self.channels = _channels()
        self.channel_weights = list(itertools.accumulate(c.weight for c in self.channels))
        self.customers = _customers()
        self.hour_weights = list(itertools.accumulate(HOURS))
        self.totals = _Totals(defaultdict(int), defaultdict(int))
        self.zone = timezone.get_default_timezone()

    def _moment(self) -> dt.datetime:
        days_ago = int(self.rng.triangular(0, DAYS, 0))  # more orders lately
        hour = self.rng.choices(range(24), cum_weights=self.hour_weights)[0]
        day = timezone.localdate(self.now, self.zone) - dt.timedelta(days=days_ago)
        local = dt.datetime.combine(day, dt.time(hour), tzinfo=self.zone)
        moment = (local + dt.timedelta(seconds=self.rng.randrange(3600))).astimezone(dt.UTC)
        return min(moment, self.now - dt.timedelta(minutes=5))

    def _lines(self, order_id: int, first_line_id: int) -> list[dict[str, Any]]:
        count = self.rng.randint(*LINES)
        chosen: dict[int, _Sku] = {}
        while len(chosen) < count:
            sku = self.skus[self.rng.choices(range(len(self.skus)), cum_weights=self.sku_weights)[0]]
            chosen[sku.id] = sku
        lines = []
        for number, sku in enumerate(sorted(chosen.values(), key=lambda s: s.id), start=1):
            quantity = self.rng.choices((1, 2, 3, 5), weights=(70, 20, 7, 3))[0]
            subtotal = sku.price * quantity
            tax = _round(subtotal * sku.tax_rate / (1 + sku.tax_rate))
            lines.append(
                {
                    "id": first_line_id + number - 1,
                    "order_id": order_id,
                    "line_number": number,
                    "sku_id": sku.id,
                    "sku_code": sku.code,
                    "name": sku.name,
                    "specs": sku.specs,
                    "quantity": quantity,
                    "unit_price": sku.price,
                    "price_source": "price_list",
                    "list_price": sku.price,
                    "discount": Decimal("0.00"),
                    "tax_rate": sku.tax_rate,
                    "subtotal": subtotal,
                    "tax_amount": tax,
                    "backorder_quantity": 0,
                    "quantity_shipped": 0,
                    "quantity_returned": 0,
                }
            )
        return lines

    def _fate(self, channel: _Channel, placed: dt.datetime) -> str:
        recent = self.now - placed < dt.timedelta(days=OPEN_DAYS)
        draw = self.rng.random()
        if draw < 0.07:
            return "cancelled"
        if recent and draw < 0.6:
            return "confirmed" if channel.auto_confirm else "pending_review"
        return "completed"

    def order(self, order_id: int, number: str, first_line_id: int) -> tuple[dict[str, Any], list[Any]]:
        channel = self.channels[
            self.rng.choices(range(len(self.channels)), cum_weights=self.channel_weights)[0]
        ]
        customer = self.customers[self.rng.randrange(len(self.customers))]
        placed = self._moment()
        fate = self._fate(channel, placed)
        lines = self._lines(order_id, first_line_id)
        subtotal = sum((line["subtotal"] for line in lines), Decimal("0.00"))
        closed = min(placed + dt.timedelta(days=self.rng.uniform(0.5, 6)), self.now - dt.timedelta(minutes=1))
        completed = fate == "completed"
        for line in lines:
            if completed:
                line["quantity_shipped"] = line["quantity"]
                day = timezone.localdate(closed, self.zone)
                self.totals.shipped[(line["sku_id"], self.warehouse_id, day)] += line["quantity"]
            elif fate in ("confirmed", "pending_review"):
                self.totals.reserved[(line["sku_id"], self.warehouse_id)] += line["quantity"]
        paid = completed or (fate == "confirmed" and channel.pay_first and self.rng.random() < 0.8)
        order: dict[str, Any] = {
            "id": order_id,
            "created_at": placed,
            "updated_at": closed if fate in ("completed", "cancelled") else placed,
            "number": number,
            "channel_id": channel.id,
            "type": "normal",
            "priority": "urgent" if self.rng.random() < 0.03 else "normal",
            "currency": channel.currency,
            "customer_id": customer.id,
            "customer_grade": customer.grade,
            "status": fate,
            "held_from": "",
            "hold_reasons": [],
            "payment_status": "paid" if paid else "unpaid",
            "fulfillment_status": "delivered" if completed else "unfulfilled",
            "pay_first": channel.pay_first,
            "prices_include_tax": True,
            "subtotal": subtotal,
            "discount_total": Decimal("0.00"),
            "shipping_fee": Decimal("0.00"),
            "tax_total": sum((line["tax_amount"] for line in lines), Decimal("0.00")),
            "total": subtotal,
            "shipping_address": customer.address,
            "billing_address": customer.address,
            "submitted_at": placed,
            "lines_digest": lines_digest((line["sku_code"], line["quantity"]) for line in lines),
            "confirmed_at": placed if fate != "pending_review" else None,
            "closed_at": closed if fate in ("completed", "cancelled") else None,
            "promised_date": timezone.localdate(placed, self.zone) + dt.timedelta(days=2),
            "created_by": ACTOR,
            "version": 3 if fate in ("completed", "cancelled") else 2,
        }
        return order, lines


def _state(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    state = {name: order[name] for name in AUDITED}
    state.update(changes)
    state["total"] = str(state["total"])
    return state


def _chain(order: dict[str, Any], first_id: int) -> list[dict[str, Any]]:
    """The order's audit entries, hashed like core.audit.audit_record hashes them."""
    placed, status = order["created_at"].replace(microsecond=0), order["status"]
    draft = _state(
        order, status="draft", payment_status="unpaid", fulfillment_status="unfulfilled", total="0"
    )
    draft["version"] = 1
    submitted_status = "pending_review" if status == "pending_review" else "confirmed"
    submitted = _state(
        order, status=submitted_status, payment_status="unpaid", fulfillment_status="unfulfilled"
    )
    submitted["version"] = 2
    steps: list[tuple[str, dt.datetime, dict[str, Any] | None, dict[str, Any]]] = [
        ("created", placed, None, draft),
        ("submitted", placed, draft, submitted),
    ]
    if status in ("completed", "cancelled"):
        steps.append((status, order["closed_at"].replace(microsecond=0), submitted, _state(order)))
    entries: list[dict[str, Any]] = []
    prev = GENESIS
    for sequence, (action, at, before, after) in enumerate(steps, start=1):
        fields = {
            "aggregate_type": "order",
            "aggregate_id": str(order["id"]),
            "sequence": sequence,
            "action": action,
            "actor": ACTOR,
            "at": at.astimezone(dt.UTC).isoformat(),
            "before": before,
            "after": after,
            "note": "",
            "prev_hash": prev,
        }
        prev = _entry_hash(fields)
        entries.append({**fields, "id": first_id + len(entries), "at": at, "hash": prev})
    return entries


def _stock(totals: _Totals, opened: dt.datetime) -> None:
    """Receipts covering the history's shipments plus what open orders hold plus BUFFER, the
    shipments themselves, and the stock rows' counters moved by exactly as much."""
    shipped: dict[tuple[int, int], int] = defaultdict(int)
    for (sku, wh, _day), quantity in totals.shipped.items():
        shipped[(sku, wh)] += quantity
    keys = sorted(set(shipped) | set(totals.reserved))
    first = _next_id("inventory.StockMovement")
    moves = [
        {
            "sku_id": sku,
            "warehouse_id": wh,
            "kind": "receipt",
            "quantity": shipped[(sku, wh)] + totals.reserved[(sku, wh)] + BUFFER,
            "reference": "BULK-HISTORY",
            "note": "历史数据",
            "actor": ACTOR,
            "at": opened,
        }
        for sku, wh in keys
    ]
    zone = timezone.get_default_timezone()
    for (sku, wh, day), quantity in sorted(totals.shipped.items()):
        at = dt.datetime.combine(day, dt.time(18), tzinfo=zone)
        moves.append(
            {
                "sku_id": sku,
                "warehouse_id": wh,
                # an adjustment, not a shipment: fulfilment's verify matches shipment rows of
                # the ledger with its shipments, which history does not have
                "kind": "adjustment",
                "reason": "history_shipped",
                "quantity": -quantity,
                "reference": f"SHIP-{day:%Y%m%d}",
                "actor": ACTOR,
                "at": at,
            }
        )
    insert_rows("inventory.StockMovement", ({"id": first + n, **m} for n, m in enumerate(moves)))
    level = _model("inventory.StockLevel")._base_manager
    for sku, wh in keys:
        level.filter(sku_id=sku, warehouse_id=wh).update(
            on_hand=models.F("on_hand") + totals.reserved[(sku, wh)] + BUFFER,
            reserved=models.F("reserved") + totals.reserved[(sku, wh)],
        )


def _batch(gen: _Generator, count: int, ids: dict[str, int], first_number: int) -> list[dict[str, Any]]:
    """Write `count` orders with their lines and audit chains; returns their open
    reservations (written once the batch's lines exist)."""
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    reservations: list[dict[str, Any]] = []
    for n in range(count):
        order_id = ids["order"] + n
        channel_number = first_number + n
        order, order_lines = gen.order(order_id, "", ids["line"] + len(lines))
        prefix = next(c.prefix for c in gen.channels if c.id == order["channel_id"])
        day = timezone.localdate(order["created_at"], gen.zone)
        order["number"] = f"{prefix}{day:%y%m%d}-{channel_number:06d}"
        orders.append(order)
        lines += order_lines
        entries += _chain(order, ids["audit"] + len(entries))
        if order["status"] in ("confirmed", "pending_review"):
            reservations += [
                {
                    "sku_id": line["sku_id"],
                    "warehouse_id": gen.warehouse_id,
                    "quantity": line["quantity"],
                    "demand_type": "order_line",
                    "demand_id": str(line["id"]),
                    "reference": order["number"],
                    "status": "open",
                    "created_at": order["created_at"],
                }
                for line in order_lines
            ]
    insert_rows("orders.Order", orders)
    insert_rows("orders.OrderLine", lines)
    insert_rows("core.AuditEntry", entries)
    ids["order"] += count
    ids["line"] += len(lines)
    ids["audit"] += len(entries)
    return reservations


def add_orders(*, count: int, seed: int, progress: Progress | None = None) -> dict[str, int]:
    """Add `count` history orders (see the module docstring); returns rows written per table."""
    say = progress or (lambda text: None)
    started = time.perf_counter()
    with transaction.atomic():
        extra = add_customers(max(count // CUSTOMERS_PER, 1), seed)
    say(f"customers: {extra} added in {time.perf_counter() - started:.1f} s")
    warehouse = _model("inventory.Warehouse")._base_manager.filter(is_active=True).order_by("priority", "pk")
    now = timezone.now()
    gen = _Generator(seed, now, int(warehouse.values_list("pk", flat=True).first()))
    first_number = _order_numbers(count)
    ids = {
        "order": _next_id("orders.Order"),
        "line": _next_id("orders.OrderLine"),
        "audit": _next_id("core.AuditEntry"),
    }
    first_line, first_audit = ids["line"], ids["audit"]
    reservations: list[dict[str, Any]] = []
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            reservations += _batch(gen, size, ids, first_number + done)
        done += size
        rate = done / (time.perf_counter() - started)
        say(f"orders: {done:,} of {count:,} ({rate:,.0f} orders/s)")
    with transaction.atomic():
        first = _next_id("inventory.Reservation")
        insert_rows("inventory.Reservation", ({"id": first + n, **r} for n, r in enumerate(reservations)))
        opened = now - dt.timedelta(days=DAYS + 1)
        _stock(gen.totals, opened)
        _reset_sequences(
            [
                "orders.Order",
                "orders.OrderLine",
                "core.AuditEntry",
                "inventory.Reservation",
                "inventory.StockMovement",
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(f"done in {time.perf_counter() - started:.1f} s")
    return {
        "customers": extra,
        "orders": count,
        "lines": ids["line"] - first_line,
        "audit_entries": ids["audit"] - first_audit,
        "reservations": len(reservations),
    }
