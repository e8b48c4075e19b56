from decimal import Decimal

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import PreconditionFailed
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.orders.exceptions import (
    DuplicateExternalReference,
    InvalidOrder,
    InvalidOrderTransition,
    PriceOverrideNotAllowed,
)
from dingdan.orders.models import Order, OrderCheckResult
from dingdan.orders.services import (
    LineRequest,
    OrderRequest,
    order_approve,
    order_cancel,
    order_create,
    order_hold,
    order_reject,
    order_release,
    order_submit,
)

pytestmark = pytest.mark.django_db


def place(shop, *lines, channel=None, submit=True, **fields):
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=code, quantity=qty) for code, qty in lines),
        **fields,
    )
    return order_create(actor=SYSTEM, request=request, submit=submit)


def stock(sku, warehouse):
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    return level.on_hand, level.reserved


def counts():
    return (
        Order.objects.count(),
        Reservation.objects.count(),
        AuditEntry.objects.filter(aggregate_type="order").count(),
        OutboxEvent.objects.filter(type__startswith="order.").count(),
    )


def test_an_order_with_stock_on_an_auto_confirm_channel_is_priced_reserved_and_confirmed(shop):
    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1), shipping_fee=Decimal("10.00"))

    order.refresh_from_db()
    assert order.status == "confirmed"
    assert order.number.startswith("SO")
    assert len(order.number) == len("SO260123-000001")
    assert order.currency == "CNY"
    assert [
        (line.sku_code, line.unit_price, line.subtotal) for line in order.lines.order_by("line_number")
    ] == [
        ("TEE-BLK-M", Decimal("99.00"), Decimal("198.00")),
        ("MUG-01", Decimal("35.50"), Decimal("35.50")),
    ]
    assert order.subtotal == Decimal("233.50")
    assert order.total == Decimal("243.50")  # tax-inclusive prices: tax shown, not added
    assert order.tax_total == Decimal("22.78") + Decimal("4.08")
    assert stock(shop.tshirt, shop.warehouse) == (10, 2)
    assert stock(shop.mug, shop.warehouse) == (3, 1)
    assert order.promised_date is not None
    assert list(
        OutboxEvent.objects.order_by("pk").filter(type__startswith="order.").values_list("type", flat=True)
    ) == [
        "order.placed",
        "order.confirmed",
    ]
    assert list(
        AuditEntry.objects.filter(aggregate_type="order")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "created",
        "submitted",
    ]


def test_a_manual_review_channel_leaves_a_passing_order_pending_review(shop):
    order = place(shop, ("TEE-BLK-M", 1), channel=shop.review_channel)

    assert order.status == "pending_review"
    assert order.pay_first is False


def test_a_short_line_reserves_nothing_and_holds_the_order_with_the_reason(shop):
    order = place(shop, ("TEE-BLK-M", 1), ("MUG-01", 5))

    assert order.status == "on_hold"
    assert order.hold_reasons == [{"reason": "insufficient_stock", "params": {"skus": "MUG-01 (5)"}}]
    assert stock(shop.mug, shop.warehouse) == (3, 0)
    assert stock(shop.tshirt, shop.warehouse) == (10, 1)
    assert {line.sku_code: line.backorder_quantity for line in order.lines.all()} == {
        "TEE-BLK-M": 0,
        "MUG-01": 5,
    }
    stock_outcome = OrderCheckResult.objects.get(order=order, check_code="stock")
    assert stock_outcome.outcome == "fail"


def test_an_unknown_sku_and_customer_are_one_422_and_nothing_is_written(shop):
    before = counts()
    request = OrderRequest(
        channel_id=shop.channel.pk, customer_id=999999, lines=(LineRequest(sku_code="NOPE", quantity=1),)
    )

    with pytest.raises(InvalidOrder) as raised:
        order_create(actor=SYSTEM, request=request)

    assert {e["code"] for e in raised.value.errors} == {"unknown_customer", "unknown_sku"}
    assert counts() == before


def test_supplied_prices_need_the_right_to_set_prices(shop):
    request = OrderRequest(
        channel_id=shop.channel.pk,
        customer_id=shop.customer.pk,
        lines=(LineRequest(sku_code="TEE-BLK-M", quantity=1, unit_price=Decimal("1.00")),),
    )
    before = counts()

    with pytest.raises(PriceOverrideNotAllowed):
        order_create(actor=SYSTEM, request=request)
    assert counts() == before

    order = order_create(actor=SYSTEM, request=request, may_set_prices=True)
    line = order.lines.get()
    assert (line.unit_price, line.list_price, line.price_source) == (
        Decimal("1.00"),
        Decimal("99.00"),
        "supplied",
    )


def test_an_external_reference_is_unique_per_channel(shop):
    place(shop, ("TEE-BLK-M", 1), external_reference="TB-1001")
    before = counts()

    with pytest.raises(DuplicateExternalReference):
        place(shop, ("TEE-BLK-M", 1), external_reference="TB-1001")

    assert counts() == before
    assert stock(shop.tshirt, shop.warehouse) == (10, 1)
    assert place(shop, ("TEE-BLK-M", 1), external_reference="TB-1001", channel=shop.review_channel).pk


def test_cancelling_releases_the_reservations(shop):
    order = place(shop, ("TEE-BLK-M", 4))

    cancelled = order_cancel(actor=SYSTEM, order_id=order.pk, reason="customer asked")

    assert cancelled.status == "cancelled"
    assert stock(shop.tshirt, shop.warehouse) == (10, 0)
    assert set(Reservation.objects.values_list("status", flat=True)) == {"released"}
    assert OutboxEvent.objects.filter(type="order.cancelled").count() == 1


def test_a_cancelled_order_cannot_be_cancelled_again_and_nothing_changes(shop):
    order = place(shop, ("TEE-BLK-M", 4))
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="x")
    before = counts()

    with pytest.raises(InvalidOrderTransition):
        order_cancel(actor=SYSTEM, order_id=order.pk, reason="again")

    assert counts() == before
    assert stock(shop.tshirt, shop.warehouse) == (10, 0)


def test_review_approve_and_reject(shop):
    approved = place(shop, ("TEE-BLK-M", 1), channel=shop.review_channel)
    rejected = place(shop, ("TEE-BLK-M", 2), channel=shop.review_channel)

    assert order_approve(actor=SYSTEM, order_id=approved.pk).status == "confirmed"
    assert order_reject(actor=SYSTEM, order_id=rejected.pk, reason="fraud").status == "rejected"
    assert stock(shop.tshirt, shop.warehouse) == (10, 1)


def test_a_stale_version_is_refused_and_nothing_changes(shop):
    order = place(shop, ("TEE-BLK-M", 1), channel=shop.review_channel)
    before = counts()

    with pytest.raises(PreconditionFailed):
        order_approve(actor=SYSTEM, order_id=order.pk, expected_version=order.version - 1)

    order.refresh_from_db()
    assert order.status == "pending_review"
    assert counts() == before


def test_hold_and_release_return_a_confirmed_order_to_confirmed(shop):
    order = place(shop, ("TEE-BLK-M", 1))

    held = order_hold(actor=SYSTEM, order_id=order.pk, reason="customer called")
    assert (held.status, held.held_from) == ("on_hold", "confirmed")
    released = order_release(actor=SYSTEM, order_id=order.pk)

    assert released.status == "confirmed"
    assert released.hold_reasons == []
    assert stock(shop.tshirt, shop.warehouse) == (10, 1)


def test_release_after_stock_is_freed_reserves_the_short_line(shop):
    first = place(shop, ("MUG-01", 3))
    order = place(shop, ("MUG-01", 2))
    assert order.status == "on_hold"

    still_short = order_release(actor=SYSTEM, order_id=order.pk)
    assert still_short.status == "on_hold"
    order_cancel(actor=SYSTEM, order_id=first.pk, reason="客户取消")
    released = order_release(actor=SYSTEM, order_id=order.pk)

    assert released.status == "confirmed"
    assert stock(shop.mug, shop.warehouse) == (3, 2)
    assert order.lines.get().backorder_quantity == 0


def test_a_draft_reserves_nothing_until_it_is_submitted(shop):
    draft = place(shop, ("TEE-BLK-M", 3), submit=False)
    assert draft.status == "draft"
    assert stock(shop.tshirt, shop.warehouse) == (10, 0)

    submitted = order_submit(actor=SYSTEM, order_id=draft.pk, expected_version=draft.version)

    assert submitted.status == "confirmed"
    assert stock(shop.tshirt, shop.warehouse) == (10, 3)


def test_an_order_without_a_price_for_a_sku_is_held_with_price_missing(shop):
    from dingdan.catalog.selectors import price_list_list
    from dingdan.catalog.services import price_list_items_set

    retail = price_list_list().get(code="retail")
    price_list_items_set(
        actor=SYSTEM, price_list=retail, items=[{"sku_code": "TEE-BLK-M", "price": "99.00"}], replace=True
    )

    order = place(shop, ("MUG-01", 1))

    assert order.status == "on_hold"
    assert order.hold_reasons[0]["reason"] == "price_missing"


@pytest.mark.django_db(transaction=True)
def test_a_submission_failing_after_its_lines_are_written_leaves_nothing_and_the_caller_goes_on(
    shop, monkeypatch
):
    # On PostgreSQL the order's row is written last, after its lines (their foreign keys are
    # checked at commit): a failure in between must take the lines with it, and the caller's
    # transaction must still commit.
    from django.db import transaction

    from dingdan.orders.models import OrderLine
    from dingdan.orders.services import review

    def fault(order, lines):
        assert all(line.pk is not None for line in lines)  # the lines are written
        raise RuntimeError("fault after the lines")

    before = (*counts(), OrderLine.objects.count())
    with transaction.atomic():  # a caller that goes on after an error (an import, say)
        monkeypatch.setattr(review, "reserve", fault)
        with pytest.raises(RuntimeError, match="fault after the lines"):
            place(shop, ("MUG-01", 1))
        monkeypatch.undo()
        placed = place(shop, ("TEE-BLK-M", 1))

    orders, reservations, entries, events, lines = before
    assert (*counts(), OrderLine.objects.count()) == (
        orders + 1,
        reservations + 1,
        entries + 2,
        events + 2,
        lines + 1,
    )
    assert list(Order.objects.get(pk=placed.pk).lines.values_list("sku_code", flat=True)) == ["TEE-BLK-M"]
