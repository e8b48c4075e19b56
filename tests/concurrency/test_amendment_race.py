"""Two clerks commit conflicting amendments to one order at the same moment (PostgreSQL,
real connections): per round exactly one wins, the other is refused with 412 (precondition
failed), and nothing of the loser is half-applied: the order's lines, revision, reservations
and stock counters are exactly the winner's. DINGDAN_AMEND_RACE_ROUNDS rounds (CI: 20).
"""

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, TaxRateFactory
from dingdan.channels.services import channel_create
from dingdan.core.actors import Actor
from dingdan.core.exceptions import ApplicationError
from dingdan.core.verify import verify_all
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.orders.models import Order, OrderRevision
from dingdan.orders.services import (
    LineRequest,
    OrderRequest,
    change_request_commit,
    change_request_stage,
    order_create,
)

ROUNDS = int(os.environ.get("DINGDAN_AMEND_RACE_ROUNDS", "20"))
SYSTEM = Actor(username="setup", via="system")
CLERKS = (Actor(username="clerk-a"), Actor(username="clerk-b"))


@pytest.fixture
def order(transactional_db: None) -> Order:
    vat = TaxRateFactory(code="vat13", rate=Decimal("0.13"))
    product: Any = ProductFactory(
        code="P-TEE",
        skus=[{"code": "TEE", "tax_rate": vat, "specs": {}}, {"code": "MUG", "tax_rate": vat, "specs": {}}],
    )
    channel = channel_create(actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="SO")
    PriceListFactory(
        code="retail",
        items=[
            {"sku_code": "TEE", "price": Decimal("99.00")},
            {"sku_code": "MUG", "price": Decimal("35.50")},
        ],
    )
    warehouse: Any = WarehouseFactory(code="sh")
    stock_receive(
        actor=SYSTEM,
        warehouse_id=warehouse.pk,
        lines=[StockLine(sku.pk, 1000) for sku in product.skus.order_by("pk")],
        reference="initial",
    )
    customer: Any = CustomerFactory(name="张伟", addresses=[SHENZHEN])
    request = OrderRequest(
        channel_id=channel.pk, customer_id=customer.pk, lines=(LineRequest(sku_code="TEE", quantity=2),)
    )
    placed = order_create(actor=SYSTEM, request=request)
    assert placed.status == "confirmed"
    return placed


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except ApplicationError as error:
        return error.code
    except Exception as error:  # a deadlock or anything else would be a 500
        return f"server_error:{type(error).__name__}: {error}"
    return "committed"


def race(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    results = [""] * len(calls)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[n] = outcome(calls[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def snapshot(order_id: int) -> tuple[Any, ...]:
    order = Order.objects.get(pk=order_id)
    lines = tuple(order.lines.order_by("line_number").values_list("sku_code", "quantity"))
    reserved = tuple(
        Reservation.objects.filter(status="open").order_by("demand_id").values_list("demand_id", "quantity")
    )
    counters = tuple(StockLevel.objects.order_by("sku_id").values_list("reserved", flat=True))
    return order.revision, order.total, lines, reserved, counters


@pytest.mark.postgres_only
def test_two_clerks_committing_conflicting_amendments_one_wins_the_other_gets_412(order, record_property):
    outcomes: Counter[str] = Counter()
    winners: Counter[str] = Counter()
    half_applied = 0
    started = time.monotonic()
    for round_number in range(ROUNDS):
        a_quantity, b_quantity = 3 + round_number % 5, 10 + round_number % 7
        changes = [
            change_request_stage(
                actor=CLERKS[0],
                order_id=order.pk,
                operations=[{"op": "set_quantity", "line_number": 1, "quantity": a_quantity}],
            ),
            change_request_stage(
                actor=CLERKS[1],
                order_id=order.pk,
                operations=[
                    {"op": "set_quantity", "line_number": 1, "quantity": b_quantity},
                    {"op": "add_line", "sku": "MUG", "quantity": 1},
                ],
            ),
        ]
        revision = Order.objects.get(pk=order.pk).revision
        results = race(
            [
                lambda c=change, clerk=clerk: change_request_commit(actor=clerk, change_request_id=c.pk)
                for change, clerk in zip(changes, CLERKS, strict=True)
            ]
        )
        outcomes.update(results)
        after = snapshot(order.pk)
        if results.count("committed") != 1:
            continue
        winner = results.index("committed")
        winners[CLERKS[winner].username] += 1
        expected_lines = (("TEE", a_quantity),) if winner == 0 else (("TEE", b_quantity), ("MUG", 1))
        quantities = tuple(quantity for _sku, quantity in expected_lines)
        if (
            after[0] != revision + 1
            or after[2] != expected_lines
            or tuple(sorted(q for _d, q in after[3])) != tuple(sorted(quantities))
            or sum(after[4]) != sum(quantities)
        ):
            half_applied += 1
        if winner == 1:  # back to one line for the next round
            removal = change_request_stage(
                actor=SYSTEM, order_id=order.pk, operations=[{"op": "remove_line", "line_number": 2}]
            )
            change_request_commit(actor=SYSTEM, change_request_id=removal.pk)
    seconds = time.monotonic() - started
    findings = {name: found for name, found in verify_all().items() if found}
    kept = OrderRevision.objects.filter(order=order).count()
    figures = (
        f"amendment race on {connection.vendor}: {ROUNDS} rounds x 2 clerks, outcomes {dict(outcomes)}, "
        f"winners {dict(winners)}, half-applied {half_applied}, revisions kept "
        f"{kept}, verify findings {sum(map(len, findings.values()))}, "
        f"{seconds:.1f} s"
    )
    print(f"\n{figures}")
    record_property("figures", figures)
    assert outcomes == Counter({"committed": ROUNDS, "precondition_failed": ROUNDS})
    assert half_applied == 0
    assert findings == {}
