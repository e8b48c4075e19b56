# ruff: noqa: E501  (SQL and Markdown table rows read better unwrapped)
"""Part 3: the embedded mode: gunicorn on a SQLite file (WAL), 1 and 4 closed-loop clients.

Every answer other than 201 is counted by status; a "database is locked" that reached a
client would be a 500 (or a 503 when the busy timeout ran out): the target is none.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from typing import Any

from . import common, placement

PREPARE = """
import json, dataclasses
from bench import common
common.django_setup_sqlite()
common.shop_prepare(orders=0)
from bench.placement import shop_load
token = common.token_for()
shop = shop_load(token)
print("SHOP" + json.dumps({"token": token, "shop": {**dataclasses.asdict(shop), "statements": {}}}))
"""


def run(args: argparse.Namespace, report: Any) -> None:
    var_dir = tempfile.mkdtemp(prefix="dingdan-bench-sqlite-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DINGDAN_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="config.settings.base")
    done = subprocess.run(
        [sys.executable, "-c", PREPARE], cwd=common.ROOT, env=env, capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("SHOP"))
    loaded = json.loads(line[4:])
    shop = placement.baseline.Shop(**loaded["shop"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = placement.server_start("", var_dir, port, args.workers, env=env)
    setup = {"shop": shop, "port": port, "token": loaded["token"], "postmaster": None, "server": server.pid}
    rows = [
        "| clients | orders/s | p50 ms | p95 ms | p99 ms | CPU ms/order (app and SQLite in one process) | answers other than 201 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    try:
        placement.closed_loop("dingdan", 1, 2, setup)
        for clients in (1, 4):
            result = placement.closed_loop("dingdan", clients, args.seconds, setup)
            print(result.line(), flush=True)
            lat = result.latencies_ms
            others = dict(Counter(result.statuses)) if result.statuses else {}
            rows.append(
                f"| {clients} | {result.rate:.0f} | {common.percentile(lat, 0.5):.0f} | "
                f"{common.percentile(lat, 0.95):.0f} | {common.percentile(lat, 0.99):.0f} | "
                f"{result.cpu_ms_per_order:.1f} | {others or 'none'} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    report.section("3. Embedded SQLite (gunicorn, WAL, same 5-line orders)", rows)
