"""Races on stock over real connections (reliability targets N1, N4, N6; CI sizes).

Each racer is a thread with its own database connection, kept for the whole test and closed
at its end; a barrier releases all racers of a round at the same moment. Every test prints
its figures (and records them for the run's summary) and asserts them.

a. The last units: 32 racers order 1 unit each of the last 10 through order_create, 200
   rounds (DINGDAN_RACE_ROUNDS): exactly 10 confirmed and 22 held for insufficient_stock per
   round, 0 oversold, 0 deadlocks, 0 server errors, `verify` clean.
b. Its negative control: the same race with a read-then-write reserve_row must oversell.
c. The same race on SQLite (8 racers for 3 units, 20 rounds): 0 "database is locked".
d. Lost updates: 16 racers × 50 concurrent +1 adjustments of one stock row.
e. `verify` run again and again while receipts and orders commit reports no drift.
"""

import contextlib
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.db.models import Sum
from psycopg import errors as pg_errors

from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, SkuFactory, TaxRateFactory
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import ApplicationError
from dingdan.core.verify import verify_all
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.inventory.services import Demand, StockLine, stock_adjust, stock_receive, stock_reserve
from dingdan.inventory.services import stock as stock_services
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.orders.models import Order
from dingdan.orders.services import LineRequest, OrderRequest, order_cancel, order_create

ROUNDS = int(os.environ.get("DINGDAN_RACE_ROUNDS", "100"))
CONTROL_ROUNDS = int(os.environ.get("DINGDAN_RACE_CONTROL_ROUNDS", "5"))
SQLITE_ROUNDS = int(os.environ.get("DINGDAN_RACE_SQLITE_ROUNDS", "20"))
SKU = "LAST-01"

postgres_only = pytest.mark.postgres_only


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks between concurrent writers")


# The shop -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shop:
    channel_id: int
    customer_id: int
    sku_id: int
    warehouse_id: int


@pytest.fixture
def shop(transactional_db: None) -> Shop:
    """An auto-confirming channel, a customer with an address, one priced SKU and a warehouse
    with none of it in stock."""
    vat = TaxRateFactory(code="vat13", rate=Decimal("0.13"))
    product: Any = ProductFactory(code="P-LAST", skus=[{"code": SKU, "tax_rate": vat, "specs": {}}])
    channel = channel_create(actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="SO")
    assert channel.review_policy == "auto_confirm"
    PriceListFactory(code="retail", items=[{"sku_code": SKU, "price": Decimal("99.00")}])
    customer: Any = CustomerFactory(name="张伟", addresses=[SHENZHEN])
    warehouse: Any = WarehouseFactory(code="sh")
    return Shop(channel.pk, customer.pk, product.skus.get().pk, warehouse.pk)


def place_one(shop: Shop) -> Callable[[], str]:
    request = OrderRequest(
        channel_id=shop.channel_id,
        customer_id=shop.customer_id,
        lines=(LineRequest(sku_code=SKU, quantity=1),),
    )

    def place() -> str:
        order = order_create(actor=SYSTEM, request=request, submit=True)
        reasons = [r["reason"] for r in order.hold_reasons]
        return order.status if order.status != "on_hold" else f"on_hold:{','.join(reasons)}"

    return place


# Racers -------------------------------------------------------------------------------------


def outcome(call: Callable[[], str]) -> str:
    """What one call came to: its result, or the kind of error it raised."""
    try:
        return call()
    except OperationalError as error:
        if isinstance(error.__cause__, pg_errors.DeadlockDetected):
            return "deadlock"
        return f"operational_error:{error}"  # e.g. SQLite's "database is locked": a 503, counted
    except ApplicationError as error:
        return f"application_error:{error.code}"
    except Exception as error:  # anything else would be a 500
        return f"server_error:{type(error).__name__}: {error}"


class Racers:
    """`count` threads, each with its own connection for the whole test; `round(call)` releases
    them together on `call` and returns their outcomes once all are done."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.start = threading.Barrier(count + 1, timeout=120)
        self.done = threading.Barrier(count + 1, timeout=300)
        self.call: Callable[[], str] | None = None
        self.outcomes: list[str] = [""] * count
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self, n: int) -> None:
        try:
            while True:
                self.start.wait()
                if self.call is None:
                    return
                self.outcomes[n] = outcome(self.call)
                self.done.wait()
        except threading.BrokenBarrierError:
            return
        finally:
            connection.close()

    def round(self, call: Callable[[], str]) -> list[str]:
        self.call = call
        self.start.wait()
        self.done.wait()
        return list(self.outcomes)

    def stop(self) -> None:
        self.call = None
        with contextlib.suppress(threading.BrokenBarrierError):
            self.start.wait(timeout=10)
        self.start.abort()
        self.done.abort()
        for thread in self.threads:
            thread.join(timeout=30)


@pytest.fixture
def racers() -> Iterator[Callable[[int], Racers]]:
    started: list[Racers] = []

    def start(count: int) -> Racers:
        started.append(Racers(count))
        return started[-1]

    yield start
    for pool in started:
        pool.stop()


# The last-units race ------------------------------------------------------------------------


@dataclass
class Figures:
    rounds: int
    racers: int
    units: int
    outcomes: Counter[str] = field(default_factory=Counter)
    off_target_rounds: int = 0  # rounds other than `units` confirmed and reserved, the rest held
    oversold: int = 0  # the most units held by open reservations beyond on hand, after any round
    oversold_rounds: int = 0
    seconds: float = 0.0

    def kinds(self) -> Counter[str]:
        return Counter(kind.split(":", 1)[0] for kind in self.outcomes.elements())

    def line(self, label: str) -> str:
        kinds, per_round = self.kinds(), max(self.rounds, 1)
        held = self.outcomes["on_hold:insufficient_stock"]
        return (
            f"{label} on {connection.vendor}: {self.rounds} rounds x {self.racers} racers for "
            f"{self.units} units, {kinds['confirmed'] / per_round:.1f} confirmed and {held / per_round:.1f} "
            f"held (insufficient_stock) per round, {self.off_target_rounds} rounds off target, "
            f"oversold {self.oversold} units in {self.oversold_rounds} rounds, {kinds['deadlock']} "
            f"deadlocks, {kinds['operational_error']} busy (503), {kinds['application_error']} "
            f"application errors, {kinds['server_error']} server errors, {self.seconds:.1f} s "
            f"({self.seconds / per_round * 1000:.0f} ms per round)"
        )


def open_and_on_hand(shop: Shop) -> tuple[int, int]:
    """Units held by open reservations of the SKU, and its units on hand."""
    open_units = Reservation.objects.filter(
        sku_id=shop.sku_id, warehouse_id=shop.warehouse_id, status="open"
    ).aggregate(total=Sum("quantity"))["total"]
    on_hand = StockLevel.objects.get(sku_id=shop.sku_id, warehouse_id=shop.warehouse_id).on_hand
    return open_units or 0, on_hand


def cancel_held_orders() -> None:
    """Stock that arrives serves held (backordered) orders first, by priority (fulfilment's
    stock-arrival hook). Cancelling the round's held orders makes each round a fresh race for
    the units it received."""
    for order_id in Order.objects.filter(status="on_hold").values_list("pk", flat=True):
        order_cancel(actor=SYSTEM, order_id=order_id, reason="race round over")


def last_units_race(shop: Shop, pool: Racers, *, rounds: int, units: int) -> Figures:
    """Each round receives `units` more, so exactly that many are available, and releases every
    racer on an order for one unit; the round's held orders are cancelled before the next."""
    figures = Figures(rounds=rounds, racers=pool.count, units=units)
    target = Counter({"confirmed": units, "on_hold:insufficient_stock": pool.count - units})
    place, reserved_before = place_one(shop), 0
    began = time.monotonic()
    for _round in range(rounds):
        stock_receive(actor=SYSTEM, warehouse_id=shop.warehouse_id, lines=[StockLine(shop.sku_id, units)])
        outcomes = Counter(pool.round(place))
        open_units, on_hand = open_and_on_hand(shop)
        figures.outcomes.update(outcomes)
        figures.off_target_rounds += outcomes != target or open_units - reserved_before != units
        figures.oversold = max(figures.oversold, open_units - on_hand)
        figures.oversold_rounds += open_units > on_hand
        reserved_before = open_units
        cancel_held_orders()
    figures.seconds = time.monotonic() - began
    return figures


def report(record_property: Any, text: str) -> None:
    print(text)
    record_property("figures", text)


def assert_exact(figures: Figures, shop: Shop) -> None:
    kinds = figures.kinds()
    assert (kinds["deadlock"], kinds["operational_error"], kinds["server_error"]) == (0, 0, 0), (
        figures.outcomes
    )
    assert kinds["application_error"] == 0, figures.outcomes
    assert figures.off_target_rounds == 0
    assert figures.outcomes["confirmed"] == figures.rounds * figures.units
    held = figures.rounds * (figures.racers - figures.units)
    assert figures.outcomes["on_hold:insufficient_stock"] == held
    assert (figures.oversold, figures.oversold_rounds) == (0, 0)
    level = StockLevel.objects.get(sku_id=shop.sku_id, warehouse_id=shop.warehouse_id)
    total = figures.rounds * figures.units
    assert (level.on_hand, level.reserved) == (total, total)
    call_command("verify", stdout=StringIO())  # raises CommandError on any drift


@postgres_only
def test_32_racers_for_the_last_10_units_reserve_exactly_10_per_round(shop, racers, record_property):
    needs_postgres()

    figures = last_units_race(shop, racers(32), rounds=ROUNDS, units=10)

    report(record_property, figures.line("N1 last units"))
    assert_exact(figures, shop)


def unprotected(monkeypatch: Any) -> None:
    """stock_reserve without its protections: the stock read takes no locks, and its
    conditional UPDATEs (of one row, and of the planned rows together) become the naive
    read-then-write below."""
    monkeypatch.setattr(stock_services, "_LOCK", "")
    monkeypatch.setattr(
        stock_services, "_reserve_row", lambda *args: (0, 0, None) if naive_reserve_row(*args) else None
    )
    monkeypatch.setattr(
        stock_services,
        "_reserve_rows",
        lambda totals: {
            key: (0, 0, None) for key, quantity in totals.items() if naive_reserve_row(*key, quantity)
        },
    )


def naive_reserve_row(sku_id: int, warehouse_id: int, quantity: int) -> bool:
    """The bug this suite exists to catch: read the counters, decide in Python, write back."""
    rows = StockLevel.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id)
    on_hand, reserved = rows.values_list("on_hand", "reserved").get()
    if on_hand - reserved < quantity:
        return False
    return bool(rows.update(reserved=reserved + quantity))


@postgres_only
def test_negative_control_a_read_then_write_reservation_oversells(shop, racers, record_property, monkeypatch):
    needs_postgres()
    unprotected(monkeypatch)

    figures = last_units_race(shop, racers(32), rounds=CONTROL_ROUNDS, units=10)

    findings = sum(len(found) for found in verify_all().values())
    report(
        record_property,
        figures.line("N1 negative control (read-then-write)") + f", verify findings {findings}",
    )
    assert figures.oversold_rounds >= 1
    assert findings >= 1
    assert figures.kinds()["server_error"] == 0, figures.outcomes


@pytest.mark.sqlite_only
def test_on_sqlite_8_racers_for_the_last_3_units_never_oversell_or_meet_a_locked_database(
    shop, racers, record_property
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite mode (N6): writers serialised by IMMEDIATE transactions")

    figures = last_units_race(shop, racers(8), rounds=SQLITE_ROUNDS, units=3)

    report(record_property, figures.line("N6 last units"))
    assert_exact(figures, shop)


def opposite_orders_race(pool: Racers, rounds: int) -> tuple[Counter[str], list[int]]:
    """16 racers reserve the same 4 SKUs in two warehouses, half of them listing the lines in
    reverse, for `rounds` rounds; returns the outcomes and the SKUs."""
    warehouses = [WarehouseFactory(code="sh", priority=1), WarehouseFactory(code="gz", priority=2)]
    skus = [SkuFactory(code=f"PAIR-{n}").pk for n in range(4)]
    for warehouse in warehouses:
        stock_receive(actor=SYSTEM, warehouse_id=warehouse.pk, lines=[StockLine(sku, 1000) for sku in skus])
    turn = iter(range(10**6))

    def reserve_all() -> str:
        listed = skus if next(turn) % 2 else list(reversed(skus))
        with transaction.atomic():
            allocations = stock_reserve(
                demands=[Demand(f"{n}", sku, 1 + n % 2) for n, sku in enumerate(listed)], demand_type="race"
            )
            time.sleep(0.002)  # hold the locks a moment, as an order's other writes do
        return "reserved" if all(a.quantity for a in allocations) else "short"

    return Counter(outcome for _ in range(rounds) for outcome in pool.round(reserve_all)), skus


@postgres_only
def test_orders_of_the_same_skus_listed_in_opposite_orders_never_deadlock(
    transactional_db, racers, record_property
):
    """Every writer of stock rows locks them in ascending (SKU, warehouse) order, however its
    lines are listed."""
    needs_postgres()
    rounds = 20

    outcomes, skus = opposite_orders_race(racers(16), rounds)

    reserved = StockLevel.objects.filter(sku_id__in=skus).aggregate(total=Sum("reserved"))["total"]
    report(record_property, f"N1 opposite line orders: {dict(outcomes)}")
    assert outcomes == Counter({"reserved": 16 * rounds})
    assert reserved == 16 * rounds * 6  # 1 + 2 + 1 + 2 units per call
    assert Reservation.objects.filter(demand_type="race", status="open").count() == 16 * rounds * 4


@postgres_only
def test_negative_control_rows_locked_in_the_order_the_lines_are_listed_deadlock(
    transactional_db, racers, record_property, monkeypatch
):
    needs_postgres()
    monkeypatch.setattr(stock_services, "_LOCK", "")  # no ordered lock up front...

    def in_listed_order(totals: dict[tuple[int, int], int]) -> dict[tuple[int, int], Any]:
        found = {}
        for key in totals:  # ...and each row taken in the order its line came
            level = stock_services._reserve_row(*key, totals[key])
            time.sleep(0.002)
            if level is not None:
                found[key] = level
        return found

    monkeypatch.setattr(stock_services, "_reserve_rows", in_listed_order)

    outcomes, _skus = opposite_orders_race(racers(16), 2)

    report(record_property, f"N1 negative control (listed lock order): {dict(outcomes)}")
    assert outcomes["deadlock"] >= 1


# Lost updates -------------------------------------------------------------------------------


def test_concurrent_plus_one_adjustments_of_one_row_lose_no_update(shop, racers, record_property):
    pool, per_racer = racers(16), 50
    stock_receive(actor=SYSTEM, warehouse_id=shop.warehouse_id, lines=[StockLine(shop.sku_id, 7)])

    def adjust_many() -> str:
        for _ in range(per_racer):
            stock_adjust(
                actor=SYSTEM, warehouse_id=shop.warehouse_id, sku_id=shop.sku_id, quantity=1, reason="found"
            )
        return "ok"

    began = time.monotonic()
    outcomes = Counter(pool.round(adjust_many))
    seconds = time.monotonic() - began

    on_hand = StockLevel.objects.get(sku_id=shop.sku_id, warehouse_id=shop.warehouse_id).on_hand
    expected = 7 + pool.count * per_racer
    report(
        record_property,
        f"N4-lite on {connection.vendor}: {pool.count} racers x {per_racer} concurrent +1 adjustments: "
        f"on_hand {on_hand}, expected {expected}, difference {on_hand - expected}, "
        f"outcomes {dict(outcomes)}, {seconds:.1f} s",
    )
    assert outcomes == {"ok": pool.count}
    assert on_hand == expected
    call_command("verify", stdout=StringIO())


# verify on a live system --------------------------------------------------------------------


@postgres_only
def test_verify_finds_no_drift_while_receipts_and_orders_commit_around_it(shop, racers, record_property):
    """Each check compares a counter with its source in one statement; read in two, a commit
    between them looks like drift (the former two-query checks: 11 false findings in 193 runs)."""
    needs_postgres()
    pool, place, outcomes = racers(2), place_one(shop), []

    def write() -> str:
        for _ in range(40):
            stock_receive(actor=SYSTEM, warehouse_id=shop.warehouse_id, lines=[StockLine(shop.sku_id, 1)])
            place()
        return "ok"

    writers = threading.Thread(target=lambda: outcomes.extend(pool.round(write)))
    writers.start()
    runs, findings = 0, []
    while writers.is_alive():
        findings += [finding for found in verify_all().values() for finding in found]
        runs += 1
    writers.join()

    report(
        record_property, f"verify during writes on {connection.vendor}: {runs} runs, {len(findings)} findings"
    )
    assert outcomes == ["ok", "ok"]
    assert runs > 1
    assert findings == []
    call_command("verify", stdout=StringIO())
