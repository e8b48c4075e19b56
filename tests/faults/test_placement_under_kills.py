"""Fault test: orders placed over HTTP while gunicorn workers are SIGKILLed (target D1).

`dingdan serve` (gunicorn, WORKERS workers) runs on the test database; CLIENTS closed-loop
clients place orders, each under a new Idempotency-Key, and retry with the same key and body
on no answer, 409 and 5xx. Every KILL_INTERVAL seconds a random worker gets SIGKILL (the
master starts another) for SECONDS seconds (DINGDAN_CRASH_SECONDS: 30 in CI, 120 in
`make soak`). Then: every order whose 201 reached a client exists under that number (0 lost),
no key has two orders (0 duplicates), every committed order has its audit entry and outbox
event, no key is left in progress, and `dingdan verify` is clean.

Negative control: the same load with the server writing outbox events after the order's
commit instead of inside its transaction (`dingdan.testing.load.events_after_commit`,
switched on per request in the server process, a worker killed every second, in rounds of
CONTROL_SECONDS until it happens, at most CONTROL_ROUNDS) must leave committed orders without
events, and the check must count them.
"""

import os
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from dingdan.core.models import IdempotencyKey
from dingdan.core.verify import verify_all
from dingdan.testing.load import Clients, LoadShop, Server, Tally, load_shop, placement_findings

SECONDS = float(os.environ.get("DINGDAN_CRASH_SECONDS", "30"))
KILL_INTERVAL = float(os.environ.get("DINGDAN_CRASH_KILL_INTERVAL", "2"))
CONTROL_SECONDS = 6.0
CONTROL_ROUNDS = 4  # at most, until a kill has left an order without its event
WORKERS = 3
CLIENTS = 6
LOCK_SECONDS = 3  # a killed request's key is taken over by its retry after this

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def server(django_db_setup: None) -> Iterator[Server]:
    with Server(
        connection.settings_dict,
        workers=WORKERS,
        threads=2,
        faults=True,
        env={"IDEMPOTENCY_LOCK_SECONDS": str(LOCK_SECONDS)},
        name="kill-server",
    ) as server:
        yield server


@pytest.fixture
def shop(transactional_db: None, make_user: Any) -> LoadShop:
    return load_shop(make_user("administrator", username="crasher"))


def _under_kills(
    server: Server, clients: Clients, seconds: float, interval: float
) -> tuple[Tally, int, float]:
    rng = random.Random(9)
    kills_before = server.kills
    began = time.monotonic()
    clients.start()
    next_kill = began + interval / 2  # kills at 1, 3, 5 ... s: SECONDS / interval of them
    while time.monotonic() - began < seconds:
        if time.monotonic() >= next_kill:
            server.kill_worker(rng)
            next_kill += interval
        time.sleep(0.05)
    tally = clients.stop()
    elapsed = time.monotonic() - began
    server.wait_ready()  # the master has replaced every killed worker
    return tally, server.kills - kills_before, elapsed


def _line(label: str, tally: Tally, kills: int, seconds: float, findings: dict[str, int]) -> str:
    statuses = tally.statuses()
    return (
        f"{label}: {kills} SIGKILLs in {seconds:.0f} s, {sum(statuses.values())} requests "
        f"({statuses[201]} 201, {statuses[0]} cut off, {statuses[409]} 409, "
        f"{sum(n for s, n in statuses.items() if s >= 500)} 5xx), "
        f"{len(tally.acknowledged)} orders acknowledged, "
        f"{findings['orders']} committed; lost {findings['lost']}, duplicates {findings['duplicates']}, "
        f"without audit {findings['without_audit']}, without event {findings['without_event']}"
    )


def _clean(findings: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {name: found for name, found in findings.items() if found}


def test_every_acknowledged_order_survives_worker_kills_once_with_its_audit_and_events(
    server: Server, shop: LoadShop, record_property: Any
) -> None:
    clients = Clients(server.url, shop, CLIENTS, prefix="kill", finish_seconds=LOCK_SECONDS + 30)

    tally, kills, seconds = _under_kills(server, clients, SECONDS, KILL_INTERVAL)

    with connection.cursor() as cursor:
        findings = placement_findings(cursor, tally.acknowledged)
    stuck = IdempotencyKey.objects.filter(status=IdempotencyKey.Status.IN_PROGRESS).count()
    drift = _clean(verify_all())
    text = _line("D1 gunicorn workers SIGKILLed", tally, kills, seconds, findings)
    text += f", keys stuck in progress {stuck}, verify findings {sum(map(len, drift.values()))}"
    print(text)
    record_property("figures", text)
    assert kills >= int(SECONDS / KILL_INTERVAL) - 1
    assert tally.statuses()[0] >= 1  # kills did cut requests off
    assert (tally.abandoned, tally.refused) == ([], {})
    assert not [status for status in tally.statuses() if status >= 500]
    assert findings == {
        "orders": len(tally.acknowledged),  # nothing committed that no client was told about
        "keys": len(tally.acknowledged),
        "duplicates": 0,
        "lost": 0,
        "without_audit": 0,
        "without_event": 0,
    }
    assert stuck == 0
    assert drift == {}


def test_negative_control_events_written_after_the_commit_are_missing_for_some_orders_after_kills(
    server: Server, shop: LoadShop, record_property: Any
) -> None:
    tally, kills, seconds, rounds = Tally(), 0, 0.0, 0
    findings = {"without_event": 0}
    while rounds < CONTROL_ROUNDS and findings["without_event"] == 0:  # a kill may miss the window
        clients = Clients(
            server.url,
            shop,
            CLIENTS,
            prefix=f"naive{rounds}",
            finish_seconds=LOCK_SECONDS + 30,
            fault="events_after_commit",
        )
        part, part_kills, part_seconds = _under_kills(server, clients, CONTROL_SECONDS, 1.0)
        tally.acknowledged.update(part.acknowledged)
        tally.answers += part.answers
        kills, seconds, rounds = kills + part_kills, seconds + part_seconds, rounds + 1
        with connection.cursor() as cursor:
            findings = placement_findings(cursor, tally.acknowledged)

    text = _line("D1 negative control (events after the commit)", tally, kills, seconds, findings)
    print(text)
    record_property("figures", text)
    assert findings["without_event"] >= 1
    assert findings["lost"] == findings["duplicates"] == 0
