"""Same-key storm on order placement (reliability targets I2 and I3; CI size, `make soak` full).

I2: KEYS idempotency keys, each sent by RACERS threads released at the same moment with an
identical `POST /api/v1/orders`, through real HTTP to gunicorn (`dingdan serve`, several
workers and threads) on PostgreSQL. Every key creates exactly one order (the key rides in the
customer note, which no constraint keeps unique: only the idempotency layer does); every
answer is the first 201, a byte-identical replay or 409 with Retry-After; no 5xx.
I3: MISMATCHES requests reuse those keys with another body: every one is 422
`idempotency_key_reused` and no row changes anywhere (orders, lines, stock ledger,
reservations, audit, outbox, keys).
Negative control: the same storm with the server's idempotency made check-then-act for those
requests (no claim before the work: `dingdan.testing.load.naive_idempotency`, switched on per
request in the server process) must produce duplicates, and the detector must count them.
Both tests share one server.
"""

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection

from dingdan.core.models import AuditEntry, IdempotencyKey, OutboxEvent
from dingdan.core.verify import verify_all
from dingdan.inventory.models import Reservation, StockLevel, StockMovement
from dingdan.orders.models import Order, OrderLine
from dingdan.testing.live import release_together
from dingdan.testing.load import LoadShop, Server, headers, load_shop, order_body, placement_findings

KEYS = int(os.environ.get("DINGDAN_STORM_KEYS", "30"))
RACERS = int(os.environ.get("DINGDAN_STORM_RACERS", "16"))
MISMATCHES = int(os.environ.get("DINGDAN_STORM_MISMATCHES", "60"))
CONTROL_KEYS = 4
KEYS_PER_ROUND = 2  # 32 requests in flight against 16 server threads

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def server(django_db_setup: None) -> Iterator[Server]:
    with Server(connection.settings_dict, workers=2, threads=8, faults=True, name="storm-server") as server:
        yield server


@pytest.fixture
def shop(transactional_db: None, make_user: Any) -> LoadShop:
    return load_shop(make_user("administrator", username="stormer"))


def _post(
    url: str, shop: LoadShop, key: str, body: dict[str, Any], fault: str | None = None
) -> requests.Response:
    return requests.post(url, data=json.dumps(body), headers=headers(shop, key, fault=fault), timeout=60)


def _storm(
    server: Server, shop: LoadShop, keys: int, fault: str | None = None
) -> dict[str, list[requests.Response]]:
    url = f"{server.url}/api/v1/orders"
    responses: dict[str, list[requests.Response]] = {}
    for first in range(0, keys, KEYS_PER_ROUND):
        names = [f"storm-{n}" for n in range(first, min(first + KEYS_PER_ROUND, keys))]
        calls = [
            (lambda key=key: _post(url, shop, key, order_body(shop, key), fault))
            for key in names
            for _racer in range(RACERS)
        ]
        results = release_together(calls, timeout=120)
        for index, key in enumerate(names):
            responses[key] = results[index * RACERS : (index + 1) * RACERS]
    return responses


def _first_answers(responses: dict[str, list[requests.Response]]) -> dict[str, str]:
    """Key -> number of the order its (first, not replayed) 201 carried."""
    return {
        key: r.json()["number"]
        for key, rs in responses.items()
        for r in rs
        if r.status_code == 201 and r.headers.get("Idempotent-Replayed") != "true"
    }


def _rows() -> dict[str, int]:
    models = (Order, OrderLine, StockMovement, Reservation, AuditEntry, OutboxEvent, IdempotencyKey)
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["reserved units"] = sum(StockLevel.objects.values_list("reserved", flat=True))
    return counts


def _storm_line(label: str, responses: dict[str, list[requests.Response]], findings: dict[str, int]) -> str:
    statuses = Counter(r.status_code for rs in responses.values() for r in rs)
    replays = sum(
        1 for rs in responses.values() for r in rs if r.headers.get("Idempotent-Replayed") == "true"
    )
    return (
        f"{label}: {sum(statuses.values())} requests over {len(responses)} keys x {RACERS} racers: "
        f"{statuses[201] - replays} created, {replays} replays, {statuses[409]} 409s, "
        f"{sum(n for s, n in statuses.items() if s >= 500)} 5xx; {findings['orders']} orders for "
        f"{findings['keys']} keys, {findings['duplicates']} duplicates"
    )


def test_a_same_key_storm_places_one_order_per_key_and_a_reused_key_with_another_body_changes_nothing(
    server: Server, shop: LoadShop, record_property: Any
) -> None:
    began = time.monotonic()
    responses = _storm(server, shop, KEYS)
    storm_seconds = time.monotonic() - began
    numbers = _first_answers(responses)
    with connection.cursor() as cursor:
        findings = placement_findings(cursor, numbers)
    storm = _storm_line("I2 same-key storm", responses, findings) + f", {storm_seconds:.1f} s"
    replays = {key: _post(f"{server.url}/api/v1/orders", shop, key, order_body(shop, key)) for key in numbers}

    # I3: the keys again, each with another body (2 units instead of 1), 8 at a time.
    before = _rows()
    keys = list(numbers)
    with ThreadPoolExecutor(max_workers=8) as pool:
        mismatched = list(
            pool.map(
                lambda n: _post(
                    f"{server.url}/api/v1/orders",
                    shop,
                    keys[n % len(keys)],
                    order_body(shop, keys[n % len(keys)], quantity=2),
                ),
                range(MISMATCHES),
            )
        )
    after = _rows()

    refused = sum(
        1 for r in mismatched if r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    )
    changed = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    text = (
        f"{storm}; I3 same key, another body: {refused}/{MISMATCHES} answered 422 idempotency_key_reused, "
        f"rows changed {sum(abs(n) for n in changed.values())} {changed or ''}"
    )
    print(text)
    record_property("figures", text)
    statuses = Counter(r.status_code for rs in responses.values() for r in rs)
    assert set(statuses) <= {201, 409}, statuses
    assert all(
        r.headers["Retry-After"] == "1" for rs in responses.values() for r in rs if r.status_code == 409
    )
    assert sorted(numbers) == sorted(f"storm-{n}" for n in range(KEYS))  # one first 201 per key
    for key, rs in responses.items():
        created = {r.content for r in rs if r.status_code == 201}
        assert len(created) == 1, key  # replays are byte-identical to the first answer
        assert (replays[key].status_code, replays[key].content) == (201, created.pop())
    assert findings == {
        "orders": KEYS,
        "keys": KEYS,
        "duplicates": 0,
        "lost": 0,
        "without_audit": 0,
        "without_event": 0,
    }
    assert Order.objects.filter(status="confirmed").count() == KEYS
    assert IdempotencyKey.objects.filter(status=IdempotencyKey.Status.COMPLETED).count() == KEYS
    assert not IdempotencyKey.objects.filter(status=IdempotencyKey.Status.IN_PROGRESS).exists()
    assert refused == MISMATCHES
    assert changed == {}
    assert {name: found for name, found in verify_all().items() if found} == {}


def test_negative_control_check_then_act_idempotency_places_duplicate_orders_in_the_storm(
    server: Server, shop: LoadShop, record_property: Any
) -> None:
    responses = _storm(server, shop, CONTROL_KEYS, fault="naive_idempotency")

    with connection.cursor() as cursor:
        findings = placement_findings(cursor, _first_answers(responses))

    text = _storm_line("I2 negative control (check-then-act idempotency)", responses, findings)
    print(text)
    record_property("figures", text)
    assert findings["keys"] == CONTROL_KEYS
    assert findings["duplicates"] >= CONTROL_KEYS  # more than one order per key, for every key on average
    assert findings["orders"] == findings["keys"] + findings["duplicates"]
