"""Fan-out and delivery: deliveries per channel and preference, the pump against real servers
(aiosmtpd, an HTTP receiver), retries with backoff, abandoned claims, manual redelivery."""

import datetime as dt
import json
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dingdan.core.actors import SYSTEM
from dingdan.core.models import AuditEntry
from dingdan.core.outbox import outbox_dispatch, outbox_emit
from dingdan.customers.services import customer_notification_preferences_set
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.inventory.events import StockLow
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.notifications import domain, services
from dingdan.notifications.exceptions import DeliveryInProgress
from dingdan.notifications.models import Delivery, DeliveryAttempt, WebhookSubscription
from dingdan.orders.events import OrderConfirmed, OrderPlaced

pytestmark = pytest.mark.django_db
PUMP = "dingdan.notifications.tasks.deliveries_pump"


def confirmed(customer, number="SO260101-000001"):
    return OrderConfirmed(
        aggregate_id="4242",
        number=number,
        status="confirmed",
        channel="web",
        customer_id=customer.pk,
        total="199.00",
        currency="CNY",
    )


def subscribe(url, events, name="erp"):
    return WebhookSubscription.objects.create(name=name, url=url, events=events, secret="s" * 64)


def dispatch(event):
    row = outbox_emit(event)
    assert outbox_dispatch(event_pk=row.pk) is True
    return row


def deliveries(row):
    return sorted(Delivery.objects.filter(event=row).values_list("channel", "recipient", "language", "state"))


@pytest.fixture
def customer():
    return CustomerFactory(name="李娜", email="li.na@example.com", phone="+8613912345678", language="en")


def test_an_order_confirmation_fans_out_to_email_sms_and_matching_webhooks(customer, notify_settings):
    orders_hook = subscribe("http://127.0.0.1:9/orders", ["order.*"])
    subscribe("http://127.0.0.1:9/stock", ["stock.low"], name="wms")

    row = dispatch(confirmed(customer))

    assert deliveries(row) == [
        ("email", "li.na@example.com", "en", "pending"),
        ("sms", "+8613912345678", "en", "pending"),
        ("webhook", f"subscription:{orders_hook.pk}", "", "pending"),
    ]
    assert DBTaskResult.objects.filter(task_path=PUMP, status="READY").count() == 1


def test_dispatching_twice_creates_the_deliveries_once(customer, notify_settings):
    row = outbox_emit(confirmed(customer))

    assert outbox_dispatch(event_pk=row.pk) is True
    assert outbox_dispatch(event_pk=row.pk) is False

    assert Delivery.objects.filter(event=row).count() == 2
    row.refresh_from_db()
    assert row.attempts == 1


def test_an_event_without_a_message_reaches_only_webhooks(customer, notify_settings):
    hook = subscribe("http://127.0.0.1:9/all", ["*"])

    row = dispatch(
        OrderPlaced(
            aggregate_id="1",
            number="SO1",
            status="confirmed",
            channel="web",
            customer_id=customer.pk,
            total="1.00",
            currency="CNY",
        )
    )

    assert deliveries(row) == [("webhook", f"subscription:{hook.pk}", "", "pending")]


def set_preferences(customer, **changes):
    values = {
        "notify_email": True,
        "notify_sms": True,
        "notify_opt_out": False,
        "notify_muted_events": [],
        "sms_quiet_start": None,
        "sms_quiet_end": None,
        **changes,
    }
    return customer_notification_preferences_set(
        actor=SYSTEM, customer=customer, expected_version=None, **values
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"notify_opt_out": True}, []),
        ({"notify_sms": False}, ["email"]),
        ({"notify_email": False}, ["sms"]),
        ({"notify_muted_events": ["order.*"]}, []),
        ({"notify_muted_events": ["order.cancelled"]}, ["email", "sms"]),
    ],
)
def test_customer_preferences_choose_channels_and_events(customer, notify_settings, changes, expected):
    set_preferences(customer, **changes)

    row = dispatch(confirmed(customer))

    assert [channel for channel, *_ in deliveries(row)] == expected


def test_sms_in_quiet_hours_waits_until_they_end_and_email_does_not(customer, notify_settings):
    local_now = timezone.localtime()
    start = (local_now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end_at = (local_now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    set_preferences(customer, sms_quiet_start=start, sms_quiet_end=end_at.time())

    row = dispatch(confirmed(customer))

    sms = Delivery.objects.get(event=row, channel="sms")
    email = Delivery.objects.get(event=row, channel="email")
    assert sms.next_attempt_at == end_at
    assert email.next_attempt_at <= timezone.now()
    assert services.deliveries_claim(batch=10) == [email]


def test_the_pump_delivers_email_over_smtp_sms_to_the_log_and_a_signed_webhook(
    customer, notify_settings, smtp_mailer, receiver
):
    hook = subscribe(receiver.url(), ["order.confirmed"])
    row = dispatch(confirmed(customer))

    made = services.deliveries_pump(budget_seconds=10)

    assert made == 3
    assert set(Delivery.objects.filter(event=row).values_list("state", flat=True)) == {"delivered"}
    assert list(DeliveryAttempt.objects.order_by("delivery__channel").values_list("number", "outcome")) == [
        (1, "delivered"),
        (1, "delivered"),
        (1, "delivered"),
    ]
    [(_, message)] = smtp_mailer.messages
    assert message["To"] == "li.na@example.com"
    assert message["Subject"] == "Order SO260101-000001 is confirmed"
    assert message["X-Dingdan-Event-Id"] == str(row.event_id)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Your order SO260101-000001 (199.00 CNY) is confirmed" in text
    assert "https://shop.example.com/track/" in text
    assert '<a href="https://shop.example.com/track/' in html
    [request] = receiver.received
    assert request.headers["X-Dingdan-Event-Id"] == str(row.event_id)
    assert request.headers["X-Dingdan-Event-Type"] == "order.confirmed"
    assert domain.signature_valid(
        secret=hook.secret,
        header=request.headers["X-Dingdan-Signature"],
        body=request.body,
        now=int(time.time()),
    )
    body = json.loads(request.body)
    assert (body["id"], body["type"], body["data"]["number"]) == (
        str(row.event_id),
        "order.confirmed",
        "SO260101-000001",
    )


def test_a_failed_webhook_is_retried_with_backoff_then_given_up(customer, notify_settings, receiver):
    receiver.status = lambda request: 503
    subscribe(receiver.url(), ["order.*"])
    set_preferences(customer, notify_opt_out=True)
    dispatch(confirmed(customer))

    before = timezone.now()
    services.deliveries_pump(budget_seconds=10)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 503)
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 30 <= wait < 32
    retry = DBTaskResult.objects.filter(task_path=PUMP, status="READY").order_by("-enqueued_at").first()
    assert retry.run_after == delivery.next_attempt_at
    for expected_wait in (60, None):  # the second retry waits twice as long; the third is the last
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        services.deliveries_pump(budget_seconds=10)
        delivery.refresh_from_db()
        if expected_wait:
            assert expected_wait <= (delivery.next_attempt_at - before).total_seconds() < expected_wait + 2
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert list(delivery.attempt_log.values_list("number", "outcome", "status_code")) == [
        (1, "failed", 503),
        (2, "failed", 503),
        (3, "failed", 503),
    ]
    assert len(receiver.received) == 3


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(customer, notify_settings, receiver):
    subscribe(receiver.url(), ["order.*"])
    set_preferences(customer, notify_opt_out=True)
    row = dispatch(confirmed(customer))
    [claimed] = services.deliveries_claim(batch=5)  # ... and the worker is killed here
    assert services.deliveries_claim(batch=5) == []  # the lease holds it

    Delivery.objects.filter(pk=claimed.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.deliveries_sweep() == 1
    services.deliveries_pump(budget_seconds=10)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert list(delivery.attempt_log.values_list("number", "outcome")) == [(1, "abandoned"), (2, "delivered")]
    assert [r.headers["X-Dingdan-Event-Id"] for r in receiver.received] == [str(row.event_id)]


def test_a_stale_claim_cannot_overwrite_the_takeover(customer, notify_settings, receiver):
    subscribe(receiver.url(), ["order.*"])
    set_preferences(customer, notify_opt_out=True)
    dispatch(confirmed(customer))
    [first] = services.deliveries_claim(batch=5)
    Delivery.objects.filter(pk=first.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    services.deliveries_pump(budget_seconds=10)  # the takeover delivers

    services.delivery_attempt(first, services._Mailer())  # the first worker wakes up late

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert delivery.attempt_log.count() == 2  # the late finish records nothing
    assert len(receiver.received) == 2  # but it did send again: at least once, same event id
    assert (
        receiver.received[0].headers["X-Dingdan-Event-Id"]
        == receiver.received[1].headers["X-Dingdan-Event-Id"]
    )


def test_manual_redelivery_sends_again_and_is_audited(customer, notify_settings, receiver):
    subscribe(receiver.url(), ["order.*"])
    set_preferences(customer, notify_opt_out=True)
    dispatch(confirmed(customer))
    services.deliveries_pump(budget_seconds=10)
    delivery = Delivery.objects.get()

    services.delivery_redeliver(actor=SYSTEM, delivery_id=delivery.pk)
    services.deliveries_pump(budget_seconds=10)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert len(receiver.received) == 2
    assert AuditEntry.objects.filter(aggregate_type="delivery", action="redeliver").count() == 1


def test_a_delivery_being_sent_cannot_be_redelivered(customer, notify_settings):
    subscribe("http://127.0.0.1:9/x", ["order.*"])
    set_preferences(customer, notify_opt_out=True)
    dispatch(confirmed(customer))
    [claimed] = services.deliveries_claim(batch=5)

    with pytest.raises(DeliveryInProgress):
        services.delivery_redeliver(actor=SYSTEM, delivery_id=claimed.pk)

    assert Delivery.objects.get().state == "sending"
    assert AuditEntry.objects.filter(aggregate_type="delivery").count() == 0


def test_sms_through_the_http_gateway_is_signed(customer, notify_settings, receiver):
    notify_settings.update(
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=receiver.url("/sms"),
        SMS_GATEWAY_SECRET="gw-key",
        SMS_GATEWAY_PARAMS={"account": "dingdan", "sign_name": "订单"},
    )
    set_preferences(customer, notify_email=False)
    row = dispatch(confirmed(customer))

    services.deliveries_pump(budget_seconds=10)

    [request] = receiver.received
    assert request.path == "/sms"
    payload = json.loads(request.body)
    assert payload["to"] == "+8613912345678"
    assert payload["account"] == "dingdan"
    assert payload["event_id"] == str(row.event_id)
    assert payload["text"].startswith(
        "Order SO260101-000001 confirmed (199.00 CNY). https://shop.example.com/track/"
    )
    assert domain.signature_valid(
        secret="gw-key",
        header=request.headers["X-Dingdan-Signature"],
        body=request.body,
        now=int(time.time()),
    )
    assert Delivery.objects.get().state == "delivered"


def test_a_chinese_customer_gets_the_message_in_chinese(notify_settings, smtp_mailer):
    customer = CustomerFactory(name="王芳", email="wang@example.com", language="zh-hant")
    dispatch(confirmed(customer))

    services.deliveries_pump(budget_seconds=10)

    [(_, message)] = smtp_mailer.messages
    assert message["Subject"] == "訂單 SO260101-000001 已確認"


def test_low_stock_is_mailed_to_the_warehouse_owners(notify_settings, make_user):
    warehouse = WarehouseFactory(code="sz")
    warehouse.save()
    warehouse.owners.add(make_user(email="keeper@example.com"), make_user(email="boss@example.com"))
    row = dispatch(
        StockLow(
            aggregate_id="9",
            warehouse_id=warehouse.pk,
            warehouse_code="sz",
            sku_id=9,
            sku_code="TEE-BLK-M",
            available=2,
            reorder_point=10,
        )
    )
    services.deliveries_pump(budget_seconds=10)

    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "keeper@example.com"]
    assert mail.outbox[0].subject == "Low stock: TEE-BLK-M in sz"
    [alert] = services.selectors.low_stock_alerts()
    assert (alert.event_id, alert.sku_code, alert.available, alert.emails_sent) == (
        row.event_id,
        "TEE-BLK-M",
        2,
        2,
    )


def test_the_sweep_dispatches_events_whose_task_died_and_wakes_the_pump(customer, notify_settings):
    from dingdan.core.models import OutboxEvent
    from dingdan.core.outbox import outbox_sweep

    row = outbox_emit(confirmed(customer))  # its outbox_deliver task died with the worker
    fresh = outbox_emit(confirmed(customer, number="SO-FRESH"))  # its task may still be queued
    OutboxEvent.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    DBTaskResult.objects.all().delete()

    rescued = outbox_sweep(grace_seconds=30, max_attempts=5)

    assert rescued == 2  # the stale event, and a pump for its deliveries
    assert deliveries(row) == [
        ("email", "li.na@example.com", "en", "pending"),
        ("sms", "+8613912345678", "en", "pending"),
    ]
    assert Delivery.objects.filter(event=fresh).count() == 0
    assert DBTaskResult.objects.filter(task_path=PUMP, status="READY").count() == 1


def test_a_failing_dispatcher_rolls_the_dispatch_back_for_a_later_sweep(customer, notify_settings):
    from dingdan.core import outbox

    row = outbox_emit(confirmed(customer))

    def broken(event):
        raise RuntimeError("boom")

    outbox.outbox_dispatcher_register("zz-broken", broken)
    try:
        with pytest.raises(RuntimeError):
            outbox_dispatch(event_pk=row.pk)
    finally:
        outbox._dispatchers.pop("zz-broken")

    row.refresh_from_db()
    assert (row.dispatched_at, row.attempts) == (None, 1)
    assert Delivery.objects.count() == 0
    assert outbox_dispatch(event_pk=row.pk) is True
    assert Delivery.objects.filter(event=row).count() == 2
