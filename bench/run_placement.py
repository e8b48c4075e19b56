"""Part 1: order placement over HTTP beside (a) hand-tuned SQL and (b) one function call."""

import argparse
import socket
from typing import Any

from . import baseline, common, placement

WARM_UP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: argparse.Namespace, cluster: common.Cluster, var_dir: str, report: Any) -> None:
    import psycopg
    from django.db import connection

    token = common.token_for()
    shop = placement.shop_load(token)
    with psycopg.connect(cluster.dsn("bench"), autocommit=True) as conn:
        conn.execute(baseline.function_sql())
    connection.close()  # the forked clients must not share Django's connection
    port = _free_port()
    url = cluster.url("bench") + f"?conn_max_age={args.conn_max_age}"  # 0: a connection per request
    server = placement.server_start(url, var_dir, port, args.workers)
    setup = {
        "shop": shop,
        "dsn": cluster.dsn("bench"),
        "port": port,
        "token": token,
        "postmaster": common.postmaster_pid(cluster.data),
        "server": server.pid,
    }
    try:
        # Warm up as a server that has been running: imports, connections, and each worker's
        # copies of the master data (core.cache; a price is copied per SKU when an order first
        # needs it, so a cold worker reads prices for most orders).
        warm = placement.closed_loop("dingdan", 4, WARM_UP_SECONDS, setup)
        # A server that has been running has table statistics: autovacuum analyzes a table
        # after it grows by 10 %, but only once a minute, so whether the warm-up's first orders
        # were analyzed before the measured runs was luck. Without statistics the connections
        # keep the plans they made while the order tables were nearly empty (sequential scans;
        # 5-14 ms of PostgreSQL CPU per order instead of 2.3). ANALYZE invalidates those plans.
        with psycopg.connect(cluster.dsn("bench"), autocommit=True) as conn:
            conn.execute("ANALYZE")
        report.notes.append(
            f"`dingdan serve` with {args.workers} gunicorn sync workers; warm-up: {warm.orders} orders "
            f"at 4 clients over {WARM_UP_SECONDS} s, not counted; then ANALYZE, as autovacuum "
            "would have run by then on a server that has been running"
        )
        placement.closed_loop("sql", 2, 2, setup)
        placement.closed_loop("fn", 2, 2, setup)
        rows = [
            "| clients | Dingdan orders/s | (a) SQL orders/s | (b) function orders/s | Dingdan / (a) "
            "| Dingdan / (b) | Dingdan p50 / p95 / p99 ms | (a) p99 ms | (b) p99 ms "
            "| CPU ms/order Dingdan (app + db) | (a) | (b) | errors |",
            "| " + " | ".join(["---"] * 13) + " |",
        ]
        for clients in [int(c) for c in args.clients.split(",")]:
            runs: dict[str, list[common.Run]] = {"dingdan": [], "sql": [], "fn": []}
            for _ in range(args.repeat):
                for kind in runs:  # A B C A B C: interleaved
                    result = placement.closed_loop(kind, clients, args.seconds, setup)
                    print(result.line(), flush=True)
                    runs[kind].append(result)
            d, a, b = (placement.summary(runs[k]) for k in ("dingdan", "sql", "fn"))
            app = common.median(r.app_cpu_s * 1000 / max(r.orders, 1) for r in runs["dingdan"])
            db = common.median(r.db_cpu_s * 1000 / max(r.orders, 1) for r in runs["dingdan"])
            rows.append(
                f"| {clients} | {d['rate']:.0f} | {a['rate']:.0f} | {b['rate']:.0f} | "
                f"{d['rate'] / a['rate']:.0%} | {d['rate'] / b['rate']:.0%} | "
                f"{d['p50']:.0f} / {d['p95']:.0f} / {d['p99']:.0f} | {a['p99']:.0f} | {b['p99']:.0f} | "
                f"{d['cpu']:.1f} ({app:.1f} + {db:.1f}) | {a['cpu']:.1f} | {b['cpu']:.1f} | "
                f"{d['errors']:.0f} / {a['errors']:.0f} / {b['errors']:.0f} |"
            )
        report.section("1. Order placement over HTTP (gunicorn, PostgreSQL, 5-line orders)", rows)
        opened = placement.open_loop(args.open_rate, max(args.seconds * 2, 20), setup)
        print(opened.line(), flush=True)
        lat = opened.latencies_ms
        report.section(
            f"1b. Open loop at a fixed {args.open_rate:.0f} orders/s",
            [
                "| offered orders/s | achieved | p50 ms | p95 ms | p99 ms | CPU ms/order | errors |",
                "| --- | --- | --- | --- | --- | --- | --- |",
                f"| {args.open_rate:.0f} | {opened.rate:.0f} | {common.percentile(lat, 0.5):.0f} | "
                f"{common.percentile(lat, 0.95):.0f} | {common.percentile(lat, 0.99):.0f} | "
                f"{opened.cpu_ms_per_order:.1f} | {opened.errors} |",
            ],
        )
        from .run_lists import web_worker_peaks

        report.web_peaks = web_worker_peaks(server.pid)
        report.notes.append("after placement, `dingdan verify`: " + verify_summary())
    finally:
        server.terminate()
        server.wait(timeout=30)


def verify_summary() -> str:
    """Findings per check; (b) hashes its audit entries with PostgreSQL's jsonb text, not the
    kernel's canonical JSON, so its orders' chains are left out (marked `(fn)` by the
    function); every other finding counts."""
    from django.apps import apps

    from dingdan.core.verify import verify_all

    fn_orders = {
        str(pk)
        for pk in apps.get_model("orders.Order")
        ._base_manager.filter(created_by__endswith="(fn)")
        .values_list("pk", flat=True)
    }
    counts = {}
    for name, findings in verify_all().items():
        kept = [
            f
            for f in findings
            if not (name == "audit_chains" and f.subject.split("#")[0].split(":")[1] in fn_orders)
        ]
        counts[name] = len(kept)
    return (
        ", ".join(f"{name} {count}" for name, count in counts.items())
        + f" findings ({len(fn_orders)} (b) orders' chains left out)"
    )
