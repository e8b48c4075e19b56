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
import re
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
        sql = _slowest_sql(queries.captured_queries)
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


def _login(username: str) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if not client.login(username=username, password=os.environ.get("DEMO_PASSWORD", "dingdan-demo")):
        raise RuntimeError(f"the demo user {username} could not sign in")
    return client


def _backoffice_cases(rng: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, user, query) of the back office's order list as staff use it: a staff label,
    an order status, a channel, a business-date range, a label within a channel and a week,
    and the search box with an order number (whole or its first characters), a customer's
    phone number as typed (customer service: the search reaches personal data) and a name."""
    from django.apps import apps

    from dingdan.backoffice.labels import STAFF_LABELS, STATUS_LABELS

    order = apps.get_model("orders.Order")._base_manager
    customer = apps.get_model("customers.Customer")._base_manager
    top = order.order_by("-id").values_list("id", flat=True).first() or 0
    picked = list(
        order.filter(pk__in=[rng.randint(1, top) for _ in range(REPEAT * 3)]).values_list(
            "number", "customer_id"
        )
    )
    people = dict(customer.filter(pk__in=[c for _n, c in picked]).values_list("pk", "phone"))
    names = list(customer.filter(pk__in=[c for _n, c in picked]).values_list("name", flat=True))
    today = dt.date.today()
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for index in range(REPEAT // 2):
        number, customer_id = picked[index % len(picked)]
        day = today - dt.timedelta(days=rng.randint(0, 360))
        phone = people.get(customer_id) or "13800000000"
        cases += [
            ("newest", "manager", {}),
            ("staff label", "manager", {"label": rng.choice(list(STAFF_LABELS))}),
            ("order status", "manager", {"status": rng.choice(list(STATUS_LABELS))}),
            ("channel", "manager", {"channel": rng.choice(["web", "tmall", "jd", "store"])}),
            (
                "date range (1-7 days)",
                "manager",
                {
                    "date_from": day.isoformat(),
                    "date_to": (day + dt.timedelta(days=rng.randint(0, 6))).isoformat(),
                },
            ),
            (
                "label + channel + week",
                "manager",
                {
                    "label": rng.choice(["completed", "cancelled", "awaiting_shipment", "awaiting_review"]),
                    "channel": rng.choice(["web", "tmall"]),
                    "date_from": (today - dt.timedelta(days=6)).isoformat(),
                },
            ),
            ("search: order number", "customer_service", {"q": number}),
            ("search: order number prefix", "customer_service", {"q": number[: max(4, len(number) - 3)]}),
            ("search: phone", "customer_service", {"q": phone.removeprefix("+86")}),
            ("search: customer name", "customer_service", {"q": rng.choice(names) if names else "王"}),
        ]
    return cases


_CURSOR = re.compile(r"cursor=([A-Za-z0-9_-]+)")


def _backoffice_list(rng: random.Random) -> tuple[list[str], dict[str, str]]:
    """`/app/orders/` for every case, then its next page as the "More" button asks for it
    (htmx: the rows only). Server time in-process; queries counted per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {user: _login(user) for user in ("manager", "customer_service")}
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    db_cpu: dict[str, list[float]] = {}
    sql_ms: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    slowest: dict[str, tuple[float, str]] = {}

    def measure(kind: str, user: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        with _Work() as work, CaptureQueriesContext(connection) as queries:
            ms, response = _timed(clients[user], "/app/orders/", params, headers)
        if response.status_code != 200:
            raise RuntimeError(f"/app/orders/ {params}: {response.status_code}")
        times.setdefault(kind, []).append(ms)
        cpu.setdefault(kind, []).append(work.app_ms)
        db_cpu.setdefault(kind, []).append(work.db_ms)
        sql_ms.setdefault(kind, []).append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        counts[kind] = max(counts.get(kind, 0), len(queries.captured_queries))
        sql = _slowest_sql(queries.captured_queries)
        if ms > slowest.get(kind, (0.0, ""))[0]:
            slowest[kind] = (ms, sql)
        return response

    for kind, user, params in _backoffice_cases(rng):
        response = measure(kind, user, params, {})
        found = _CURSOR.search(response.content.decode())
        if found:
            measure(f"{kind}, next page", user, {**params, "cursor": found.group(1)}, {"HX-Request": "true"})
    rows = [
        "| back-office list `/app/orders/` (50 rows) | requests | p50 ms | p95 ms | max ms "
        "| CPU ms per request: app + PostgreSQL (mean) | SQL ms p50 / p95 | queries |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind, values in times.items():
        app, db = sum(cpu[kind]) / len(values), sum(db_cpu[kind]) / len(values)
        rows.append(
            f"| {kind} | {len(values)} | {common.percentile(values, 0.5):.1f} | "
            f"{common.percentile(values, 0.95):.1f} | {max(values):.1f} | {app + db:.1f} ({app:.1f} + {db:.1f}) | "
            f"{common.percentile(sql_ms[kind], 0.5):.1f} / {common.percentile(sql_ms[kind], 0.95):.1f} | {counts[kind]} |"
        )
    return rows, {f"/app/orders/ {kind}": sql for kind, (_ms, sql) in slowest.items()}


class _Work:
    """CPU time of one request: this process (the view, templates, ORM) plus the PostgreSQL
    backend serving its connection (read from /proc): what a request costs however loaded
    the machine is, where wall time also counts the wait for a CPU."""

    def __enter__(self) -> "_Work":
        self.app = time.process_time()
        self.db = self._backend()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.app_ms = (time.process_time() - self.app) * 1000
        self.db_ms = (self._backend() - self.db) * 1000

    @staticmethod
    def _backend() -> float:
        from django.db import connection

        connection.ensure_connection()
        return common.cpu_seconds(connection.connection.info.backend_pid)


def _slowest_sql(captured: list[dict[str, str]]) -> str:
    """The slowest statement of a request, leaving out the sign-in's session and user reads."""
    own = [q for q in captured if not re.match(r'SELECT .*? FROM "(django_session|auth_\w+)"', q["sql"])]
    return max(own or captured, key=lambda q: float(q["time"]))["sql"]


def _sql_label(sql: str) -> str:
    """A short name for a captured statement: its tables and the start of its WHERE."""
    tables = sorted(set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql)))
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
    where = re.sub(r'"\w+"\.', "", where)[:90].replace("|", "/")
    return f"{', '.join(tables)}: {where}" if where else ", ".join(tables)


def _dashboard() -> tuple[list[str], dict[str, str]]:
    """`/app/` as the manager: the whole page, and each statement it issues (every one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _login("manager")
    pages: list[float] = []
    cpu: list[float] = []
    db_cpu: list[float] = []
    statements: dict[int, list[float]] = {}
    sqls: dict[int, str] = {}
    for _ in range(REPEAT // 2):
        with _Work() as work, CaptureQueriesContext(connection) as queries:
            ms, response = _timed(client, "/app/", {}, {})
        if response.status_code != 200:
            raise RuntimeError(f"/app/: {response.status_code}")
        pages.append(ms)
        cpu.append(work.app_ms)
        db_cpu.append(work.db_ms)
        for index, query in enumerate(queries.captured_queries):
            statements.setdefault(index, []).append(float(query["time"]) * 1000)
            sqls[index] = query["sql"]
    rows = [
        "| dashboard `/app/` (manager) | requests | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
        f"| whole page ({len(sqls)} statements; CPU per request {(sum(cpu) + sum(db_cpu)) / len(pages):.1f} ms: "
        f"app {sum(cpu) / len(pages):.1f} + PostgreSQL {sum(db_cpu) / len(pages):.1f}) | "
        f"{len(pages)} | {common.percentile(pages, 0.5):.1f} | {common.percentile(pages, 0.95):.1f} | {max(pages):.1f} |",
    ]
    ranked = sorted(statements, key=lambda i: -common.percentile(statements[i], 0.95))
    for index in ranked:
        values = statements[index]
        rows.append(
            f"| statement {index + 1}: `{_sql_label(sqls[index])}` | {len(values)} | "
            f"{common.percentile(values, 0.5):.1f} | {common.percentile(values, 0.95):.1f} | {max(values):.1f} |"
        )
    slow = {
        f"/app/ statement {i + 1}": sqls[i]
        for i in ranked[:3]
        if sqls[i].lstrip().upper().startswith("SELECT")
    }
    return rows, slow


def _periods() -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """The periods a business reads its figures over, as business days in the company's
    time zone: today, this week (from Monday), the last 7 days, this month, the last 30 days."""
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    today = timezone.localdate()

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    end = start(today + dt.timedelta(days=1))
    return {
        "today": (start(today), end),
        "this week": (start(today - dt.timedelta(days=today.weekday())), end),
        "last 7 days": (start(today - dt.timedelta(days=6)), end),
        "this month": (start(today.replace(day=1)), end),
        "last 30 days": (start(today - dt.timedelta(days=29)), end),
    }


def _report_queries() -> dict[str, Any]:
    """What a business report reads, each over a period: orders, revenue and completion rate
    (one aggregate), the top 10 SKUs by units (cancelled, rejected and draft orders left out),
    orders and revenue per channel; revenue per day is the dashboard's chart (measured with
    the page). Through the ORM, as a report view would."""
    from django.apps import apps
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from dingdan.backoffice.selectors import NOT_COUNTED
    from dingdan.reporting.selectors import top_skus

    order = apps.get_model("orders.Order")._base_manager
    queries: dict[str, Any] = {}
    for name, (since, until) in _periods().items():
        within = order.filter(created_at__gte=since, created_at__lt=until)
        queries[f"{name}: orders, revenue, completion rate"] = lambda within=within: within.aggregate(
            n=Count("pk"),
            revenue=Sum("total", filter=~Q(status__in=NOT_COUNTED)),
            completed=Count("pk", filter=Q(status="completed")),
            cancelled=Count("pk", filter=Q(status__in=("cancelled", "rejected"))),
        )
        # reporting's read model (clean days) plus the days it cannot answer yet, from the lines
        queries[f"{name}: top 10 SKUs by units"] = lambda since=since, until=until: top_skus(
            since=timezone.localdate(since), until=timezone.localdate(until) - dt.timedelta(days=1), limit=10
        )
        queries[f"{name}: orders and revenue per channel"] = lambda within=within: list(
            within.values("channel_id").annotate(
                n=Count("pk"), revenue=Sum("total", filter=~Q(status__in=NOT_COUNTED))
            )
        )
    return queries


def _reports() -> tuple[list[str], dict[str, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [
        "| report query (ORM, in-process) | runs | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    slowest: tuple[float, str, str] = (0.0, "", "")
    for label, query in _report_queries().items():
        times = []
        for _ in range(10):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                query()
                times.append((time.perf_counter() - began) * 1000)
            if times[-1] > slowest[0]:
                slowest = (times[-1], label, captured.captured_queries[-1]["sql"])
        rows.append(
            f"| {label} | {len(times)} | {common.percentile(times, 0.5):.0f} | "
            f"{common.percentile(times, 0.95):.0f} | {max(times):.0f} |"
        )
    return rows, {f"report {slowest[1]}": slowest[2]} if slowest[1] else {}


def _explain(sqls: dict[str, str]) -> list[str]:
    from django.db import connection

    lines = []
    with connection.cursor() as cursor:
        for label, sql in sqls.items():
            if "page 2" in label or "next page" in label:
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
        f"{seconds:.0f} s: {EVENTS - left:,} delivered ({(EVENTS - left) / seconds:.1f} events/s), {left:,} left |"
    )


def _web_client(index: int, port: int, token: str, shop: Any, duration: float, out: Any) -> None:
    """One staff member's browser and one API client in a loop: the dashboard, the order list
    with filters and search, its next page, an order's page, the Excel export of the list (up
    to 10,000 rows), the API list, and an order placed through the API."""
    import requests

    from . import placement

    rng = random.Random(index)
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.get(f"{base}/app/login/", timeout=60)
    session.post(
        f"{base}/app/login/",
        data={
            "username": "manager",
            "password": os.environ.get("DEMO_PASSWORD", "dingdan-demo"),
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{base}/app/login/"},
        timeout=60,
    )
    api = {"Authorization": f"Bearer {token}"}
    statuses: dict[int, int] = {}
    end = time.time() + duration
    while time.time() < end:
        params = rng.choice(
            [{}, {"label": "completed"}, {"channel": "web"}, {"q": "王"}, {"status": "confirmed"}]
        )
        answers = [session.get(f"{base}/app/", timeout=120)]
        page = session.get(f"{base}/app/orders/", params=params, timeout=120)
        answers.append(page)
        found = _CURSOR.search(page.text)
        if found:
            answers.append(
                session.get(
                    f"{base}/app/orders/",
                    params={**params, "cursor": found.group(1)},
                    headers={"HX-Request": "true"},
                    timeout=120,
                )
            )
        ids = re.findall(r'name="ids" value="(\d+)"', page.text)
        if ids:
            answers.append(session.get(f"{base}/app/orders/{rng.choice(ids)}/", timeout=120))
        if rng.random() < 0.2:
            answers.append(session.get(f"{base}/app/orders/export.xlsx", params=params, timeout=300))
        answers.append(session.get(f"{base}/api/v1/orders", params={"limit": 200}, headers=api, timeout=120))
        customer, codes, quantities = placement._order(rng, shop)
        placed = placement._http_place(port, token, shop, customer, codes, quantities)
        statuses[placed] = statuses.get(placed, 0) + 1
        for answer in answers:
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    out.put(statuses)


def _web_memory(database_url: str, var_dir: str, workers: int, clients: int, seconds: float) -> str:
    """Peak RSS (VmHWM) of each gunicorn worker after `clients` staff members and API
    clients worked against it for `seconds` (writes: it places orders)."""
    import multiprocessing as mp
    import socket

    from django.db import connection

    from . import placement

    token = common.token_for()
    shop = placement.shop_load(token)
    connection.close()  # the forked clients must not share Django's connection
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # before: the server's own is then quick
    connection.close()
    server = placement.server_start(database_url + "?conn_max_age=600", var_dir, port, workers)
    try:
        ctx = mp.get_context("fork")
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_web_client, args=(i, port, token, shop, seconds, out)) for i in range(clients)
        ]
        for proc in procs:
            proc.start()
        statuses: dict[int, int] = {}
        for _ in procs:
            for code, n in out.get().items():
                statuses[code] = statuses.get(code, 0) + n
        for proc in procs:
            proc.join()
        peaks = web_worker_peaks(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    answers = ", ".join(f"{n} × {code}" for code, n in sorted(statuses.items()))
    return (
        f"| gunicorn web worker ({workers} sync workers, {clients} clients for {seconds:.0f} s) | "
        f"{max(peaks, default=0) / 1024:.0f} MiB | workers: {', '.join(f'{p / 1024:.0f}' for p in peaks)} MiB; "
        f"answers: {answers} |"
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
    from django.apps import apps

    if {"lists", "memory"} & set(args.parts) and not args.database_url:
        have = apps.get_model("orders.Order")._base_manager.count()
        if have < args.orders:  # a history to list, chart and export
            started = time.perf_counter()
            common.shop_prepare(orders=args.orders - have)
            report.notes.append(
                f"{args.orders - have:,} history orders generated in {time.perf_counter() - started:.0f} s"
            )
    if "lists" in args.parts:
        orders = apps.get_model("orders.Order")._base_manager.count()
        lines = apps.get_model("orders.OrderLine")._base_manager.count()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest (var dir)
        token = common.token_for("manager")
        rows, sqls = _lists(token, rng)
        office, office_sqls = _backoffice_list(rng)
        report.section(f"4. Order lists over {orders:,} orders and {lines:,} lines", [*rows, "", *office])
        home, home_sqls = _dashboard()
        reports, report_sqls = _reports()
        report.section(f"5. Dashboard and report queries over {orders:,} orders", [*home, "", *reports])
        report.section(
            "4b/5b. EXPLAIN of the slowest request of each kind",
            _explain({**sqls, **office_sqls, **home_sqls, **report_sqls}),
        )
    if "memory" in args.parts:
        if args.database_url:
            report.section(
                "6. Memory",
                [
                    "not measured: the memory part writes (orders, 100,000 outbox events); run it on its own cluster"
                ],
            )
            return
        rows = ["| process | peak RSS | notes |", "| --- | --- | --- |"]
        peaks = getattr(report, "web_peaks", [])
        if peaks:
            rows.append(
                f"| gunicorn web workers after the placement runs | {max(peaks) / 1024:.0f} MiB | {len(peaks)} workers: {', '.join(f'{p / 1024:.0f}' for p in peaks)} MiB |"
            )
        rows.append(
            _web_memory(database_url, var_dir, args.workers, clients=4, seconds=max(args.seconds * 6, 60))
        )
        rows.append(_worker_memory(database_url, var_dir))
        report.section("6. Memory", rows)
