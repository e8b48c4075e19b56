"""`dingdan verify` on orders: clean after normal use; totals and reservations that drift are
reported, each check in one bounded statement whatever the number of lines."""

from decimal import Decimal
from typing import Any

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.inventory.models import Reservation
from dingdan.orders import checks, verify
from dingdan.orders.models import Order, OrderLine
from dingdan.orders.services import LineRequest, OrderRequest, order_cancel, order_create

pytestmark = pytest.mark.django_db


def place(shop: Any, *lines: tuple[str, int], submit: bool = True) -> Order:
    request = OrderRequest(
        channel_id=shop.channel.pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=sku, quantity=q) for sku, q in lines),
    )
    return order_create(actor=SYSTEM, request=request, submit=submit)


def found() -> list[tuple[str, str, str]]:
    findings = verify.order_totals() + verify.order_line_reservations() + verify.order_lines_digest()
    return [(finding.check, finding.subject, finding.problem) for finding in findings]


@pytest.fixture
def orders(shop: Any) -> dict[str, Order]:
    """A confirmed two-line order, one held for stock, a cancelled one and a draft."""
    confirmed = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1))
    held = place(shop, ("RARE-01", 1))
    cancelled = place(shop, ("TEE-BLK-M", 1))
    order_cancel(order_id=cancelled.pk, reason="customer changed their mind", actor=SYSTEM)
    draft = place(shop, ("MUG-01", 1), submit=False)
    return {"confirmed": confirmed, "held": held, "cancelled": cancelled, "draft": draft}


def test_orders_placed_held_cancelled_and_drafted_are_clean(orders):
    assert found() == []


def test_each_check_is_one_statement(orders, django_assert_num_queries):
    with django_assert_num_queries(1):
        verify.order_totals()
    with django_assert_num_queries(1):
        verify.order_line_reservations()
    with django_assert_num_queries(1):
        verify.order_lines_digest()


def test_totals_that_drift_from_their_lines_are_reported_to_the_cent(orders):
    confirmed, held, cancelled = orders["confirmed"], orders["held"], orders["cancelled"]
    Order.objects.filter(pk=confirmed.pk).update(subtotal=confirmed.subtotal + Decimal("0.01"))
    Order.objects.filter(pk=held.pk).update(total=held.total - Decimal("1.00"))
    OrderLine.objects.filter(order=cancelled).delete()
    Order.objects.filter(pk=orders["draft"].pk).update(total=Decimal("1.00"))  # drafts are not checked

    assert verify.order_totals() == [
        verify.Finding("order_totals", confirmed.number, "subtotal 233.51 ≠ lines 233.50"),
        verify.Finding("order_totals", confirmed.number, "total 233.50 ≠ 233.51"),
        verify.Finding("order_totals", held.number, "total 499.00 ≠ 500.00"),
        verify.Finding("order_totals", cancelled.number, "subtotal 99.00 ≠ lines 0"),
    ]


def test_a_lines_digest_that_is_not_its_lines_is_reported(orders):
    confirmed, held = orders["confirmed"], orders["held"]
    OrderLine.objects.filter(order=confirmed, sku_code="MUG-01").update(quantity=2)
    Order.objects.filter(pk=held.pk).update(lines_digest=confirmed.lines_digest)
    Order.objects.filter(pk=orders["cancelled"].pk).update(lines_digest="")  # none kept: not checked

    stale = checks.lines_digest([("MUG-01", 2), ("TEE-BLK-M", 2)])
    assert verify.order_lines_digest() == [
        verify.Finding(
            "order_lines_digest",
            confirmed.number,
            f"lines digest {confirmed.lines_digest} ≠ {stale} of its lines",
        ),
        verify.Finding(
            "order_lines_digest",
            held.number,
            f"lines digest {confirmed.lines_digest} ≠ {checks.lines_digest([('RARE-01', 1)])} of its lines",
        ),
    ]


def test_amounts_that_add_up_only_in_decimal_are_not_drift(shop):
    order = place(shop, ("TEE-BLK-M", 1), ("MUG-01", 1), ("TEE-BLK-M", 1))
    # 0.1 + 0.2 is not 0.3 in floating point, which is how SQLite sums decimals
    for line, amount in zip(order.lines.order_by("pk"), ["0.10", "0.20", "0.03"], strict=True):
        OrderLine.objects.filter(pk=line.pk).update(subtotal=Decimal(amount))
    Order.objects.filter(pk=order.pk).update(
        subtotal=Decimal("0.33"), total=Decimal("0.33") + order.shipping_fee - order.discount_total
    )

    assert verify.order_totals() == []


def test_reservations_that_drift_from_their_lines_are_reported(orders):
    confirmed, cancelled = orders["confirmed"], orders["cancelled"]
    tee, mug = confirmed.lines.order_by("line_number")
    Reservation.objects.filter(demand_id=str(tee.pk), status="open").update(quantity=1)
    Reservation.objects.filter(demand_id=str(mug.pk)).delete()
    cancelled_line = cancelled.lines.get()
    Reservation.objects.filter(demand_id=str(cancelled_line.pk)).update(status="open")

    assert verify.order_line_reservations() == [
        verify.Finding("order_line_reservations", f"{confirmed.number}#1", "reserved 1 ≠ 2 not backordered"),
        verify.Finding("order_line_reservations", f"{confirmed.number}#2", "reserved 0 ≠ 1 not backordered"),
        verify.Finding(
            "order_line_reservations", f"{cancelled.number}#1", "cancelled order holds 1 reserved"
        ),
    ]


def test_a_shipped_line_and_a_completed_order_are_not_held_to_their_reservations(orders):
    confirmed = orders["confirmed"]
    tee, mug = confirmed.lines.order_by("line_number")
    Reservation.objects.filter(demand_id__in=[str(tee.pk), str(mug.pk)]).delete()
    OrderLine.objects.filter(pk=tee.pk).update(quantity_shipped=1)
    assert found() == [
        ("order_line_reservations", f"{confirmed.number}#2", "reserved 0 ≠ 1 not backordered"),
    ]

    Order.objects.filter(pk=confirmed.pk).update(status="completed")
    assert found() == []


def test_the_findings_are_bounded(orders, monkeypatch):
    for order in orders.values():
        Order.objects.filter(pk=order.pk).update(total=Decimal("0.01"))
    monkeypatch.setattr(verify, "FINDINGS_AT_MOST", 2)

    assert [finding.subject for finding in verify.order_totals()] == [
        orders["confirmed"].number,
        orders["held"].number,
    ]
