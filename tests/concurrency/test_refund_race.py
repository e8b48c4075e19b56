"""Refunds racing on one order (PostgreSQL, real connections): 32 concurrent requests of 10.00
each on an order with 198.00 captured. The conditional UPDATE of the order's account lets
exactly 19 through per round (190.00) and refuses 13; the total refunded never exceeds what
was captured, nothing deadlocks, and `verify` finds no drift. Rounds: DINGDAN_REFUND_RACE_ROUNDS."""

import os
import time
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from dingdan.billing.models import OrderAccount, Refund
from dingdan.billing.services import PaymentRequest, RefundRequest, payment_record, refund_request
from dingdan.catalog.tests.factories import PriceListFactory, ProductFactory, TaxRateFactory
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.orders.services import LineRequest, OrderRequest, order_create
from tests.concurrency.test_stock_race import needs_postgres, racers  # noqa: F401  (fixture)

ROUNDS = int(os.environ.get("DINGDAN_REFUND_RACE_ROUNDS", "5"))
RACERS, AMOUNT = 32, Decimal("10.00")


@pytest.fixture
def paid_orders(transactional_db: None) -> list[Any]:
    """One order per round, 198.00 captured by bank transfer."""
    vat = TaxRateFactory(code="vat13", rate=Decimal("0.13"))
    product: Any = ProductFactory(code="P-RF", skus=[{"code": "RF-01", "tax_rate": vat, "specs": {}}])
    channel = channel_create(actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="SO")
    PriceListFactory(code="retail", items=[{"sku_code": "RF-01", "price": Decimal("99.00")}])
    customer: Any = CustomerFactory(name="张伟", addresses=[SHENZHEN])
    warehouse: Any = WarehouseFactory(code="sh")
    stock_receive(
        actor=SYSTEM, warehouse_id=warehouse.pk, lines=[StockLine(product.skus.get().pk, 2 * ROUNDS)]
    )
    orders = []
    for _ in range(ROUNDS):
        request = OrderRequest(
            channel_id=channel.pk, customer_id=customer.pk, lines=(LineRequest(sku_code="RF-01", quantity=2),)
        )
        order = order_create(actor=SYSTEM, request=request)
        payment_record(
            actor=SYSTEM,
            order_id=order.pk,
            request=PaymentRequest(method="bank_transfer", amount=Decimal("198.00")),
        )
        orders.append(order)
    return orders


def refund_one(order_id: int) -> Any:
    def call() -> str:
        refund = refund_request(
            actor=SYSTEM,
            order_id=order_id,
            request=RefundRequest(amount=AMOUNT, kind="goodwill", reason="race"),
        )
        return refund.status

    return call


@pytest.mark.postgres_only
def test_32_concurrent_refunds_never_exceed_the_captured_amount(paid_orders, racers, record_property):  # noqa: F811
    needs_postgres()
    pool = racers(RACERS)
    outcomes: Counter[str] = Counter()
    worst_excess = Decimal("-198.00")
    started = time.monotonic()

    for order in paid_orders:
        outcomes.update(pool.round(refund_one(order.pk)))
        account = OrderAccount.objects.get(order=order)
        refunded = Refund.objects.filter(order=order, status="succeeded").aggregate(s=Sum("amount"))["s"]
        worst_excess = max(worst_excess, refunded - account.captured)
        assert (account.captured, account.refunded, refunded) == (
            Decimal("198.00"),
            Decimal("190.00"),
            Decimal("190.00"),
        )
        order.refresh_from_db()
        assert order.payment_status == "partially_refunded"

    seconds = time.monotonic() - started
    accepted, refused = outcomes["succeeded"], outcomes["application_error:refund_exceeds_balance"]
    figures = (
        f"refund race on {connection.vendor}: {ROUNDS} rounds x {RACERS} concurrent refunds of {AMOUNT} "
        f"on an order with 198.00 captured: {accepted / ROUNDS:.0f} accepted and {refused / ROUNDS:.0f} "
        f"refused per round, most refunded beyond captured {worst_excess:.2f} (never above 0), other "
        f"outcomes {sum(outcomes.values()) - accepted - refused}, {seconds:.1f} s"
    )
    print(figures)
    record_property("figures", figures)
    assert (accepted, refused) == (19 * ROUNDS, 13 * ROUNDS), outcomes
    assert worst_excess == Decimal("-8.00")
    call_command("verify", stdout=StringIO())  # raises CommandError on any drift
