# ruff: noqa: E501  (SQL and Markdown table rows read better unwrapped)
"""Parts 4-6: order lists, dashboard/report queries, and memory, over a large history.

Lists and reports are timed in-process through Django's test client (server time, no
network), each over REPEAT requests that vary the filter (customer, status, channel, date
range) and follow the cursor to later pages; the SQL of the slowest kind is EXPLAINed.
Memory: the peak RSS (VmHWM) of gunicorn workers after the placement runs, and of the task
worker (`db_worker --batch`) processing EVENTS outbox events.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from . import common

REPEAT = 40
EVENTS = 100_000


def _timed(client: Any, url: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[float, Any]:
    began = time.perf_counter()
    response = client.get(url, params, headers=headers)
    return (time.perf_counter() - began) * 1000, response


def _list_cases(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    from django.apps import apps

    order = apps.get_model("orders.Order")._base_manager
    customers = list(order.order_by("-id").values_list("customer_id", flat=True)[:2000])
    now = dt.datetime.now(dt.UTC)
    cases = []
    for _ in range(REPEAT):
        since = now - dt.timedelta(days=rng.randint(1, 300))
        cases += [
            ("newest", {}),
            ("by status", {"status": rng.choice(["confirmed", "completed", "cancelled", "pending_review"])}),
            ("by channel", {"channel": rng.choice(["web", "tmall", "jd", "store"])}),
            ("by customer", {"customer_id": rng.choice(customers)}),
            ("by channel + status", {"channel": rng.choice(["web", "tmall"]), "status": "completed"}),
            (
                "by date range",
                {"created_from": since.isoformat(), "created_to": (since + dt.timedelta(days=3)).isoformat()},
            ),
        ]
    return cases


def _lists(token: str, rng: random.Random) -> tuple[list[str], dict[str, str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"Authorization": f"Bearer {token}"}
    times: dict[str, list[float]] = {}
    slowest: dict[str, tuple[float, str]] = {}
    for label, params in _list_cases(rng):
        with CaptureQueriesContext(connection) as queries:
            ms, response = _timed(client, "/api/v1/orders", {**params, "limit": 50}, headers)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {response.status_code} {response.content[:200]!r}")
        times.setdefault(label, []).append(ms)
        sql = max(queries.captured_queries, key=lambda q: float(q["time"]))["sql"]
        if ms > slowest.get(label, (0.0, ""))[0]:
            slowest[label] = (ms, sql)
        cursor = response.json().get("next")
        if cursor:
            ms, response = _timed(
                client, "/api/v1/orders", {**params, "limit": 50, "cursor": cursor}, headers
            )
            times.setdefault(f"{label}, page 2", []).append(ms)
    rows = [
        "| API list `GET /api/v1/orders` (limit 50) | requests | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, values in times.items():
        rows.append(
            f"| {label} | {len(values)} | {common.percentile(values, 0.5):.1f} | "
            f"{common.percentile(values, 0.95):.1f} | {max(values):.1f} |"
        )
    return rows, {label: sql for label, (_ms, sql) in slowest.items()}


def _pages(rng: random.Random) -> list[str]:
    """The back office's list and dashboard pages, if they exist, as a manager."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if not client.login(username="manager", password=os.environ.get("DEMO_PASSWORD", "dingdan-demo")):
        return ["| back office | - | - | - | the manager could not sign in |"]
    rows = []
    for url, params in (
        ("/app/orders/", {}),
        ("/app/orders/", {"status": "confirmed"}),
        ("/app/", {}),
        ("/app/reports/", {}),
    ):
        times = []
        status = 0
        for _ in range(REPEAT // 2):
            ms, response = _timed(client, url, params, {})
            status = response.status_code
            if status != 200:
                break
            times.append(ms)
        if times:
            rows.append(
                f"| `{url}` {params or ''} | {len(times)} | {common.percentile(times, 0.5):.1f} | "
                f"{common.percentile(times, 0.95):.1f} | {max(times):.1f} |"
            )
        else:
            rows.append(f"| `{url}` {params or ''} | - | - | - | answered {status}: not measured |")
    return rows


def _reports() -> list[str]:
    """Dashboard-style aggregates through the ORM (what a dashboard or report reads)."""
    from django.apps import apps
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncDay

    order = apps.get_model("orders.Order")._base_manager
    line = apps.get_model("orders.OrderLine")._base_manager
    now = dt.datetime.now(dt.UTC)
    queries = {
        "orders and revenue per status": lambda: list(
            order.values("status").annotate(n=Count("id"), total=Sum("total"))
        ),
        "orders per channel, last 30 days": lambda: list(
            order.filter(created_at__gte=now - dt.timedelta(days=30))
            .values("channel_id")
            .annotate(n=Count("id"), total=Sum("total"))
        ),
        "revenue per day, last 30 days": lambda: list(
            order.filter(created_at__gte=now - dt.timedelta(days=30), status__in=["confirmed", "completed"])
            .annotate(day=TruncDay("created_at"))
            .values("day")
            .annotate(total=Sum("total"))
        ),
        "top 20 SKUs, last 7 days": lambda: list(
            line.filter(order__created_at__gte=now - dt.timedelta(days=7))
            .values("sku_code")
            .annotate(units=Sum("quantity"))
            .order_by("-units")[:20]
        ),
        "open orders awaiting review": lambda: order.filter(status="pending_review").count(),
    }
    rows = [
        "| dashboard / report query (ORM, in-process) | runs | p50 ms | p95 ms |",
        "| --- | --- | --- | --- |",
    ]
    for label, query in queries.items():
        times = []
        for _ in range(10):
            began = time.perf_counter()
            query()
            times.append((time.perf_counter() - began) * 1000)
        rows.append(
            f"| {label} | {len(times)} | {common.percentile(times, 0.5):.0f} | {common.percentile(times, 0.95):.0f} |"
        )
    return rows


def _explain(sqls: dict[str, str]) -> list[str]:
    from django.db import connection

    lines = []
    with connection.cursor() as cursor:
        for label, sql in sqls.items():
            if "page 2" in label:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            lines += [f"{label}:", "", "```", sql[:1500], "", *plan, "```", ""]
    return lines


def _worker_memory(database_url: str, var_dir: str) -> str:
    """Peak RSS of `db_worker --batch` delivering EVENTS outbox events."""
    from django.db import connection

    from dingdan.demo.bulk import insert_rows

    now = dt.datetime.now(dt.UTC)
    first = connection.cursor().execute("SELECT coalesce(max(id), 0) + 1 FROM core_outboxevent").fetchone()[0]
    insert_rows(
        "core.OutboxEvent",
        (
            {
                "id": first + n,
                "event_id": uuid.uuid4(),
                "type": "bench.event",
                "aggregate_type": "bench",
                "aggregate_id": str(n),
                "data": {"n": n},
                "created_at": now,
            }
            for n in range(EVENTS)
        ),
    )
    insert_rows(
        "django_tasks_database.DBTaskResult",
        (
            {
                "id": uuid.uuid4(),
                "status": "READY",
                "args_kwargs": {"args": [first + n], "kwargs": {}},
                "priority": 0,
                "task_path": "dingdan.core.tasks.outbox_deliver",
                "queue_name": "default",
                "backend_name": "default",
                "run_after": now,
                "enqueued_at": now,
                "exception_class_path": "",
                "traceback": "",
                "worker_ids": [],
            }
            for n in range(EVENTS)
        ),
    )
    connection.close()
    env = {**os.environ, "DATABASE_URL": database_url, "DINGDAN_VAR_DIR": var_dir}
    began = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "dingdan.cli", "db_worker", "--batch", "--no-startup-delay"],
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while worker.poll() is None:
        peak = max(peak, _hwm_kib(worker.pid))
        time.sleep(0.5)
    seconds = time.perf_counter() - began
    from django.apps import apps

    left = (
        apps.get_model("core.OutboxEvent")
        ._base_manager.filter(type="bench.event", dispatched_at__isnull=True)
        .count()
    )
    return (
        f"| task worker (`db_worker --batch`) delivering {EVENTS:,} outbox events | {peak / 1024:.0f} MiB | "
        f"{seconds:.0f} s ({EVENTS / seconds:.0f} events/s), {left} left undelivered |"
    )


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def web_worker_peaks(server_pid: int) -> list[int]:
    return [_hwm_kib(pid) for pid in common.children(server_pid)]


def run(args: argparse.Namespace, database_url: str, var_dir: str, report: Any) -> None:
    rng = random.Random(3)
    if "lists" in args.parts:
        from django.apps import apps

        have = apps.get_model("orders.Order")._base_manager.count()
        if have < args.orders:
            started = time.perf_counter()
            common.shop_prepare(orders=args.orders - have)
            report.notes.append(
                f"{args.orders - have:,} history orders generated in {time.perf_counter() - started:.0f} s"
            )
        orders = apps.get_model("orders.Order")._base_manager.count()
        lines = apps.get_model("orders.OrderLine")._base_manager.count()
        token = common.token_for("manager")
        rows, sqls = _lists(token, rng)
        report.section(
            f"4. Order lists over {orders:,} orders and {lines:,} lines",
            [
                *rows,
                "",
                "| back office page | requests | p50 ms | p95 ms | max ms |",
                "| --- | --- | --- | --- | --- |",
                *_pages(rng),
            ],
        )
        report.section("4b. EXPLAIN of the slowest request of each list kind", _explain(sqls))
        report.section(f"5. Dashboard and report queries over {orders:,} orders", _reports())
    if "memory" in args.parts:
        peaks = getattr(report, "web_peaks", [])
        rows = ["| process | peak RSS | notes |", "| --- | --- | --- |"]
        if peaks:
            rows.append(
                f"| gunicorn web workers after the placement runs | {max(peaks) / 1024:.0f} MiB | {len(peaks)} workers: {', '.join(f'{p / 1024:.0f}' for p in peaks)} MiB |"
            )
        rows.append(_worker_memory(database_url, var_dir))
        report.section("6. Memory", rows)
