"""Fault test: events are delivered at least once while the worker is SIGKILLed.

A producer writes order events (outbox rows with their delivery tasks, as the order services
do) while the real worker (`dingdan worker`: db_worker plus the scheduler that runs the
outbox sweep) is killed with SIGKILL every few seconds and restarted. Every event must reach
a local webhook receiver (real HTTP server) and a real SMTP server (aiosmtpd): none lost;
any duplicate is a redelivery of the same event id. Size: DINGDAN_FAULT_EVENTS (2,000 by
default; `make soak` uses 10,000).
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_emit
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.notifications import domain
from dingdan.notifications.models import Delivery, WebhookSubscription
from dingdan.notifications.tests.servers import HttpReceiver, SmtpServer
from dingdan.orders.events import OrderCancelled, OrderConfirmed

ROOT = Path(settings.BASE_DIR)
EVENTS = int(os.environ.get("DINGDAN_FAULT_EVENTS", "2000"))
DEADLINE_SECONDS = float(os.environ.get("DINGDAN_FAULT_DEADLINE", str(120 + EVENTS * 0.15)))
SECRET = "fault-secret-" + "k" * 40
KILLS = os.environ.get("DINGDAN_FAULT_KILLS", "1") != "0"  # 0: measure the undisturbed baseline
MAX_KILLS = int(os.environ.get("DINGDAN_FAULT_MAX_KILLS", str(max(8, EVENTS // 250))))


def _worker_env(smtp: SmtpServer) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DINGDAN_TEST_DB", "DATABASE_URL"}}
    database = {key: value for key, value in connection.settings_dict.items() if key != "TEST"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        DINGDAN_FAULT_DATABASE=json.dumps(database),
        DINGDAN_FAULT_SMTP_PORT=str(smtp.port),
        DINGDAN_OUTBOX_SWEEP_SECONDS="1",
        OUTBOX_SWEEP_GRACE_SECONDS="3",
        NOTIFY_LEASE_SECONDS="6",
        NOTIFY_BACKOFF_BASE_SECONDS="0.5",
        NOTIFY_BACKOFF_MAX_SECONDS="2",
        NOTIFY_MAX_ATTEMPTS="100",
        NOTIFY_HTTP_TIMEOUT_SECONDS="0.5",
        WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    return env


class Worker:
    """The task worker (`dingdan db_worker`, what `dingdan worker` runs) and the scheduler
    (`dingdan crontask`, which enqueues the outbox sweep every second). Only the worker is
    killed: it is the process that delivers."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.log = open(Path(settings.VAR_DIR) / "fault-worker.log", "ab")  # noqa: SIM115
        self.scheduler = self._spawn("crontask")

    def _spawn(self, *command: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "dingdan.cli", *command],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def start(self) -> None:
        self.process = self._spawn("db_worker", "--interval", "0.05", "--no-startup-delay")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self) -> None:
        self.kill()
        self.scheduler.kill()
        self.scheduler.wait()
        self.log.close()


def _produce(customer_id: int, count: int) -> None:
    """Order events in small transactions, as orders are placed and cancelled."""
    kinds = (OrderConfirmed, OrderCancelled)
    for start in range(0, count, 25):
        with transaction.atomic():
            for n in range(start, min(start + 25, count)):
                kind = kinds[n % 2]
                extra = {"reason": "test"} if kind is OrderCancelled else {}
                outbox_emit(
                    kind(
                        aggregate_id=str(100000 + n),
                        number=f"SO-F{n:06d}",
                        status="confirmed",
                        channel="web",
                        customer_id=customer_id,
                        total="10.00",
                        currency="CNY",
                        **extra,
                    )
                )
        time.sleep(0.02)


def _wait_until_recorded(deadline: float) -> None:
    while Delivery.objects.exclude(state="delivered").exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _close_killed_sessions() -> None:
    """PostgreSQL may not yet have noticed the sessions of killed workers; end them so the
    test database can be dropped."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _all_arrived(receiver: HttpReceiver, smtp: SmtpServer) -> bool:
    webhooks = {r.headers["X-Dingdan-Event-Id"] for r in receiver.received}
    mails = {m["X-Dingdan-Event-Id"] for _, m in smtp.messages}
    return len(webhooks) >= EVENTS and len(mails) >= EVENTS


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@pytest.mark.django_db(transaction=True)
def test_every_event_is_delivered_while_the_worker_is_killed(record_property):
    receiver, smtp = HttpReceiver(), SmtpServer()
    worker = Worker(_worker_env(smtp))
    try:
        customer = CustomerFactory(name="Kill Test", email="kill@example.com", phone="", language="en")
        WebhookSubscription.objects.create(name="erp", url=receiver.url(), events=["order.*"], secret=SECRET)
        rng = random.Random(7)
        producer = threading.Thread(target=_produce, args=(customer.pk, EVENTS))
        started = time.monotonic()
        worker.start()
        producer.start()
        baseline, kill_at = 0, None
        while time.monotonic() - started < DEADLINE_SECONDS:
            arrived = len(receiver.received) + len(smtp.messages)
            if not producer.is_alive() and arrived >= 2 * EVENTS and _all_arrived(receiver, smtp):
                break
            # Kill mid-delivery: a random moment 1-4 s after the restarted worker has delivered
            # again (so each life does some work, however long start-up takes on a busy
            # machine), up to MAX_KILLS times.
            if kill_at is None and arrived > baseline:
                kill_at = time.monotonic() + rng.uniform(1.0, 4.0)
            if KILLS and worker.kills < MAX_KILLS and kill_at is not None and time.monotonic() >= kill_at:
                worker.kill()
                worker.start()
                baseline, kill_at = len(receiver.received) + len(smtp.messages), None
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        _wait_until_recorded(deadline=time.monotonic() + 60)  # an arrival precedes its record
        producer.join()
    finally:
        worker.stop()
        _close_killed_sessions()
        receiver.close()
        smtp.close()

    order_events = OutboxEvent.objects.filter(type__startswith="order.")
    events = {str(e): c.timestamp() for e, c in order_events.values_list("event_id", "created_at")}
    http_ids = [r.headers["X-Dingdan-Event-Id"] for r in receiver.received]
    mail_ids = [m["X-Dingdan-Event-Id"] for _, m in smtp.messages]
    first_arrival: dict[tuple[str, str], float] = {}
    for channel, arrivals in (
        ("webhook", [(r.at, r.headers["X-Dingdan-Event-Id"]) for r in receiver.received]),
        ("email", [(at, m["X-Dingdan-Event-Id"]) for at, m in smtp.messages]),
    ):
        for at, event_id in arrivals:
            first_arrival.setdefault((channel, event_id), at)
    delays = [at - events[event_id] for (_, event_id), at in first_arrival.items() if event_id in events]
    bad_signatures = sum(
        not domain.signature_valid(
            secret=SECRET, header=r.headers["X-Dingdan-Signature"], body=r.body, now=int(r.at)
        )
        for r in receiver.received
    )
    lost_http, lost_mail = len(set(events) - set(http_ids)), len(set(events) - set(mail_ids))
    duplicates = (len(http_ids) - len(set(http_ids))) + (len(mail_ids) - len(set(mail_ids)))
    figures = (
        f"{EVENTS} events x 2 channels, {worker.kills} SIGKILLs in {elapsed:.0f}s: "
        f"delivered webhook {len(set(http_ids))}/{EVENTS}, e-mail {len(set(mail_ids))}/{EVENTS}; "
        f"lost {lost_http + lost_mail}; duplicates {duplicates} (same event id); "
        f"webhook requests cut off by a kill {receiver.incomplete}; "
        f"delay p50 {_percentile(delays, 0.5):.2f}s p99 {_percentile(delays, 0.99):.2f}s "
        f"max {max(delays, default=0):.2f}s"
    )
    print(figures)
    record_property("figures", figures)
    assert len(events) == EVENTS
    assert worker.kills >= 3 or not KILLS
    assert (lost_http, lost_mail) == (0, 0)
    assert set(http_ids) <= set(events)
    assert set(mail_ids) <= set(events)
    assert bad_signatures == 0
    assert Delivery.objects.exclude(state="delivered").count() == 0
    assert Delivery.objects.count() == 2 * EVENTS
