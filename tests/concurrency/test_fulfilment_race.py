"""Pickers racing over real PostgreSQL connections (CI size; DINGDAN_FULFIL_RACE_ORDERS and
DINGDAN_FULFIL_RACE_PICKERS for `make soak`).

500 confirmed orders (one or two lines, one warehouse, two SKUs: two hot stock rows) are
picked in waves of 10. 16 pickers work the waves two by two, so each wave is confirmed,
packed and shipped by two pickers at the same moment, each with its own tracking number:
exactly one confirmation, one packing and one shipment per order may win. Afterwards: 0
double shipments, 0 negative stock, every order shipped, ledger and `verify` clean. The time
to build one wave of all the orders is measured first (and rolled back)."""

import os
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Sum
from psycopg import errors as pg_errors

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ApplicationError
from dingdan.core.verify import verify_all
from dingdan.fulfillment import services
from dingdan.fulfillment.models import Package, PickList, Shipment
from dingdan.fulfillment.tests.shop import build_shop
from dingdan.inventory.models import StockLevel
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.orders.models import Order, OrderLine

ORDERS = int(os.environ.get("DINGDAN_FULFIL_RACE_ORDERS", "500"))
PICKERS = int(os.environ.get("DINGDAN_FULFIL_RACE_PICKERS", "16"))
WAVE = 10
PLACERS = 4


def outcome_of(error: Exception) -> str:
    if isinstance(error, OperationalError) and isinstance(error.__cause__, pg_errors.DeadlockDetected):
        return "deadlock"
    if isinstance(error, ApplicationError):
        return error.code
    return f"server_error:{type(error).__name__}: {error}"


def pack(actor: Actor, pick_list_id: int, order_id: int, outcomes: Counter[str]) -> int:
    """Pack the order, or, when the other picker packed it first, take the package it packed
    (and race it to the shipment)."""
    contents = dict(OrderLine.objects.filter(order_id=order_id).values_list("sku_code", "quantity"))
    try:
        [package] = services.packages_create(
            actor=actor,
            pick_list_id=pick_list_id,
            order_id=order_id,
            packages=[services.PackageSpec(contents, Decimal("0.5"))],
        )
    except ApplicationError as error:
        outcomes[error.code] += 1
        return (
            Package.objects.filter(order_id=order_id, pick_list_id=pick_list_id)
            .values_list("pk", flat=True)
            .get()
        )
    outcomes["packed"] += 1
    return package.pk


def work(
    picker: int, waves: list[tuple[int, list[int]]], outcomes: Counter[str], start: threading.Barrier
) -> None:
    actor = Actor(username=f"picker{picker}", via="system")
    try:
        start.wait()
        for pick_list_id, order_ids in waves:
            try:
                services.pick_list_confirm(actor=actor, pick_list_id=pick_list_id)
                outcomes["confirmed"] += 1
            except Exception as error:
                outcomes[outcome_of(error)] += 1
            for order_id in order_ids:
                try:
                    package_id = pack(actor, pick_list_id, order_id, outcomes)
                    services.shipment_create(
                        actor=actor,
                        package_ids=[package_id],
                        carrier_code="sf",
                        tracking_number=f"SF{order_id:010d}{picker:02d}",
                    )
                    outcomes["shipped"] += 1
                except Exception as error:
                    outcomes[outcome_of(error)] += 1
    finally:
        connection.close()


def place(shop: Any) -> list[Order]:
    """The orders, placed by PLACERS threads at once (set-up only; each its own connection)."""
    placed: list[list[Order]] = [[] for _ in range(PLACERS)]

    def run(n: int) -> None:
        try:
            for index in range(n, ORDERS, PLACERS):
                lines = [(shop.tee, 1 + index % 2), *([(shop.mug, 1)] if index % 3 == 0 else [])]
                placed[n].append(shop.order(*lines))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(PLACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return sorted((order for orders in placed for order in orders), key=lambda order: order.pk)


@pytest.mark.postgres_only
def test_pickers_racing_over_waves_ship_every_order_exactly_once(
    transactional_db: None, record_property: Any
) -> None:
    setup_started = time.perf_counter()
    shop = build_shop(tees=ORDERS * 2, mugs=0)
    stock_receive(
        actor=Actor("setup", via="system"),
        warehouse_id=shop.shanghai.pk,
        lines=[StockLine(shop.mug.pk, ORDERS)],
    )
    orders = [
        shop.order((shop.tee, 1 + n % 2), *([(shop.mug, 1)] if n % 3 == 0 else [])) for n in range(ORDERS)
    ]
    assert {order.status for order in orders} == {"confirmed"}
    ids = [order.pk for order in orders]
    setup_seconds = time.perf_counter() - setup_started
    before = dict(StockLevel.objects.filter(warehouse=shop.shanghai).values_list("sku_id", "on_hand"))

    started = time.perf_counter()
    with transaction.atomic():
        wave = services.pick_list_create(
            actor=Actor("timer", via="system"), warehouse_id=shop.shanghai.pk, order_ids=ids
        )
        assert wave.lines.count() == OrderLine.objects.filter(order_id__in=ids).count()
        transaction.set_rollback(True)
    wave_seconds = time.perf_counter() - started
    assert not PickList.objects.exists()

    waves = []
    for first in range(0, len(ids), WAVE):
        chunk = ids[first : first + WAVE]
        waves.append(
            (
                services.pick_list_create(
                    actor=Actor("planner", via="system"), warehouse_id=shop.shanghai.pk, order_ids=chunk
                ).pk,
                chunk,
            )
        )
    half = max(PICKERS // 2, 1)
    outcomes: list[Counter[str]] = [Counter() for _ in range(PICKERS)]
    start = threading.Barrier(PICKERS)
    threads = [
        threading.Thread(
            target=work,
            args=(n, [w for i, w in enumerate(waves) if i % half == n % half], outcomes[n], start),
        )
        for n in range(PICKERS)
    ]
    race_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    race_seconds = time.perf_counter() - race_started
    total = sum(outcomes, Counter())

    per_order = Counter(
        dict(Shipment.objects.values("order_id").annotate(n=Count("pk")).values_list("order_id", "n"))
    )
    doubles = sum(1 for n in per_order.values() if n > 1)
    shipped_orders = Order.objects.filter(pk__in=ids, fulfillment_status="shipped").count()
    negative = (
        StockLevel.objects.filter(on_hand__lt=0).count() + StockLevel.objects.filter(reserved__lt=0).count()
    )
    units = OrderLine.objects.filter(order_id__in=ids).aggregate(q=Sum("quantity"), s=Sum("quantity_shipped"))
    after = dict(StockLevel.objects.filter(warehouse=shop.shanghai).values_list("sku_id", "on_hand"))
    findings = {name: found for name, found in verify_all().items() if found}
    figure = (
        f"fulfilment race on {connection.vendor}: {ORDERS} orders in {len(waves)} waves, {PICKERS} pickers: "
        f"{shipped_orders} orders shipped, {doubles} double shipments, {negative} negative stock rows, "
        f"outcomes {dict(sorted(total.items()))}, race {race_seconds:.1f} s; "
        f"wave of {ORDERS} orders built in {wave_seconds * 1000:.0f} ms "
        f"(orders placed in {setup_seconds:.1f} s)"
    )
    print(figure)
    record_property("figures", figure)

    assert not [kind for kind in total if kind.startswith(("server_error", "deadlock"))]
    assert set(total) <= {
        "confirmed",
        "packed",
        "shipped",
        "pick_list_not_open",
        "nothing_to_pack",
        "package_already_shipped",
        "pick_list_not_picked",
    }
    assert total["confirmed"] == len(waves)
    assert total["shipped"] == total["packed"] == ORDERS
    assert (doubles, negative, shipped_orders, len(per_order)) == (0, 0, ORDERS, ORDERS)
    assert units["q"] == units["s"]
    assert {sku: before[sku] - after[sku] for sku in before} == dict(
        OrderLine.objects.filter(order_id__in=ids)
        .values("sku_id")
        .annotate(n=Sum("quantity"))
        .values_list("sku_id", "n")
    )
    assert StockLevel.objects.filter(reserved__gt=0).count() == 0
    assert findings == {}
    assert Order.objects.filter(pk__in=ids).exclude(lines__quantity_shipped=F("lines__quantity")).count() == 0
