"""Signatures: a receiver verifies every delivery with its own HMAC-SHA256 implementation
(`t=<unix>,v1=<hex HMAC(secret, "t.body")>`, ARCHITECTURE §6b); tampered bodies, other
secrets and stale timestamps fail."""

import hashlib
import hmac
import json
import time

import pytest

from dingdan.core.outbox import outbox_dispatch, outbox_emit
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.notifications import services
from dingdan.notifications.models import Delivery, WebhookSubscription
from dingdan.notifications.tests.servers import HttpReceiver
from dingdan.orders.events import OrderCancelled, OrderConfirmed

pytestmark = pytest.mark.django_db
EVENTS = 40


def receiver_verifies(secret: str, header: str, body: bytes, now: float) -> bool:
    """What an integrator writes: parse, refuse stale, compare in constant time."""
    fields = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not fields.get("t", "").isdigit() or abs(now - int(fields["t"])) > 300:
        return False
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


def tampered(body: bytes) -> list[bytes]:
    data = json.loads(body)
    data["data"]["total"] = "0.01"
    return [body[:-1] + b" }", body.replace(b'"type"', b'"tipe"'), json.dumps(data).encode()]


@pytest.fixture
def receiver():
    server = HttpReceiver()
    yield server
    server.close()


def test_every_delivery_verifies_and_tampering_fails(settings, receiver, record_property):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"]}
    sub = WebhookSubscription.objects.create(
        name="erp", url=receiver.url(), events=["order.*"], secret="k" * 64
    )
    customer = CustomerFactory(name="c", notify_email=False, notify_sms=False)
    for n in range(EVENTS):
        kind = OrderConfirmed if n % 2 else OrderCancelled
        extra = {} if n % 2 else {"reason": "r"}
        row = outbox_emit(
            kind(
                aggregate_id=str(n),
                number=f"SO{n}",
                status="x",
                channel="web",
                customer_id=customer.pk,
                total="9.90",
                currency="CNY",
                **extra,
            )
        )
        outbox_dispatch(event_pk=row.pk)
    services.deliveries_pump(budget_seconds=60)

    now = time.time()
    verified = sum(
        receiver_verifies(sub.secret, r.headers["X-Dingdan-Signature"], r.body, now)
        for r in receiver.received
    )
    forged = [
        (sub.secret, r.headers["X-Dingdan-Signature"], body)
        for r in receiver.received
        for body in tampered(r.body)
    ]
    forged += [("x" * 64, r.headers["X-Dingdan-Signature"], r.body) for r in receiver.received]
    forged_accepted = sum(receiver_verifies(secret, header, body, now) for secret, header, body in forged)
    stale_accepted = sum(
        receiver_verifies(sub.secret, r.headers["X-Dingdan-Signature"], r.body, now + 301)
        for r in receiver.received
    )
    ids_match = all(json.loads(r.body)["id"] == r.headers["X-Dingdan-Event-Id"] for r in receiver.received)
    figures = (
        f"signatures: {verified}/{len(receiver.received)} deliveries verified; forged/tampered accepted "
        f"{forged_accepted}/{len(forged)}; stale (>5 min) accepted {stale_accepted}/{len(receiver.received)}"
    )
    print(figures)
    record_property("figures", figures)
    assert len(receiver.received) == EVENTS
    assert verified == EVENTS
    assert forged_accepted == 0
    assert stale_accepted == 0
    assert ids_match
    assert Delivery.objects.filter(state="delivered").count() == EVENTS
