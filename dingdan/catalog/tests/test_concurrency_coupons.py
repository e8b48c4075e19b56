"""Orders racing for a coupon's last uses on real PostgreSQL connections."""

import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction

from dingdan.catalog import services
from dingdan.catalog.exceptions import CouponCustomerLimitReached, CouponExhausted
from dingdan.catalog.models import Coupon, CouponCustomerUsage, CouponRedemption
from dingdan.core.actors import SYSTEM
from dingdan.core.audit import audit_timeline, audit_verify

RACERS = int(os.environ.get("DINGDAN_COUPON_RACERS", "8"))
LIMIT = 3

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(work(n))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def make_coupon(**limits: int) -> Coupon:
    promotion = services.promotion_create(
        actor=SYSTEM, code="welcome", name="新客", kind="amount_off", target="order", amount=Decimal("20")
    )
    return services.coupon_create(actor=SYSTEM, code="HELLO", promotion=promotion, **limits)


def redeem_in_an_order_transaction(order_number: str, customer_id: int) -> str:
    """As order placement does: the redemption inside a longer transaction that commits later."""
    try:
        with transaction.atomic():
            services.coupon_redeem(
                code="HELLO", order_number=order_number, customer_id=customer_id, actor=SYSTEM
            )
            time.sleep(0.01)  # the rest of the order's work, holding the coupon's row
        return "redeemed"
    except (CouponExhausted, CouponCustomerLimitReached) as error:
        return error.code


def test_racing_orders_redeem_a_coupon_limited_to_k_uses_exactly_k_times(record_property):
    assert connection.vendor == "postgresql"
    coupon = make_coupon(usage_limit=LIMIT)
    started = time.perf_counter()

    outcomes = race(lambda n: redeem_in_an_order_transaction(f"SO{n}", customer_id=n))

    elapsed = time.perf_counter() - started
    assert outcomes == ["coupon_exhausted"] * (RACERS - LIMIT) + ["redeemed"] * LIMIT
    coupon.refresh_from_db()
    assert (coupon.used_count, CouponRedemption.objects.count()) == (LIMIT, LIMIT)
    assert sum(CouponCustomerUsage.objects.values_list("used_count", flat=True)) == LIMIT
    assert len(audit_timeline(aggregate_type="coupon", aggregate_id=coupon.pk)) == 1 + LIMIT
    assert audit_verify(aggregate_type="coupon") == []
    figures = f"coupon race: {RACERS} racers, limit {LIMIT}: {LIMIT} redeemed, in {elapsed:.2f} s"
    print(figures)
    record_property("figures", figures)


def test_one_customer_racing_for_a_once_per_customer_coupon_gets_it_once():
    coupon = make_coupon(per_customer_limit=1)

    outcomes = race(lambda n: redeem_in_an_order_transaction(f"SO{n}", customer_id=42))

    assert outcomes == ["coupon_customer_limit_reached"] * (RACERS - 1) + ["redeemed"]
    coupon.refresh_from_db()
    assert (coupon.used_count, CouponCustomerUsage.objects.get().used_count) == (1, 1)


def test_releases_racing_with_redemptions_never_pass_the_limit():
    coupon = make_coupon(usage_limit=1)
    services.coupon_redeem(code="HELLO", order_number="SO-FIRST", customer_id=1, actor=SYSTEM)

    def work(n: int) -> str:
        if n == 0:
            services.coupon_release(order_number="SO-FIRST", actor=SYSTEM)
            return "released"
        return redeem_in_an_order_transaction(f"SO{n}", customer_id=n)

    outcomes = race(work)

    coupon.refresh_from_db()
    redeemed = outcomes.count("redeemed")
    assert outcomes.count("released") == 1
    assert redeemed in (0, 1)  # 1 when the release committed before a redemption's UPDATE
    assert coupon.used_count == CouponRedemption.objects.filter(released_at__isnull=True).count() == redeemed
