"""Load against a real server for the reliability and fault tests: a shop to order from, the
gunicorn server (`dingdan serve`) as a child process on a given database, closed-loop clients
that place orders with Idempotency-Keys and retry with the same key, and the checks made
afterwards (one order per key, acknowledged orders present, audit entries and events).

The server runs `dingdan.testing.server_settings`: the test settings on the database passed
in, plus the deliberate faults of negative controls (FAULTS) named in its environment.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

SKUS = ("LOAD-A", "LOAD-B")


# The shop -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadShop:
    token: str
    customer_id: int
    channel: str = "web"


def load_shop(user: Any, *, stock: int = 1_000_000) -> LoadShop:
    """An auto-confirming channel, a customer with an address, two priced SKUs with plenty of
    stock, and a token of `user` (who must hold orders:write)."""
    from dingdan.accounts.services import token_create
    from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, TaxRateFactory
    from dingdan.channels.services import channel_create
    from dingdan.core.actors import SYSTEM
    from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
    from dingdan.inventory.services import StockLine, stock_receive
    from dingdan.inventory.tests.factories import WarehouseFactory

    vat = TaxRateFactory(code="vat13", rate=Decimal("0.13"))
    product: Any = ProductFactory(
        code="P-LOAD", skus=[{"code": code, "tax_rate": vat, "specs": {}} for code in SKUS]
    )
    channel_create(actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="SO")
    PriceListFactory(
        code="retail",
        items=[
            {"sku_code": SKUS[0], "price": Decimal("99.00")},
            {"sku_code": SKUS[1], "price": Decimal("35.50")},
        ],
    )
    customer: Any = CustomerFactory(name="张伟", addresses=[SHENZHEN])
    warehouse: Any = WarehouseFactory(code="sh")
    stock_receive(
        actor=SYSTEM,
        warehouse_id=warehouse.pk,
        lines=[StockLine(sku.pk, stock) for sku in product.skus.all()],
        reference="load",
    )
    _token, raw = token_create(user=user, name="load", actor=SYSTEM)
    return LoadShop(token=raw, customer_id=customer.pk)


def order_body(shop: LoadShop, tag: str, *, quantity: int = 1) -> dict[str, Any]:
    """A two-line order; `tag` (the idempotency key) goes in the customer note, which has no
    unique constraint, so that only the idempotency layer stands between a key and a second
    order."""
    return {
        "channel": shop.channel,
        "customer_id": shop.customer_id,
        "lines": [{"sku": SKUS[0], "quantity": quantity}, {"sku": SKUS[1], "quantity": 1}],
        "customer_note": tag,
    }


def headers(shop: LoadShop, key: str, *, fault: str | None = None) -> dict[str, str]:
    """Headers of an order request; `fault` switches on a deliberate fault of the server for
    this request (servers started with faults=True; see FAULTS)."""
    return {
        "Authorization": f"Bearer {shop.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        **({FAULT_HEADER: fault} if fault else {}),
    }


# The server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4, after "pid (comm) state"
            found.append(int(entry.name))
    return found


class Server:
    """`dingdan serve` (gunicorn: a master and `workers` worker processes) on `database` (a
    Django DATABASES entry), listening on a free port of 127.0.0.1."""

    def __init__(
        self,
        database: dict[str, Any],
        *,
        workers: int = 2,
        threads: int = 1,
        faults: bool = False,
        env: dict[str, str] | None = None,
        name: str = "load-server",
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.kills = 0
        database = {key: value for key, value in database.items() if key != "TEST"}
        self.database_json = json.dumps(database)
        environment = {
            key: value for key, value in os.environ.items() if key not in {"DINGDAN_TEST_DB", "DATABASE_URL"}
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="dingdan.testing.server_settings",
            DINGDAN_SERVER_DATABASE=self.database_json,
            DINGDAN_SERVER_FAULTS="1" if faults else "",
            PYTHONPATH=str(settings.BASE_DIR),
            **(env or {}),
        )
        # gunicorn's control socket in a directory of this server's, not the one all share
        self.runtime = Path(settings.VAR_DIR) / f"gunicorn-{self.port}"
        self.runtime.mkdir(parents=True, exist_ok=True)
        environment["XDG_RUNTIME_DIR"] = str(self.runtime)
        self.log_path = Path(settings.VAR_DIR) / f"{name}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dingdan.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.workers = workers

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until every worker is up and the health check answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log_path}")
            try:
                if (
                    requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
                    and len(self.worker_pids()) >= self.workers
                ):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start in {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def kill_worker(self, rng: random.Random) -> int | None:
        """SIGKILL a random worker (the master starts another); its pid, or None if none ran."""
        pids = self.worker_pids()
        if not pids:
            return None
        pid = rng.choice(pids)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        self.kills += 1
        return pid

    def __enter__(self) -> "Server":
        """`with Server(...) as server`: ready to answer inside, stopped after (also when
        it never became ready)."""
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Quick shutdown; the master can linger for seconds after its workers are gone, so
        after a moment the whole process group gets SIGKILL."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.runtime, ignore_errors=True)


# Closed-loop clients ------------------------------------------------------------------------


@dataclass
class Answer:
    at: float  # time.monotonic()
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)
    retry_after: str | None = None


@dataclass
class Tally:
    """What the clients saw, shared by them (guarded by `lock`)."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> order number of its 201
    refused: dict[str, int] = field(default_factory=dict)  # key -> a final 4xx other than 409
    abandoned: list[str] = field(default_factory=list)  # keys still unanswered when time ran out
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses(self) -> Counter[int]:
        return Counter(a.status for a in self.answers)


class Clients:
    """`count` threads, each placing one order at a time until `stop()`: every order under a
    new Idempotency-Key, retried with the same key and body on no answer, 409 and 5xx (after
    Retry-After, else `pause` seconds) until a 201 or another 4xx. After `stop()` a client
    finishes the order it is on, for at most `finish_seconds`."""

    def __init__(
        self,
        url: str,
        shop: LoadShop,
        count: int,
        *,
        prefix: str = "load",
        timeout: float = 10.0,
        pause: float = 0.1,
        finish_seconds: float = 60.0,
        fault: str | None = None,
    ) -> None:
        self.url, self.shop, self.prefix = f"{url}/api/v1/orders", shop, prefix
        self.timeout, self.pause, self.finish_seconds = timeout, pause, finish_seconds
        self.fault = fault
        self.tally = Tally()
        self._stopping = threading.Event()
        self._stopped_at = 0.0
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]

    def start(self) -> "Clients":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Tally:
        self._stopped_at = time.monotonic()
        self._stopping.set()
        for thread in self._threads:
            thread.join(self.finish_seconds + self.timeout + 5)
        return self.tally

    def _run(self, client: int) -> None:
        session = requests.Session()
        n = 0
        while not self._stopping.is_set():
            key = f"{self.prefix}-{client}-{n}"
            self._place(session, key, json.dumps(order_body(self.shop, key)))
            n += 1
        session.close()

    def _place(self, session: requests.Session, key: str, body: str) -> None:
        tally = self.tally
        while True:
            if self._stopping.is_set() and time.monotonic() > self._stopped_at + self.finish_seconds:
                with tally.lock:
                    tally.abandoned.append(key)
                return
            try:
                response = session.post(
                    self.url,
                    data=body,
                    headers=headers(self.shop, key, fault=self.fault),
                    timeout=self.timeout,
                )
            except requests.RequestException:
                with tally.lock:
                    tally.answers.append(Answer(time.monotonic(), 0))
                session.close()  # a fresh connection for the retry
                time.sleep(self.pause)
                continue
            retry_after = response.headers.get("Retry-After")
            with tally.lock:
                tally.answers.append(Answer(time.monotonic(), response.status_code, retry_after))
                if response.status_code == 201:
                    tally.acknowledged[key] = response.json()["number"]
                elif 400 <= response.status_code < 500 and response.status_code != 409:
                    tally.refused[key] = response.status_code
            if response.status_code == 201 or key in tally.refused:
                return
            time.sleep(min(float(retry_after), 1.0) if retry_after else self.pause)


# Checks -------------------------------------------------------------------------------------


def placement_findings(cursor: Any, acknowledged: dict[str, str]) -> dict[str, int]:
    """Through a DB-API cursor on the server's database: orders per key (the customer note),
    acknowledged orders missing or under another number, orders without their audit entry or
    without an outbox event."""
    from dingdan.core.models import AuditEntry, OutboxEvent
    from dingdan.orders.models import Order

    cursor.execute(f"SELECT id, number, customer_note FROM {Order._meta.db_table}")
    orders = cursor.fetchall()
    numbers: dict[str, set[str]] = {}
    for _id, number, note in orders:
        numbers.setdefault(note, set()).add(number)
    ids = {str(order_id) for order_id, _number, _note in orders}
    found = {}
    for name, model in (("audited", AuditEntry), ("with_event", OutboxEvent)):
        cursor.execute(
            f"SELECT DISTINCT aggregate_id FROM {model._meta.db_table} WHERE aggregate_type = 'order'"
        )
        found[name] = {row[0] for row in cursor.fetchall()}
    return {
        "orders": len(orders),
        "keys": len(numbers),
        "duplicates": sum(len(n) - 1 for n in numbers.values()),
        "lost": sum(1 for key, number in acknowledged.items() if number not in numbers.get(key, set())),
        "without_audit": len(ids - found["audited"]),
        "without_event": len(ids - found["with_event"]),
    }


# Faults of negative controls (in the server process) -----------------------------------------

FAULT_HEADER = "X-Dingdan-Fault"
_request = threading.local()


def fault_active(name: str) -> bool:
    return getattr(_request, "fault", None) == name


class FaultMiddleware:
    """Marks the request's thread with the fault its X-Dingdan-Fault header names (servers
    started with faults=True only)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        _request.fault = request.headers.get(FAULT_HEADER)
        try:
            return self.get_response(request)
        finally:
            _request.fault = None


def naive_idempotency() -> None:
    """Fault `naive_idempotency`: idempotency as check-then-act. Look for a recorded key, else
    do the work and record the key afterwards (a conflict on recording is ignored). With no
    claim before the work, concurrent identical requests all do it."""
    from django.utils import timezone

    from dingdan.core import idempotency
    from dingdan.core.exceptions import IdempotencyKeyReused
    from dingdan.core.models import IdempotencyKey
    from dingdan.core.problems import error_response

    claim_, complete_, release_ = idempotency._claim, idempotency._complete, idempotency._release

    def claim(principal: str, key: str, fingerprint: str) -> Any:
        if not fault_active("naive_idempotency"):
            return claim_(principal, key, fingerprint)
        row = IdempotencyKey.objects.filter(principal=principal, key=key).first()
        if row is not None:
            return (
                idempotency._replay(row)
                if row.fingerprint == fingerprint
                else error_response(IdempotencyKeyReused())
            )
        return IdempotencyKey(principal=principal, key=key, fingerprint=fingerprint, locked_at=timezone.now())

    def complete(row: Any, response: Any) -> bool:
        if row.pk is not None:
            return complete_(row, response)
        row.status = IdempotencyKey.Status.COMPLETED
        row.response_status = response.status_code
        row.response_body = response.content
        row.response_content_type = response.get("Content-Type", "")
        IdempotencyKey.objects.bulk_create([row], ignore_conflicts=True)
        return True

    def release(row: Any) -> None:
        if row.pk is not None:
            release_(row)

    idempotency._claim = claim  # type: ignore[assignment]
    idempotency._complete = complete  # type: ignore[assignment]
    idempotency._release = release  # type: ignore[assignment]


def events_after_commit() -> None:
    """Fault `events_after_commit`: outbox events written after the order's transaction has
    committed (and a moment later, as a slow second write would be), not inside it. A worker
    killed in between leaves a committed order without its events."""
    from django.db import transaction

    from dingdan.core import outbox

    write = outbox._write

    def deferred(rows: list[Any]) -> None:
        if not fault_active("events_after_commit"):
            write(rows)
            return

        def later() -> None:
            time.sleep(2.0)
            write(rows)

        transaction.on_commit(later)

    outbox._write = deferred  # type: ignore[assignment]


FAULTS: dict[str, Callable[[], None]] = {
    "naive_idempotency": naive_idempotency,
    "events_after_commit": events_after_commit,
}


# A PostgreSQL cluster of its own, to crash -------------------------------------------------


class CrashableCluster:
    """A throwaway cluster (dingdan.testing.pgcluster) that a test stops with
    `pg_ctl stop -m immediate` (every server process ends at once, as in a crash: no
    checkpoint, recovery from WAL at the next start) and starts again on the same data
    directory and port. Durable commits (`synchronous_commit=on`) unless told otherwise."""

    def __init__(self, *, synchronous_commit: bool = True) -> None:
        from . import pgcluster

        self._pg = pgcluster
        self.root, self.port = pgcluster.start()
        self.synchronous_commit = synchronous_commit
        self._ctl("stop", "-m", "fast")  # pgcluster starts with commits acknowledged before they are written
        self.start()
        self.database = "dingdan"
        self._run(
            self._pg._bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dingdan"
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def settings(self, template: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        """A Django DATABASES entry for this cluster, from the test database's entry."""
        entry = {key: value for key, value in template.items() if key != "TEST"}
        return {**entry, "HOST": "127.0.0.1", "PORT": self.port, "NAME": self.database, **overrides}

    def copy_from(self, source: dict[str, Any]) -> None:
        """Schema and rows of the database `source` (a Django DATABASES entry) into ours."""
        dump = subprocess.run(
            [
                self._pg._bin("pg_dump"),
                "-Fc",
                "-h",
                str(source["HOST"]),
                "-p",
                str(source["PORT"]),
                "-U",
                str(source["USER"]),
                source["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [
                self._pg._bin("pg_restore"),
                "--no-owner",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                self.database,
            ],
            input=dump,
            check=True,
            capture_output=True,
        )

    def _options(self) -> str:
        # fsync and full-page writes guard against a power cut, not a crash of the server's
        # processes (the operating system keeps what was written): off, for speed.
        commit = "on" if self.synchronous_commit else "off"
        return (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}/run "
            "-c max_connections=120 -c fsync=off -c full_page_writes=off -c shared_buffers=128MB "
            f"-c synchronous_commit={commit}"
        )

    def _run(self, *args: str) -> None:
        subprocess.run(self._pg._as_server_user(list(args)), check=True, capture_output=True)

    def _ctl(self, *args: str) -> None:
        self._run(self._pg._bin("pg_ctl"), "-D", f"{self.root}/data", "-w", *args)

    def start(self) -> None:
        self._ctl("-o", self._options(), "-l", f"{self.root}/log", "start")

    def crash(self) -> None:
        self._ctl("stop", "-m", "immediate")

    def remove(self) -> None:
        self._pg.stop(self.root)
