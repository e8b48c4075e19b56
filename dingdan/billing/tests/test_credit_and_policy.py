"""Credit (the review's exposure provider, ageing), the pay-first policy's automatic
cancellation of unpaid orders, and the billing checks of `dingdan verify`."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dingdan.billing.models import OrderAccount
from dingdan.billing.selectors import open_receivables, receivables_ageing
from dingdan.billing.services import credit_hold_set, payment_notification_apply, unpaid_orders_cancel
from dingdan.billing.tests.conftest import pay, place
from dingdan.billing.verify import paid_equals_captured_minus_refunded
from dingdan.core.actors import SYSTEM
from dingdan.core.models import OutboxEvent
from dingdan.customers.services import customer_update
from dingdan.inventory.models import StockLevel
from dingdan.orders.models import Order
from dingdan.orders.providers import credit_exposure_provider
from dingdan.orders.services import order_approve, order_release

pytestmark = pytest.mark.django_db


def test_billing_is_the_reviews_credit_exposure_provider():
    assert credit_exposure_provider() is open_receivables


def test_open_receivables_count_what_open_orders_still_owe(shop):
    first, second = place(shop), place(shop, ("MUG-01", 1))
    pay(first, "98.00")

    assert open_receivables(shop.customer.pk) == Decimal("135.50")  # 100.00 + 35.50
    pay(first, "100.00")
    assert open_receivables(shop.customer.pk) == Decimal("35.50")
    assert second.total == Decimal("35.50")


def test_an_order_on_account_beyond_the_credit_limit_is_held_until_the_customer_pays(shop):
    customer_update(
        actor=SYSTEM, customer=shop.customer, expected_version=None, credit_limit=Decimal("300.00")
    )
    first = place(shop, channel=shop.review_channel)  # 198.00 on account, waiting for review
    order_approve(actor=SYSTEM, order_id=first.pk)

    second = place(shop, channel=shop.review_channel)

    assert (second.status, [r["reason"] for r in second.hold_reasons]) == (
        "on_hold",
        ["credit_limit_exceeded"],
    )
    pay(first, "198.00")
    released = order_release(actor=SYSTEM, order_id=second.pk)
    assert released.status == "pending_review"


def test_finance_puts_a_customer_on_credit_hold_and_the_review_holds_their_orders(shop):
    credit_hold_set(actor=SYSTEM, customer_id=shop.customer.pk, hold=True, reason="overdue")

    order = place(shop, channel=shop.review_channel)

    shop.customer.refresh_from_db()
    assert shop.customer.credit_hold is True
    assert [r["reason"] for r in order.hold_reasons] == ["credit_hold"]
    assert OutboxEvent.objects.filter(type="customer.updated").count() == 1


def test_ageing_puts_open_amounts_in_buckets_by_days_past_the_channels_terms(shop):
    order = place(shop)  # the web channel has no payment terms: due the day it was confirmed
    today = timezone.localdate(order.confirmed_at, timezone.get_default_timezone())

    assert [r["current"] for r in receivables_ageing(today=today)] == [Decimal("198.00")]
    rows = receivables_ageing(today=today + dt.timedelta(days=45))
    assert [(r["days_31_60"], r["total"]) for r in rows] == [(Decimal("198.00"), Decimal("198.00"))]
    assert receivables_ageing(today=today + dt.timedelta(days=91))[0]["days_over_90"] == Decimal("198.00")


def stock(shop: Any) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=shop.tshirt)
    return level.on_hand, level.reserved


def test_unpaid_pay_first_orders_are_cancelled_after_the_configured_time_releasing_stock(shop, sandbox):
    unpaid, paid, authorized, waiting = place(shop), place(shop), place(shop), place(shop, ("MUG-01", 1))
    on_account = place(shop, channel=shop.review_channel)
    pay(paid, "198.00")
    pay(authorized, "198.00", method="card", capture=False)
    for body, headers in sandbox.take_notifications():
        payment_notification_apply(provider_code="sandbox", body=body, headers=headers)
    pay(waiting, "35.50", method="alipay")  # its confirmation has not arrived yet
    assert stock(shop) == (10, 8)
    soon = unpaid.submitted_at + dt.timedelta(minutes=29)
    later = unpaid.submitted_at + dt.timedelta(minutes=31)

    assert unpaid_orders_cancel(actor=SYSTEM, now=soon) == []
    cancelled = unpaid_orders_cancel(actor=SYSTEM, now=later)

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert cancelled == [unpaid.pk]
    assert [statuses[o.pk] for o in (unpaid, paid, authorized, waiting, on_account)] == [
        "cancelled",
        "confirmed",
        "confirmed",
        "confirmed",
        "pending_review",
    ]
    assert stock(shop) == (10, 6)
    event = OutboxEvent.objects.get(type="order.cancelled")
    assert (event.aggregate_id, event.data["reason"]) == (str(unpaid.pk), "unpaid_timeout")
    assert unpaid_orders_cancel(actor=SYSTEM, now=later) == []


def test_verify_finds_money_that_does_not_add_up(shop):
    order = place(shop)
    pay(order, "198.00")
    assert paid_equals_captured_minus_refunded() == []

    OrderAccount.objects.filter(order=order).update(captured=Decimal("150.00"))
    Order.objects.filter(pk=order.pk).update(payment_status="unpaid")

    problems = [f.problem for f in paid_equals_captured_minus_refunded()]
    assert problems == [
        "captured 150.00 but the ledger sums to 198.00",
        "payment status unpaid, derived paid",
    ]
