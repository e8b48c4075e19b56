"""Order placement: Dingdan over HTTP (gunicorn) against its baselines, interleaved.

For each number of clients, the runs alternate dingdan, sql, fn, dingdan, sql, fn, ... so
drift on the shared machine hits every variant alike; the figures are medians over the
repetitions and the ratios divide medians measured in the same run. Clients are processes
(closed loop: each sends its next order when the previous one is answered).
"""

import json
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from . import baseline
from .common import ROOT, CpuMeter, Run, median, percentile

LINES = 5


def _order(rng: random.Random, shop: baseline.Shop) -> tuple[int, list[str], list[int]]:
    codes = rng.sample(shop.skus, LINES)
    return rng.choice(shop.customers), codes, [rng.randint(1, 3) for _ in codes]


def _http_place(
    port: int, token: str, shop: baseline.Shop, customer: int, codes: list[str], qty: list[int]
) -> int:
    """POST one order on a fresh connection and return the answer's status. Written as lean
    as a load generator should be, since it shares the two cores with the server it measures
    (`http.client`, parsing every header with the e-mail parser, cost about 0.5 ms of CPU per
    order): the request goes whole, the answer is read until the server closes the connection
    (gunicorn's sync workers close after each response; the request asks for it too), and only
    its status line is parsed."""
    body = json.dumps(
        {
            "channel": shop.channel_code,
            "customer_id": customer,
            "lines": [{"sku": c, "quantity": q} for c, q in zip(codes, qty, strict=True)],
        }
    ).encode()
    head = (
        f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: {os.urandom(16).hex()}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    status_line = b"".join(chunks).split(b"\r\n", 1)[0]
    version, status, *_reason = status_line.split(b" ", 2)
    if not version.startswith(b"HTTP/"):
        raise ConnectionError(f"not an HTTP answer: {status_line[:80]!r}")
    return int(status)


def _worker(kind: str, index: int, start_at: float, duration: float, setup: dict[str, Any], out: Any) -> None:
    shop: baseline.Shop = setup["shop"]
    rng = random.Random(index * 7919 + int(start_at))
    conn = None
    if kind in ("sql", "fn"):
        import psycopg

        conn = psycopg.connect(setup["dsn"], autocommit=False)
    place: Callable[..., Any]
    statuses: list[int] = []
    if kind == "sql":
        place = lambda c, s, q: baseline.place_sql(conn, shop, c, s, q)  # noqa: E731
    elif kind == "fn":
        place = lambda c, s, q: baseline.place_fn(conn, shop, c, s, q)  # noqa: E731
    else:

        def place(c: int, s: list[str], q: list[int]) -> bool:
            status = _http_place(setup["port"], setup["token"], shop, c, s, q)
            if status != 201:
                statuses.append(status)
            return status == 201

    latencies, errors, first_error = [], 0, ""
    while time.time() < start_at:
        time.sleep(0.0005)
    cpu0 = time.process_time()
    end = start_at + duration
    while time.time() < end:
        customer, codes, qty = _order(rng, shop)
        began = time.perf_counter()
        try:
            ok = place(customer, codes, qty)
        except Exception as error:
            ok, first_error = False, first_error or repr(error)
        if ok:
            latencies.append((time.perf_counter() - began) * 1000)
        else:
            errors += 1
    out.put((latencies, errors, time.process_time() - cpu0, first_error, statuses))
    if conn is not None:
        conn.close()


def closed_loop(kind: str, clients: int, duration: float, setup: dict[str, Any]) -> Run:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(target=_worker, args=(kind, i, start_at, duration, setup, out)) for i in range(clients)
    ]
    for p in procs:
        p.start()
    db = CpuMeter([setup["postmaster"]] if setup["postmaster"] else [])
    app = CpuMeter([setup["server"]]) if kind == "dingdan" else None
    while time.time() < start_at:
        time.sleep(0.001)
    db0, app0 = db.read(), app.read() if app else 0.0
    results = [out.get() for _ in procs]
    db1, app1 = db.read(), app.read() if app else 0.0
    for p in procs:
        p.join()
    latencies = [x for r in results for x in r[0]]
    run = Run(kind, clients, duration, latencies, errors=sum(r[1] for r in results))
    run.first_error = next((r[3] for r in results if r[3]), "")
    run.statuses = [status for r in results for status in r[4]]
    run.db_cpu_s = db1 - db0
    run.app_cpu_s = (app1 - app0) if app else sum(r[2] for r in results)
    return run


def _open_worker(
    index: int, workers: int, rate: float, start_at: float, count: int, setup: dict[str, Any], out: Any
) -> None:
    shop: baseline.Shop = setup["shop"]
    rng = random.Random(index)
    latencies, errors = [], 0
    give_up = start_at + count / rate + 15  # a server far slower than the rate: stop, count the rest
    for k in range(index, count, workers):
        scheduled = start_at + k / rate
        if time.time() > give_up:
            errors += 1
            continue
        delay = scheduled - time.time()
        if delay > 0:
            time.sleep(delay)
        customer, codes, qty = _order(rng, shop)
        try:
            ok = _http_place(setup["port"], setup["token"], shop, customer, codes, qty) == 201
        except Exception:
            ok = False
        # measured from the scheduled moment: a late start counts (no coordinated omission)
        if ok:
            latencies.append((time.time() - scheduled) * 1000)
        else:
            errors += 1
    out.put((latencies, errors))


def open_loop(rate: float, duration: float, setup: dict[str, Any], workers: int = 24) -> Run:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    count = int(rate * duration)
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(target=_open_worker, args=(i, workers, rate, start_at, count, setup, out))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    db, app = CpuMeter([setup["postmaster"]]), CpuMeter([setup["server"]])
    db0, app0 = db.read(), app.read()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(time.time() - start_at, duration)
    run = Run(f"dingdan open {rate:.0f}/s", workers, elapsed, [x for r in results for x in r[0]])
    run.errors = sum(r[1] for r in results)
    run.db_cpu_s, run.app_cpu_s = db.read() - db0, app.read() - app0
    return run


# The server -----------------------------------------------------------------------------------


def server_start(
    database_url: str, var_dir: str, port: int, workers: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = env or {
        **os.environ,
        "DATABASE_URL": database_url,
        "DINGDAN_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dingdan.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 240  # a loaded machine takes minutes to import, collect static and fork
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def shop_load(token: str) -> baseline.Shop:
    """The channel, warehouse, price list, customers and SKUs the orders use (Django)."""
    from django.apps import apps

    from dingdan.accounts.selectors import token_hash

    channel = apps.get_model("channels.Channel")._base_manager.get(code="web")
    warehouse = apps.get_model("inventory.Warehouse")._base_manager.order_by("priority", "pk").first()
    price_list = apps.get_model("catalog.PriceList")._base_manager.get(
        channel_id=channel.pk, customer_grade=""
    )
    items = apps.get_model("catalog.PriceListItem")._base_manager.filter(
        price_list=price_list, min_quantity=1
    )
    priced = set(items.values_list("sku_id", flat=True))
    skus = apps.get_model("catalog.Sku")._base_manager.filter(
        pk__in=priced, is_active=True, product__is_active=True
    )
    customers = apps.get_model("customers.Customer")._base_manager.filter(
        is_active=True, kind="person", addresses__is_default_shipping=True
    )
    hashed = token_hash(token)
    api_token = (
        apps.get_model("accounts.ApiToken")._base_manager.select_related("user").get(token_hash=hashed)
    )
    return baseline.Shop(
        channel_id=channel.pk,
        channel_code=channel.code,
        prefix=channel.number_prefix,
        currency=channel.currency,
        warehouse_id=warehouse.pk,
        price_list_id=price_list.pk,
        token_hash=hashed,
        principal=f"token:{api_token.pk}",
        actor=f"{api_token.user.username} (token {api_token.pk})",
        customers=sorted(customers.values_list("pk", flat=True)[:2000]),
        skus=sorted(skus.values_list("code", flat=True)),
        statements=baseline.statements(),
    )


def summary(runs: list[Run]) -> dict[str, float]:
    return {
        "rate": median(r.rate for r in runs),
        "p50": median(percentile(r.latencies_ms, 0.5) for r in runs),
        "p95": median(percentile(r.latencies_ms, 0.95) for r in runs),
        "p99": median(percentile(r.latencies_ms, 0.99) for r in runs),
        "cpu": median(r.cpu_ms_per_order for r in runs),
        "errors": sum(r.errors for r in runs),
    }
