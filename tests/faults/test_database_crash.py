"""Fault test: PostgreSQL crashes under load and comes back (target D2).

A cluster of its own (it is stopped), holding a copy of the test database with a shop;
`dingdan serve` (gunicorn) on it with persistent connections checked before reuse
(CONN_MAX_AGE, CONN_HEALTH_CHECKS, as in production);
CLIENTS closed-loop clients place orders under Idempotency-Keys and retry with the same key.
After BEFORE seconds the cluster is stopped with `pg_ctl stop -m immediate` (every server
process ends at once: no checkpoint, recovery from WAL at the next start), stays down DOWN
seconds, and starts again on the same data directory and port; the load goes on for AFTER
seconds (DINGDAN_DBCRASH_SECONDS is their sum: 12 in CI, longer in `make soak`). Then:
- 0 acknowledged orders lost, no key with two orders, every order with its audit entry and
  event, `dingdan verify` clean on the crashed database;
- while the database was down the clients got 503 with Retry-After, never a 500;
- the service recovered without a restart of gunicorn: orders are placed again, within
  RECOVERY_LIMIT seconds of the restart (the figure reports the time).

Negative control, on the same cluster and server afterwards: with the cluster acknowledging
commits before writing them (`synchronous_commit=off`), crashes under load (until one loses an
order, at most CONTROL_CRASHES) must lose acknowledged orders, and the same check must count
them.
"""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from dingdan.core.models import IdempotencyKey
from dingdan.testing.load import (
    Clients,
    CrashableCluster,
    LoadShop,
    Server,
    Tally,
    load_shop,
    placement_findings,
)

SCALE = float(os.environ.get("DINGDAN_DBCRASH_SECONDS", "12")) / 15
BEFORE, DOWN, AFTER = 5 * SCALE, 3 * SCALE, 7 * SCALE
CLIENTS = 6
LOCK_SECONDS = 3  # the retry of a request the crash cut off takes its key over after this
RECOVERY_LIMIT = 15.0
CONTROL_CRASHES = 8  # at most; each loses an acknowledged order more often than not

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def shop(transactional_db: None, make_user: Any) -> LoadShop:
    return load_shop(make_user("administrator", username="dbcrasher"))


@contextlib.contextmanager
def _serving(shop: LoadShop) -> Iterator[tuple[CrashableCluster, Server]]:
    cluster = CrashableCluster()
    try:
        cluster.copy_from(connection.settings_dict)
        # persistent connections checked before reuse, as the base settings configure them
        database = cluster.settings(connection.settings_dict, CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
        with Server(
            database,
            workers=2,
            threads=2,
            env={"IDEMPOTENCY_LOCK_SECONDS": str(LOCK_SECONDS)},
            name="dbcrash-server",
        ) as server:
            yield cluster, server
    finally:
        cluster.remove()


def _crash_under_load(
    cluster: CrashableCluster,
    server: Server,
    shop: LoadShop,
    prefix: str,
    before: float,
    down: float,
    after: float,
    finish_seconds: float = 30,
) -> tuple[Tally, float, float]:
    clients = Clients(
        server.url, shop, CLIENTS, prefix=prefix, timeout=10, pause=0.2, finish_seconds=finish_seconds
    )
    clients.start()
    time.sleep(before)
    cluster.crash()
    went_down = time.monotonic()
    time.sleep(down)
    cluster.start()
    came_up = time.monotonic()
    time.sleep(after)
    return clients.stop(), went_down, came_up


def _findings(cluster: CrashableCluster, tally: Tally) -> dict[str, int]:
    with psycopg.connect(cluster.url) as db, db.cursor() as cursor:
        findings = placement_findings(cursor, tally.acknowledged)
        cursor.execute(f"SELECT count(*) FROM {IdempotencyKey._meta.db_table} WHERE status = 'in_progress'")
        findings["stuck"] = cursor.fetchone()[0]  # type: ignore[index]
    return findings


def _verify(server: Server) -> subprocess.CompletedProcess[str]:
    """`dingdan verify` on the crashed database, as an operator would run it."""
    env = {k: v for k, v in os.environ.items() if k not in {"DINGDAN_TEST_DB", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="dingdan.testing.server_settings",
        DINGDAN_SERVER_DATABASE=server.database_json,
    )
    return subprocess.run(
        [sys.executable, "-m", "dingdan.cli", "verify"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_acknowledged_orders_survive_a_database_crash_and_the_service_recovers_by_itself(
    shop: LoadShop, record_property: Any
) -> None:
    with _serving(shop) as (cluster, server):
        tally, went_down, came_up = _crash_under_load(cluster, server, shop, "dbcrash", BEFORE, DOWN, AFTER)
        findings = _findings(cluster, tally)
        verified = _verify(server)
        workers_after = server.worker_pids()

        # Negative control on the same cluster and server: acknowledge commits before writing
        # them (synchronous_commit=off), crash CONTROL_CRASHES times under load.
        cluster.synchronous_commit = False
        cluster.crash()
        cluster.start()
        control = Tally()
        crashes, control_findings = 0, {"lost": 0}
        while crashes < CONTROL_CRASHES and control_findings["lost"] == 0:
            part, _down, _up = _crash_under_load(cluster, server, shop, f"lax{crashes}", 1.5, 0.5, 0, 0)
            control.acknowledged.update(part.acknowledged)
            crashes += 1
            control_findings = _findings(cluster, control)

    while_down = [a for a in tally.answers if went_down + 0.5 < a.at < came_up]
    statuses_down = sorted({a.status for a in while_down})
    placed_after = [a.at for a in tally.answers if a.at > came_up and a.status == 201]
    recovery = min(placed_after, default=float("inf")) - came_up
    server_errors = sorted({a.status for a in tally.answers if a.status >= 500 and a.status != 503})
    statuses = tally.statuses()
    text = (
        f"D2 PostgreSQL stopped -m immediate under load for {DOWN:.0f} s: {sum(statuses.values())} requests, "
        f"{len(tally.acknowledged)} orders acknowledged, {findings['orders']} committed; "
        f"lost {findings['lost']}, duplicates {findings['duplicates']}, "
        f"without audit {findings['without_audit']}, "
        f"without event {findings['without_event']}, keys stuck {findings['stuck']}; while down "
        f"{len(while_down)} answers {statuses_down} ({sum(1 for a in while_down if a.retry_after)} with "
        f"Retry-After); other 5xx {server_errors}; recovered (first order placed) {recovery:.1f} s after the "
        f"restart; verify exit {verified.returncode}. Negative control (synchronous_commit=off, "
        f"{crashes} crashes): {len(control.acknowledged)} acknowledged, "
        f"lost {control_findings['lost']}"
    )
    print(text)
    record_property("figures", text)
    assert (findings["lost"], findings["duplicates"]) == (0, 0)
    assert (findings["without_audit"], findings["without_event"], findings["stuck"]) == (0, 0, 0)
    assert findings["orders"] == len(tally.acknowledged)
    assert (tally.abandoned, tally.refused) == ([], {})
    assert len(while_down) >= 2
    assert statuses_down == [503]
    assert all(a.retry_after == "1" for a in while_down)
    assert server_errors == []
    assert recovery <= RECOVERY_LIMIT
    assert sum(1 for at in placed_after if at > came_up + AFTER / 2) >= 1  # and it keeps placing
    assert len(workers_after) == 2
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert control_findings["lost"] >= 1  # the check sees lost acknowledgements when there are some
