# ruff: noqa: E501  (SQL and Markdown table rows read better unwrapped)
"""What every benchmark shares: a PostgreSQL cluster of its own, Django set up against it,
the demo's master data with deep stock, CPU time read from /proc, and percentiles.

Nothing here is measured; it prepares and reads the clocks.
"""

import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
STOCK = 1_000_000  # units received per SKU in the main warehouse (the most one receipt line takes)


# Percentiles and figures ----------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class Run:
    """One measured run: what was placed, how long each took, and the CPU it cost."""

    label: str
    clients: int
    seconds: float
    latencies_ms: list[float]
    errors: int = 0
    app_cpu_s: float = 0.0
    db_cpu_s: float = 0.0
    first_error: str = ""
    statuses: list[int] = field(default_factory=list)

    @property
    def orders(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_order(self) -> float:
        return (self.app_cpu_s + self.db_cpu_s) * 1000 / max(self.orders, 1)

    def line(self) -> str:
        lat = self.latencies_ms
        return (
            f"{self.label:<22} clients={self.clients:<3} orders/s={self.rate:8.1f} "
            f"p50={percentile(lat, 0.5):7.1f} p95={percentile(lat, 0.95):7.1f} p99={percentile(lat, 0.99):7.1f} ms "
            f"cpu/order={self.cpu_ms_per_order:5.2f} ms (app {self.app_cpu_s * 1000 / max(self.orders, 1):.2f} "
            f"+ db {self.db_cpu_s * 1000 / max(self.orders, 1):.2f}) errors={self.errors} {self.first_error[:300]}"
        )


# CPU time from /proc --------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children(current))
    return found


class CpuMeter:
    """CPU of process trees, including children that ended between two readings: the kernel
    adds a reaped child's time to its parent's cutime/cstime, which we read too."""

    def __init__(self, roots: Sequence[int]) -> None:
        self.roots = list(roots)

    def read(self) -> float:
        total = 0.0
        for root in self.roots:
            for pid in tree(root):
                total += cpu_seconds(pid)
            try:
                fields = Path(f"/proc/{root}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[13]) + int(fields[14])) / TICKS  # reaped children
            except FileNotFoundError:
                pass
        return total


def postmaster_pid(data_dir: str) -> int:
    return int(Path(data_dir, "postmaster.pid").read_text().split()[0])


# The machine ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{int(memory.split()[1]) // 1024} MiB",
        "python": sys.version.split()[0],
        "commit": commit + (" (with uncommitted changes)" if dirty.strip() else ""),
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


# The database and Django ----------------------------------------------------------------------


@dataclass
class Cluster:
    root: str
    port: int

    @property
    def data(self) -> str:
        return str(Path(self.root) / "data")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def dsn(self, name: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={name}"


def cluster_start() -> Cluster:
    from dingdan.testing.pgcluster import start

    root, port = start(max_connections=200)
    return Cluster(root, port)


def cluster_stop(cluster: Cluster) -> None:
    from dingdan.testing.pgcluster import stop

    stop(cluster.root)


def database_create(cluster: Cluster, name: str) -> None:
    import psycopg

    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(database_url: str, var_dir: str) -> None:
    """Django in this process against `database_url` (base settings, as `dingdan serve`)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DINGDAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def django_setup_sqlite() -> None:
    """Django in this process on the embedded SQLite file under DINGDAN_VAR_DIR."""
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def shop_prepare(*, orders: int = 0, seed: int = 20260123, say: Any = print) -> None:
    """Migrate; load the demo's master data (channels, staff, catalog, price lists, customers,
    opening stock) once; receive STOCK more units of every SKU in the main warehouse so that
    placement never runs short; add `orders` history orders in bulk."""
    from django.core.management import call_command

    from dingdan.core.actors import Actor
    from dingdan.demo.bulk import add_orders
    from dingdan.demo.loader import demo_is_loaded, demo_load
    from dingdan.inventory import selectors as inventory_selectors
    from dingdan.inventory import services as inventory

    call_command("migrate", interactive=False, verbosity=0)
    demo_load(seed=seed, with_orders=False)
    if not demo_is_loaded("bench-stock"):
        warehouse = inventory_selectors.warehouse_list().order_by("priority", "pk").first()
        from django.apps import apps

        sku_ids = list(apps.get_model("catalog.Sku")._base_manager.values_list("pk", flat=True))
        inventory.stock_receive(
            actor=Actor(username="bench", via="system"),
            warehouse_id=warehouse.pk,
            lines=[inventory.StockLine(pk, STOCK) for pk in sorted(sku_ids)],
            reference="BENCH",
        )
        from dingdan.core.audit import audit_record

        audit_record(
            aggregate_type="demo_data",
            aggregate_id="bench-stock",
            action="loaded",
            actor=Actor(username="bench", via="system"),
        )
    if orders:
        say(f"adding {orders:,} history orders in bulk")
        add_orders(count=orders, seed=seed, progress=lambda text: say(f"  {text}"))


def database_check() -> None:
    """An existing database (`--database-url`) is measured as it is: it must be migrated to
    this tree (`dingdan migrate`) and hold the demo's master data; nothing is added to it
    but the bench's API token and sign-in sessions."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from dingdan.demo.loader import demo_is_loaded

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise SystemExit(
            f"the database lacks {len(plan)} migrations of this tree: run `dingdan migrate` first"
        )
    if not demo_is_loaded("staff"):
        raise SystemExit("the database holds no demo master data: fill it with `dingdan demo --orders N`")


def token_for(username: str = "administrator") -> str:
    """A fresh API token of a demo user (the administrator can place orders on any channel)."""
    from django.contrib.auth import get_user_model

    from dingdan.accounts.services import token_create
    from dingdan.core.actors import SYSTEM

    user = get_user_model().objects.get(username=username)
    _token, raw = token_create(user=user, name="bench", actor=SYSTEM)
    return raw
