"""`python -m bench [PARTS] [options]`: Dingdan's benchmarks, each beside its baseline.

PARTS (default all): placement service sqlite lists memory
    --clients 1,4,16,32   closed-loop clients for placement
    --seconds 10          length of one run; --repeat 2: A B A B repetitions
    --orders 20000        history orders for the list, report and memory parts (1000000: full size)
    --markdown FILE       also write the results as Markdown (docs/performance.md's tables)

A PostgreSQL cluster of its own is started (dingdan.testing.pgcluster) and removed at the end.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from . import common

PARTS = ("placement", "service", "sqlite", "lists", "memory")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("parts", nargs="*", default=list(PARTS), help=" ".join(PARTS))
    parser.add_argument("--clients", default="1,4,16,32")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers (default 2: what `dingdan serve` starts, one per core here)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=600,
        help="the server's CONN_MAX_AGE (0: a connection per request)",
    )
    parser.add_argument("--open-rate", type=float, default=100.0)
    parser.add_argument("--markdown", default="")
    parser.add_argument(
        "--database-url",
        default="",
        help="lists and memory only: an existing database (e.g. one with 1M orders)",
    )
    args = parser.parse_args()
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {sorted(unknown)}")
    report = Report()
    report.machine = common.machine()
    print("machine:", report.machine, flush=True)
    var_dir = tempfile.mkdtemp(prefix="dingdan-bench-")
    if args.database_url:
        common.django_setup(args.database_url, var_dir)
        common.database_check()  # measured as it is: no migration, no stock receipt
        from .run_lists import run as run_lists

        run_lists(args, args.database_url, var_dir, report)
        _finish(args, report)
        return
    cluster = common.cluster_start()
    try:
        common.database_create(cluster, "bench")
        common.django_setup(cluster.url("bench"), var_dir)
        started = time.perf_counter()
        common.shop_prepare(orders=0)
        report.notes.append(f"master data and stock loaded in {time.perf_counter() - started:.0f} s")
        if "placement" in args.parts:
            from .run_placement import run

            run(args, cluster, var_dir, report)
        if "service" in args.parts:
            from .run_service import run as run_service

            run_service(args, report)
        if "sqlite" in args.parts:
            from .run_sqlite import run as run_sqlite

            run_sqlite(args, report)
        if {"lists", "memory"} & set(args.parts):
            from .run_lists import run as run_lists

            run_lists(args, cluster.url("bench"), var_dir, report)
    finally:
        common.cluster_stop(cluster)
    _finish(args, report)


def _finish(args: argparse.Namespace, report: "Report") -> None:
    text = report.markdown()
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)


class Report:
    def __init__(self) -> None:
        self.machine: dict[str, str] = {}
        self.sections: list[tuple[str, list[str]]] = []
        self.notes: list[str] = []

    def section(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))
        print(f"\n## {title}\n" + "\n".join(lines), flush=True)

    def markdown(self) -> str:
        head = ["# Benchmark results", "", "| machine | |", "| --- | --- |"]
        head += [f"| {k} | {v} |" for k, v in self.machine.items()]
        body: list[Any] = []
        for title, lines in self.sections:
            body += ["", f"## {title}", "", *lines]
        if self.notes:
            body += ["", "Notes:", *[f"- {n}" for n in self.notes]]
        return "\n".join(head + body) + "\n"


if __name__ == "__main__":
    main()
