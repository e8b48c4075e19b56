"""SSRF: hostile webhook URLs reach nothing. A local listener stands where each of them
points (loopback in every spelling, private and link-local ranges, the metadata address,
redirects to them); subscriptions to them are refused when created, and deliveries to them,
had they been stored anyway, are refused when sent. The listener counts every hit."""

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.core.outbox import outbox_dispatch, outbox_emit
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.notifications import services
from dingdan.notifications.exceptions import WebhookTargetRefused
from dingdan.notifications.models import Delivery, WebhookSubscription
from dingdan.notifications.tests.servers import HttpReceiver
from dingdan.orders.events import OrderConfirmed

pytestmark = pytest.mark.django_db


def hostile_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/hook",
        f"http://localhost:{port}/hook",
        f"http://localhost.:{port}/hook",
        f"http://[::1]:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",
        f"http://[::ffff:7f00:1]:{port}/hook",
        f"http://2130706433:{port}/hook",  # decimal 127.0.0.1
        f"http://0x7f000001:{port}/hook",  # hex
        f"http://0177.0.0.1:{port}/hook",  # octal
        f"http://127.1:{port}/hook",
        f"http://0.0.0.0:{port}/hook",
        f"http://10.0.0.1:{port}/hook",
        f"http://172.16.0.1:{port}/hook",
        f"http://192.168.1.1:{port}/hook",
        f"http://100.100.100.200:{port}/hook",  # shared space (a cloud metadata address)
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        f"http://[fe80::1]:{port}/hook",
        f"https://127.0.0.1:{port}/hook",
    ]


@pytest.fixture
def listener():
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def redirector(listener):
    """An allow-listed host (127.0.0.2) that answers every request with a redirect to the
    listener; redirects must not be followed."""
    server = HttpReceiver(host="127.0.0.2", status=lambda request: 302, location=listener.url("/redirected"))
    yield server
    server.close()


def test_hostile_webhook_urls_reach_nothing(settings, listener, redirector, record_property):
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.2"],
        "MAX_ATTEMPTS": 1,
        "HTTP_TIMEOUT_SECONDS": 2.0,
    }
    hostile = hostile_urls(listener.port)
    redirects = [redirector.url("/to-loopback"), redirector.url("/to-metadata")]

    refused_at_create = 0
    for url in hostile:
        try:
            services.subscription_create(actor=SYSTEM, name="evil", url=url, events=["*"])
        except WebhookTargetRefused:
            refused_at_create += 1
    assert WebhookSubscription.objects.count() == 0

    # Stored anyway (as if the rules had been looser when they were made): refused when sent.
    for url in [*hostile, *redirects]:
        WebhookSubscription.objects.create(name="evil", url=url, events=["*"], secret="s")
    customer = CustomerFactory(name="c", notify_email=False, notify_sms=False)
    row = outbox_emit(
        OrderConfirmed(
            aggregate_id="1",
            number="SO1",
            status="confirmed",
            channel="web",
            customer_id=customer.pk,
            total="1.00",
            currency="CNY",
        )
    )
    outbox_dispatch(event_pk=row.pk)
    services.deliveries_pump(budget_seconds=60)

    webhooks = Delivery.objects.filter(channel="webhook")
    refused_at_send = webhooks.filter(attempt_log__outcome="refused").count()
    redirect_failures = list(
        webhooks.filter(subscription__url__in=redirects).values_list("state", "last_status", "last_error")
    )
    figures = (
        f"{len(hostile)} hostile URLs: {refused_at_create} refused at subscription, "
        f"{refused_at_send} refused at delivery; {len(redirects)} redirects to them not followed; "
        f"listener hits {len(listener.received)}"
    )
    print(figures)
    record_property("figures", figures)
    assert refused_at_create == len(hostile)
    assert refused_at_send == len(hostile)
    assert redirect_failures == [("failed", 302, "redirect not followed")] * 2
    assert len(redirector.received) == 2
    assert listener.received == []
    assert webhooks.filter(state="delivered").count() == 0
