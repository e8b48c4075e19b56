"""Amendments: stage, preview, commit (a new revision), discard; refusals change nothing."""

from decimal import Decimal

import pytest

from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import PreconditionFailed
from dingdan.core.models import OutboxEvent
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.orders.exceptions import (
    AmendmentRefused,
    ChangeRequestClosed,
    OrderNotAmendable,
    PriceOverrideNotAllowed,
    ShippedQuantityLocked,
)
from dingdan.orders.models import Order, OrderChangeRequest, OrderLine, OrderRevision
from dingdan.orders.services import (
    LineRequest,
    OrderRequest,
    blacklist_add,
    change_request_commit,
    change_request_discard,
    change_request_preview,
    change_request_stage,
    order_cancel,
    order_create,
)

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "recipient": "李娜",
    "phone": "13900001111",
    "province": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "street": "世纪大道100号",
    "postal_code": "200120",
}


def place(shop, *lines, channel=None):
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=code, quantity=qty) for code, qty in lines or [("TEE-BLK-M", 2)]),
    )
    order = order_create(actor=SYSTEM, request=request)
    order.refresh_from_db()
    return order


def state(order):
    """Everything a change could touch."""
    order = Order.objects.get(pk=order.pk)
    return (
        (order.status, order.version, order.revision, order.total, order.shipping_address),
        list(
            OrderLine.objects.filter(order=order)
            .order_by("pk")
            .values_list("line_number", "sku_code", "quantity")
        ),
        list(Reservation.objects.order_by("pk").values_list("demand_id", "quantity", "status")),
        list(StockLevel.objects.order_by("pk").values_list("reserved", flat=True)),
        OrderRevision.objects.count(),
        OutboxEvent.objects.filter(type="order.amended").count(),
    )


def test_staging_previews_totals_stock_and_payment_and_changes_nothing(shop):
    order = place(shop)
    before = state(order)

    change = change_request_stage(
        actor=SYSTEM,
        order_id=order.pk,
        operations=[
            {"op": "set_quantity", "line_number": 1, "quantity": 3},
            {"op": "add_line", "sku": "MUG-01", "quantity": 1},
        ],
        note="客户加购",
    )
    preview = change_request_preview(change_request_id=change.pk)

    assert (change.status, change.base_version) == ("staged", order.version)
    assert (preview.total, preview.previous_total, preview.payment_due, preview.refund_due) == (
        Decimal("332.50"),
        Decimal("198.00"),
        Decimal("332.50"),
        Decimal("0.00"),
    )
    assert [(d.sku, d.reserve, d.release, d.is_coverable) for d in preview.stock] == [
        ("TEE-BLK-M", 3, 2, True),
        ("MUG-01", 1, 0, True),
    ]
    assert (preview.failing_checks, preview.is_feasible) == ([], True)
    assert state(order) == before


def test_committing_creates_a_revision_re_reserves_reprices_and_emits_order_amended(shop):
    order = place(shop)
    change = change_request_stage(
        actor=SYSTEM,
        order_id=order.pk,
        operations=[
            {"op": "set_quantity", "line_number": 1, "quantity": 3},
            {"op": "add_line", "sku": "MUG-01", "quantity": 1},
        ],
    )

    amended = change_request_commit(actor=SYSTEM, change_request_id=change.pk)

    assert (amended.status, amended.revision, amended.total) == ("confirmed", 2, Decimal("332.50"))
    assert list(amended.lines.order_by("line_number").values_list("sku_code", "quantity", "subtotal")) == [
        ("TEE-BLK-M", 3, Decimal("297.00")),
        ("MUG-01", 1, Decimal("35.50")),
    ]
    assert [level.reserved for level in StockLevel.objects.order_by("sku_id")] == [3, 1]
    revisions = list(OrderRevision.objects.filter(order=order).order_by("revision"))
    assert [(r.revision, r.snapshot["total"], len(r.snapshot["lines"])) for r in revisions] == [
        (1, "198.00", 1),
        (2, "332.50", 2),
    ]
    event = OutboxEvent.objects.get(type="order.amended")
    assert (event.data["revision"], event.data["previous_total"], event.data["total"]) == (
        2,
        "198.00",
        "332.50",
    )
    change.refresh_from_db()
    assert (change.status, change.revision) == ("committed", 2)


def test_a_change_stock_cannot_cover_is_refused_and_nothing_is_half_applied(shop):
    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1))
    change = change_request_stage(
        actor=SYSTEM,
        order_id=order.pk,
        operations=[
            {"op": "set_quantity", "line_number": 1, "quantity": 1},
            {"op": "set_quantity", "line_number": 2, "quantity": 9},
        ],
    )
    preview = change_request_preview(change_request_id=change.pk)
    before = state(order)

    with pytest.raises(AmendmentRefused) as error:
        change_request_commit(actor=SYSTEM, change_request_id=change.pk)

    assert error.value.code == "amendment_insufficient_stock"
    assert (preview.is_feasible, [p["reason"] for p in preview.problems]) == (False, ["insufficient_stock"])
    assert state(order) == before
    assert OrderChangeRequest.objects.get().status == "staged"


def test_a_change_committed_after_another_is_refused_with_412(shop):
    order = place(shop)
    first = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "set_quantity", "line_number": 1, "quantity": 1}]
    )
    second = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "set_quantity", "line_number": 1, "quantity": 5}]
    )
    assert first.base_version == second.base_version == order.version

    change_request_commit(actor=SYSTEM, change_request_id=first.pk)
    after_first = state(order)
    with pytest.raises(PreconditionFailed):
        change_request_commit(actor=SYSTEM, change_request_id=second.pk)

    assert state(order) == after_first
    assert order.lines.get().quantity == 1
    assert OrderChangeRequest.objects.get(pk=second.pk).status == "staged"


def test_what_has_shipped_cannot_change_and_prices_need_the_right(shop):
    order = place(shop, ("TEE-BLK-M", 3), ("MUG-01", 1))
    OrderLine.objects.filter(order=order, line_number=1).update(quantity_shipped=2)
    Order.objects.filter(pk=order.pk).update(fulfillment_status="partially_shipped")

    with pytest.raises(ShippedQuantityLocked) as error:
        change_request_stage(
            actor=SYSTEM,
            order_id=order.pk,
            operations=[{"op": "set_quantity", "line_number": 1, "quantity": 1}],
        )
    assert str(error.value) == "Line 1 has shipped 2; that cannot change."
    for operation in ({"op": "remove_line", "line_number": 1}, {"op": "cancel_order", "reason": "x"}):
        with pytest.raises(ShippedQuantityLocked):
            change_request_stage(actor=SYSTEM, order_id=order.pk, operations=[operation])
    with pytest.raises(PriceOverrideNotAllowed):
        change_request_stage(
            actor=SYSTEM,
            order_id=order.pk,
            operations=[{"op": "set_price", "line_number": 2, "unit_price": "1.00"}],
        )
    assert OrderChangeRequest.objects.count() == 0


def test_a_supplied_price_is_kept_and_the_price_check_warns(shop):
    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1))
    change = change_request_stage(
        actor=SYSTEM,
        order_id=order.pk,
        operations=[{"op": "set_price", "line_number": 2, "unit_price": "30.00"}],
        may_set_prices=True,
    )

    amended = change_request_commit(actor=SYSTEM, change_request_id=change.pk)

    line = amended.lines.get(line_number=2)
    assert (line.unit_price, line.list_price, line.price_source) == (
        Decimal("30.00"),
        Decimal("35.50"),
        "supplied",
    )
    assert amended.total == Decimal("228.00")


def test_removing_a_line_releases_its_stock_and_cancelling_through_a_change_cancels_the_order(shop):
    order = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1))
    removal = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "remove_line", "line_number": 2}]
    )
    change_request_commit(actor=SYSTEM, change_request_id=removal.pk)
    assert StockLevel.objects.get(sku=shop.mug).reserved == 0
    assert list(order.lines.values_list("line_number", flat=True)) == [1]

    cancel = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "cancel_order", "reason": "客户取消"}]
    )
    preview = change_request_preview(change_request_id=cancel.pk)
    cancelled = change_request_commit(actor=SYSTEM, change_request_id=cancel.pk)

    assert (preview.total, preview.payment_due, preview.refund_due) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert (cancelled.status, cancelled.revision) == ("cancelled", 3)
    assert StockLevel.objects.get(sku=shop.tshirt).reserved == 0
    with pytest.raises(OrderNotAmendable):
        change_request_stage(
            actor=SYSTEM, order_id=order.pk, operations=[{"op": "remove_line", "line_number": 1}]
        )


def test_a_new_address_on_the_blacklist_puts_the_confirmed_order_on_hold(shop):
    order = place(shop)
    blacklist_add(actor=SYSTEM, kind="address", value=NEW_ADDRESS)
    change = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "set_shipping_address", "address": NEW_ADDRESS}]
    )
    preview = change_request_preview(change_request_id=change.pk)

    amended = change_request_commit(actor=SYSTEM, change_request_id=change.pk)

    assert [c["reason"] for c in preview.failing_checks] == ["blacklisted"]
    assert (amended.status, amended.held_from, amended.shipping_address["street"]) == (
        "on_hold",
        "confirmed",
        "世纪大道100号",
    )
    assert amended.hold_reasons == [{"reason": "blacklisted", "params": {"entries": "address"}}]


def test_a_discarded_request_cannot_be_committed(shop):
    order = place(shop)
    with pytest.raises(AmendmentRefused):  # the last line
        change_request_stage(
            actor=SYSTEM, order_id=order.pk, operations=[{"op": "remove_line", "line_number": 1}]
        )
    change = change_request_stage(
        actor=SYSTEM, order_id=order.pk, operations=[{"op": "set_quantity", "line_number": 1, "quantity": 1}]
    )
    change_request_discard(actor=SYSTEM, change_request_id=change.pk)

    with pytest.raises(ChangeRequestClosed):
        change_request_commit(actor=SYSTEM, change_request_id=change.pk)
    assert change_request_preview(change_request_id=change.pk) is None
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="x")


# HTTP ---------------------------------------------------------------------------------------------


def test_the_api_stages_previews_and_commits_with_if_match(api_as, shop):
    clerk = api_as("order_clerk")
    order = place(shop)

    staged = clerk.post(
        f"/orders/{order.pk}/changes",
        {"operations": [{"op": "set_quantity", "line_number": 1, "quantity": 4}], "note": "改数量"},
        headers={"Idempotency-Key": "chg-1"},
    )
    assert staged.status_code == 201, staged.content
    body = staged.json()
    assert (body["status"], body["preview"]["total"], body["preview"]["stock"]) == (
        "staged",
        "396.00",
        [{"sku": "TEE-BLK-M", "reserve": 4, "release": 2, "is_coverable": True}],
    )
    version = Order.objects.get(pk=order.pk).version
    stale = clerk.post(f"/orders/changes/{body['id']}/commit", headers={"If-Match": f'"{version - 1}"'})
    committed = clerk.post(f"/orders/changes/{body['id']}/commit", headers={"If-Match": f'"{version}"'})
    revisions = clerk.get(f"/orders/{order.pk}/revisions")

    assert (stale.status_code, committed.status_code) == (412, 200)
    assert (committed.json()["total"], committed.json()["lines"][0]["quantity"]) == ("396.00", 4)
    assert [(r["revision"], r["snapshot"]["total"]) for r in revisions.json()] == [
        (1, "198.00"),
        (2, "396.00"),
    ]
    assert clerk.get(f"/orders/changes/{body['id']}").json()["preview"] is None


def test_the_api_refuses_bad_changes_with_4xx_and_changes_nothing(api_as, shop):
    clerk = api_as("order_clerk")
    order = place(shop)
    before = state(order)

    unknown = clerk.post(
        f"/orders/{order.pk}/changes", {"operations": [{"op": "remove_line", "line_number": 9}]}
    )
    bad_op = clerk.post(f"/orders/{order.pk}/changes", {"operations": [{"op": "explode"}]})
    price = clerk.post(
        f"/orders/{order.pk}/changes",
        {"operations": [{"op": "set_price", "line_number": 1, "unit_price": "1"}]},
    )
    sku = clerk.post(
        f"/orders/{order.pk}/changes", {"operations": [{"op": "add_line", "sku": "NOPE", "quantity": 1}]}
    )
    missing = clerk.post("/orders/999999/changes", {"operations": [{"op": "remove_line", "line_number": 1}]})

    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown_line")
    assert (bad_op.status_code, price.status_code, sku.status_code, missing.status_code) == (
        422,
        403,
        422,
        404,
    )
    assert state(order) == before


def test_a_change_to_amounts_the_order_cannot_hold_is_refused_before_it_is_staged(shop):
    from dingdan.orders.exceptions import InvalidOrder

    order = place(shop)
    before = state(order)

    with pytest.raises(InvalidOrder):
        change_request_stage(
            actor=SYSTEM,
            order_id=order.pk,
            operations=[
                {"op": "set_quantity", "line_number": 1, "quantity": 100_000},
                {"op": "set_price", "line_number": 1, "unit_price": "9999999999.99"},
            ],
            may_set_prices=True,
        )

    assert OrderChangeRequest.objects.count() == 0
    assert state(order) == before
