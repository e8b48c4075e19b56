"""Hot-SKU sell-out on PostgreSQL (reliability target N2; CI size, `make soak` full size).

Each round receives UNITS units of one SKU; CLIENTS racers, each with its own connection,
place 1-unit orders through order_create until one of theirs is held for insufficient
stock. Afterwards exactly UNITS units are reserved: none oversold (reserved beyond on hand),
none undersold (units left free while an order was held for shortage); no deadlock, no
server error; `dingdan verify` clean.

Stock that arrives serves the orders already held for it first (fulfilment's backorder
allocation), so each round ends by cancelling its held orders: the next round's units are then
a fresh race. (Without that, round 2's receipt went to round 1's held orders, which looked
like an undersell of round 2.) The negative control swaps the conditional UPDATE for a
read-then-write and must oversell.
"""

import os
import time
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from dingdan.core.actors import SYSTEM
from dingdan.core.verify import verify_all
from dingdan.inventory.models import StockLevel
from dingdan.inventory.services import StockLine, stock_receive
from tests.concurrency import test_stock_race as n1  # the shop, racers and unprotected reserve of N1
from tests.concurrency.test_stock_race import Shop, outcome, place_one

ROUNDS = int(os.environ.get("DINGDAN_SELLOUT_ROUNDS", "2"))
UNITS = int(os.environ.get("DINGDAN_SELLOUT_UNITS", "20"))
CLIENTS = int(os.environ.get("DINGDAN_SELLOUT_CLIENTS", "16"))

pytestmark = pytest.mark.postgres_only
shop = n1.shop
racers = n1.racers


def _until_refused(shop: Shop) -> Any:
    place = place_one(shop)

    def run() -> str:
        results: Counter[str] = Counter()
        while True:
            result = outcome(place)
            results[result] += 1
            if result != "confirmed":
                return ";".join(f"{k}={v}" for k, v in results.items())

    return run


def _sell_out(shop: Shop, pool: Any, rounds: int) -> dict[str, int]:
    figures: Counter[str] = Counter()
    for _round in range(rounds):
        stock_receive(actor=SYSTEM, warehouse_id=shop.warehouse_id, lines=[StockLine(shop.sku_id, UNITS)])
        reserved_before = StockLevel.objects.get(sku_id=shop.sku_id, warehouse_id=shop.warehouse_id).reserved
        for result in pool.round(_until_refused(shop)):
            for part in result.split(";"):
                kind, count = part.split("=")
                figures[
                    kind.split(":", 1)[0] if kind.startswith(("server_error", "operational")) else kind
                ] += int(count)
        level = StockLevel.objects.get(sku_id=shop.sku_id, warehouse_id=shop.warehouse_id)
        sold = level.reserved - reserved_before
        figures["oversold"] += max(level.reserved - level.on_hand, 0)
        figures["undersold"] += max(UNITS - sold, 0)
        figures["sold"] += sold
        n1.cancel_held_orders()
    return dict(figures)


def _line(label: str, figures: dict[str, int], rounds: int, seconds: float) -> str:
    return (
        f"{label} on {connection.vendor}: {rounds} rounds of {UNITS} units at {CLIENTS} clients: "
        f"{figures.get('sold', 0)} sold of {rounds * UNITS}, {figures.get('oversold', 0)} oversold, "
        f"{figures.get('undersold', 0)} undersold, {figures.get('confirmed', 0)} confirmed, "
        f"{figures.get('on_hold:insufficient_stock', 0)} held for shortage, "
        f"{figures.get('deadlock', 0)} deadlocks, "
        f"{figures.get('server_error', 0)} server errors, {seconds:.1f} s"
    )


def test_hot_sku_sells_out_exactly_with_no_oversell_undersell_or_deadlock(shop, racers, record_property):
    began = time.monotonic()

    figures = _sell_out(shop, racers(CLIENTS), ROUNDS)

    text = _line("N2 hot-SKU sell-out", figures, ROUNDS, time.monotonic() - began)
    print(text)
    record_property("figures", text)
    assert figures["sold"] == figures["confirmed"] == ROUNDS * UNITS - figures["undersold"]
    assert figures["on_hold:insufficient_stock"] == ROUNDS * CLIENTS
    assert (figures["oversold"], figures["undersold"]) == (0, 0)
    assert (figures.get("deadlock", 0), figures.get("server_error", 0)) == (0, 0)
    assert set(figures) == {"sold", "oversold", "undersold", "confirmed", "on_hold:insufficient_stock"}
    call_command("verify", stdout=StringIO())


def test_negative_control_a_read_then_write_reservation_oversells_the_hot_sku(
    shop, racers, record_property, monkeypatch
):
    n1.unprotected(monkeypatch)
    began = time.monotonic()

    figures = _sell_out(shop, racers(CLIENTS), 1)

    findings = sum(len(found) for found in verify_all().values())
    text = _line("N2 negative control (read-then-write)", figures, 1, time.monotonic() - began)
    print(text + f", verify findings {findings}")
    record_property("figures", text + f", verify findings {findings}")
    assert figures["confirmed"] > UNITS  # more orders confirmed than units arrived
    assert findings >= 1
