"""Payments: staff-recorded and provider payments, the derived order status, and the provider's
notifications (asynchronous, declined, duplicated, out of order) over the webhook endpoint."""

import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dingdan.billing.exceptions import InvalidPayment, OrderNotPayable, PaymentExceedsBalance, UnknownProvider
from dingdan.billing.models import OrderAccount, Payment, ProviderNotification
from dingdan.billing.providers import SIGNATURE_HEADER, sign
from dingdan.billing.services import PaymentRequest, payment_capture, payment_record
from dingdan.billing.tests.conftest import pay, place
from dingdan.core.actors import SYSTEM
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.orders.models import Order

pytestmark = pytest.mark.django_db
WEBHOOK = "/api/v1/payments/webhooks/sandbox"


def money(order: Any) -> tuple[str, str, str, str]:
    account = OrderAccount.objects.get(order=order)
    order.refresh_from_db()
    return str(account.authorized), str(account.captured), str(account.refunded), order.payment_status


def everything() -> dict[str, Any]:
    return {
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status", "captured_amount")),
        "accounts": list(
            OrderAccount.objects.order_by("pk").values_list("authorized", "captured", "refunded")
        ),
        "orders": list(Order.objects.order_by("pk").values_list("payment_status", "version")),
        "notifications": ProviderNotification.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


def deliver(client: Client, body: bytes, headers: dict[str, str]) -> str:
    response = client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


def test_a_bank_transfer_is_captured_at_once_and_the_order_is_partially_then_fully_paid(order):
    first = pay(order, "100.00", reference="SO-REF-1", payer="张伟")

    assert (first.status, first.captured_amount) == ("captured", Decimal("100.00"))
    assert money(order) == ("0.00", "100.00", "0.00", "partially_paid")

    pay(order, "98.00")

    assert money(order) == ("0.00", "198.00", "0.00", "paid")
    types = list(OutboxEvent.objects.filter(type__startswith="payment.").values_list("type", flat=True))
    assert types == ["payment.captured", "payment.captured"]
    changes = OutboxEvent.objects.filter(type="order.payment_status_changed").values_list("data", flat=True)
    assert [(d["payment_status"], d["paid"]) for d in changes] == [
        ("partially_paid", "100.00"),
        ("paid", "198.00"),
    ]
    actions = AuditEntry.objects.filter(aggregate_type="order", aggregate_id=str(order.pk)).values_list(
        "action", flat=True
    )
    assert list(actions)[-2:] == ["payment_status_changed", "payment_status_changed"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"method": "bitcoin", "amount": Decimal("1.00")}, InvalidPayment),
        ({"method": "bank_transfer", "amount": Decimal("0")}, InvalidPayment),
        ({"method": "bank_transfer", "amount": Decimal("1.001")}, InvalidPayment),
        ({"method": "bank_transfer", "amount": Decimal("1.00"), "currency": "USD"}, InvalidPayment),
        ({"method": "card", "amount": Decimal("1.00"), "provider": "nope"}, UnknownProvider),
        ({"method": "bank_transfer", "amount": Decimal("198.01")}, PaymentExceedsBalance),
    ],
)
def test_a_bad_payment_is_refused_and_changes_nothing(order, fields, error):
    pay(order, "10.00")
    before = everything()

    with pytest.raises(error):
        payment_record(actor=SYSTEM, order_id=order.pk, request=PaymentRequest(**fields))

    assert everything() == before


def test_a_draft_or_cancelled_order_takes_no_payment(shop):
    from dingdan.orders.services import order_cancel

    order = place(shop)
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="test")
    before = everything()

    with pytest.raises(OrderNotPayable):
        pay(order, "1.00")

    assert everything() == before


def test_an_alipay_payment_waits_for_the_provider_and_is_captured_by_its_notifications(order, sandbox):
    payment = pay(order, "198.00", method="alipay")

    assert (payment.status, payment.provider) == ("pending", "sandbox")
    assert money(order) == ("0.00", "0.00", "0.00", "unpaid")

    outcomes = [deliver(Client(), body, headers) for body, headers in sandbox.take_notifications()]

    payment.refresh_from_db()
    assert outcomes == ["applied", "applied"]
    assert (payment.status, payment.captured_amount) == ("captured", Decimal("198.00"))
    assert money(order) == ("0.00", "198.00", "0.00", "paid")


def test_duplicate_and_out_of_order_notifications_change_the_payment_once(order, sandbox, record_property):
    payment = pay(order, "198.00", method="wechat_pay")
    authorized, captured = sandbox.take_notifications()
    client = Client()

    # The capture overtakes the authorisation, and the provider retries both.
    outcomes = [deliver(client, *n) for n in (captured, authorized, captured, authorized, captured)]

    payment.refresh_from_db()
    assert outcomes == ["applied", "stale", "duplicate", "duplicate", "duplicate"]
    assert (payment.status, payment.captured_amount) == ("captured", Decimal("198.00"))
    assert money(order) == ("0.00", "198.00", "0.00", "paid")
    actions = AuditEntry.objects.filter(aggregate_type="payment", aggregate_id=str(payment.pk)).values_list(
        "action", flat=True
    )
    assert list(actions) == ["recorded", "captured"]
    assert OutboxEvent.objects.filter(type="payment.captured").count() == 1
    assert list(ProviderNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "stale",
    ]
    figures = (
        "provider notifications: 5 delivered (1 out of order, 3 duplicates): "
        "1 applied, 1 stale, 3 duplicate; payment changed once"
    )
    print(figures)
    record_property("figures", figures)


def test_a_declined_payment_fails_and_the_order_stays_unpaid(order, sandbox):
    payment = pay(order, "10.13", method="card")  # the sandbox declines amounts ending in .13

    outcomes = [deliver(Client(), *n) for n in sandbox.take_notifications()]

    payment.refresh_from_db()
    assert outcomes == ["applied"]
    assert (payment.status, payment.failure_reason) == ("failed", "Declined by the provider.")
    assert money(order) == ("0.00", "0.00", "0.00", "unpaid")
    assert OutboxEvent.objects.filter(type="payment.failed").count() == 1


def test_a_card_authorisation_is_captured_later_and_the_echo_changes_nothing(order, sandbox):
    payment = pay(order, "198.00", method="card", capture=False)
    [authorized] = sandbox.take_notifications()
    assert deliver(Client(), *authorized) == "applied"
    assert money(order) == ("198.00", "0.00", "0.00", "authorized")

    payment_capture(actor=SYSTEM, payment_id=payment.pk)

    assert money(order) == ("0.00", "198.00", "0.00", "paid")
    [echo] = sandbox.take_notifications()
    assert deliver(Client(), *echo) == "stale"
    assert money(order) == ("0.00", "198.00", "0.00", "paid")


def _signed(
    body: bytes, timestamp: int | None = None, secret: str = "sandbox-webhook-secret"
) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(secret, body, int(time.time()) if timestamp is None else timestamp)}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: "t=1,v1=00"},
        {SIGNATURE_HEADER: "garbage"},
        "old",
        "other-secret",
    ],
)
def test_an_unsigned_forged_or_old_notification_is_refused_and_changes_nothing(order, sandbox, headers):
    pay(order, "198.00", method="alipay")
    body, _good = sandbox.take_notifications()[0]
    if headers == "old":
        headers = _signed(body, int(time.time()) - 301)
    elif headers == "other-secret":
        headers = _signed(body, secret="wrong")
    before = everything()

    response = Client().post(WEBHOOK, data=body, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert everything() == before


def test_a_signed_but_unreadable_notification_is_a_400(order):
    body = json.dumps({"id": "evt_1", "data": {"status": "exploded"}}).encode()

    response = Client().post(WEBHOOK, data=body, content_type="application/json", headers=_signed(body))

    assert (response.status_code, response.json()["code"]) == (400, "invalid_notification")
    assert ProviderNotification.objects.count() == 0


def test_a_notification_of_an_unknown_payment_is_recorded_and_answered(order):
    body = json.dumps(
        {
            "id": "evt_x",
            "data": {"reference": "sbx_nope", "status": "captured", "amount": "1.00", "currency": "CNY"},
        }
    ).encode()

    assert deliver(Client(), body, _signed(body)) == "unknown_payment"
    assert deliver(Client(), body, _signed(body)) == "duplicate"
