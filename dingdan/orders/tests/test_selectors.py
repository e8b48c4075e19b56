"""Reads of the orders context: list filters, the detail's parts and what each costs."""

import itertools
from typing import Any

import pytest
from django.utils import timezone, translation

from dingdan.core.actors import SYSTEM
from dingdan.orders import domain, selectors
from dingdan.orders.exceptions import OrderNotFound
from dingdan.orders.models import Order
from dingdan.orders.selectors import OrderFilters
from dingdan.orders.services import LineRequest, OrderRequest, order_create, order_hold, order_release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the company default is zh-Hans."""
    with translation.override("en"):
        yield


def place(
    shop: Any, *lines: tuple[str, int], channel: Any = None, submit: bool = True, **fields: Any
) -> Order:
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=sku, quantity=q) for sku, q in lines or [("TEE-BLK-M", 1)]),
        **fields,
    )
    return order_create(actor=SYSTEM, request=request, submit=submit)


def listed(**filters: Any) -> list[int]:
    return list(
        selectors.order_list(filters=OrderFilters(**filters)).order_by("pk").values_list("pk", flat=True)
    )


def test_order_list_filters_combine(shop):
    web = place(shop, external_reference="TB-1")
    held = place(shop, ("RARE-01", 1))
    between = timezone.now()
    b2b = place(shop, channel=shop.review_channel)

    assert listed() == [web.pk, held.pk, b2b.pk]
    assert listed(status="on_hold") == [held.pk]
    assert listed(channel="web") == [web.pk, held.pk]
    assert listed(channel="web", status="confirmed") == [web.pk]
    assert listed(customer_id=shop.customer.pk) == [web.pk, held.pk, b2b.pk]
    assert listed(customer_id=shop.customer.pk + 1) == []
    assert listed(number=" ws") == [b2b.pk]
    assert listed(number=held.number.lower()) == [held.pk]
    assert listed(external_reference="TB-1") == [web.pk]
    assert listed(created_from=between) == [b2b.pk]
    assert listed(created_to=between) == [web.pk, held.pk]


def test_order_get_loads_the_channel_and_the_lines_in_order_in_two_queries(shop, django_assert_num_queries):
    order = place(shop, ("MUG-01", 1), ("TEE-BLK-M", 2))

    with django_assert_num_queries(2):
        loaded = selectors.order_get(order_id=order.pk)
        assert loaded.channel.code == "web"
        assert [(line.line_number, line.sku_code) for line in loaded.lines.all()] == [
            (1, "MUG-01"),
            (2, "TEE-BLK-M"),
        ]


def test_order_get_of_an_unknown_id_raises_order_not_found(shop):
    with pytest.raises(OrderNotFound):
        selectors.order_get(order_id=424242)


def test_the_latest_check_results_are_those_of_the_last_run_in_one_query(shop, django_assert_num_queries):
    order = place(shop, ("MUG-01", 5))
    order_release(actor=SYSTEM, order_id=order.pk)  # still short: a second run, still failing

    with django_assert_num_queries(1):
        results = selectors.latest_check_results(order)

    assert [(r["check"], r["outcome"], r["reason"]) for r in results] == [
        ("completeness", "pass", ""),
        ("address", "pass", ""),
        ("products", "pass", ""),
        ("price", "pass", ""),
        ("stock", "fail", "insufficient_stock"),
        ("credit", "pass", ""),
        ("duplicate", "pass", ""),
        ("blacklist", "pass", ""),
    ]
    assert results[4]["message"] == "Not enough stock for MUG-01 (5)."
    assert order.check_results.count() == 16  # two runs of eight checks


def test_a_draft_has_no_check_results(shop):
    assert selectors.latest_check_results(place(shop, submit=False)) == []


def test_hold_reasons_carry_their_message_and_a_manual_hold_its_note(shop):
    short = place(shop, ("MUG-01", 4))
    manual = order_hold(actor=SYSTEM, order_id=place(shop).pk, reason="客户要求改地址")

    assert selectors.hold_reasons(short) == [
        {"reason": "insufficient_stock", "message": "Not enough stock for MUG-01 (4)."}
    ]
    assert selectors.hold_reasons(manual) == [
        {"reason": "manual_hold", "message": "Put on hold by hand: 客户要求改地址"}
    ]


def test_staff_labels_follow_the_status_and_the_channels_payment_policy(shop):
    prepaid = place(shop)
    on_account = place(shop, channel=shop.review_channel)
    draft = place(shop, submit=False)

    assert selectors.staff_label(prepaid) == "awaiting_payment"
    assert selectors.staff_label(on_account) == "awaiting_review"
    assert selectors.staff_label(draft) == "draft"
    assert selectors.available_actions(draft) == ["submit", "cancel"]


def test_order_reservations_list_each_lines_reservation(shop):
    order = place(shop, ("TEE-BLK-M", 2), ("RARE-01", 1), ("MUG-01", 1))
    loaded = selectors.order_get(order_id=order.pk)
    lines = list(loaded.lines.all())

    reservations = selectors.order_reservations(loaded)

    assert [(int(r.demand_id), r.sku_id, r.warehouse_code, r.quantity, r.status) for r in reservations] == [
        (lines[0].pk, shop.tshirt.pk, "sh", 2, "open"),
        (lines[2].pk, shop.mug.pk, "sh", 1, "open"),
    ]


def test_the_timeline_is_the_orders_audit_trail_in_sequence(shop):
    order = place(shop)
    order_hold(actor=SYSTEM, order_id=order.pk, reason="查一下")

    timeline = selectors.order_timeline(order)

    assert [(entry.sequence, entry.action, entry.actor, entry.note) for entry in timeline] == [
        (1, "created", "system", ""),
        (2, "submitted", "system", ""),
        (3, "held", "system", "查一下"),
    ]


STATUSES = ["draft", "pending_review", "confirmed", "on_hold", "completed", "rejected", "cancelled"]
PAYMENTS = ["unpaid", "authorized", "partially_paid", "paid", "partially_refunded", "refunded"]
FULFILMENTS = ["unfulfilled", "partially_shipped", "shipped", "delivered", "partially_returned", "returned"]


def test_the_label_filter_selects_exactly_the_orders_that_carry_that_staff_label(shop):
    common = {"channel": shop.channel, "customer": shop.customer, "currency": "CNY", "shipping_address": {}}
    rows = [
        Order(
            **common,
            number=f"X{index:05d}",
            status=status,
            payment_status=payment,
            fulfillment_status=fulfilment,
            pay_first=pay_first,
        )
        for index, (status, payment, fulfilment, pay_first) in enumerate(
            itertools.product(STATUSES, PAYMENTS, FULFILMENTS, [True, False])
        )
    ]
    Order.objects.bulk_create(rows)
    everything = list(Order.objects.all())
    assert len(everything) == 504

    for label in domain.StaffLabel:
        selected = set(
            selectors.order_list(filters=OrderFilters(label=label)).values_list("number", flat=True)
        )
        carrying = {order.number for order in everything if selectors.staff_label(order) == label}
        assert selected == carrying, label
        assert carrying, label  # every label is reachable, so the comparison means something


def test_the_label_filter_combines_with_the_others(shop):
    web = place(shop)
    held = place(shop, ("RARE-01", 1))
    b2b = place(shop, channel=shop.review_channel)

    assert listed(label="awaiting_payment") == [web.pk]  # the web shop wants payment first
    assert listed(label="on_hold") == [held.pk]
    assert listed(label="awaiting_review") == [b2b.pk]
    assert listed(label="awaiting_review", channel="web") == []
    assert listed(label="on_hold", status="on_hold", customer_id=shop.customer.pk) == [held.pk]


def test_the_orders_name_their_codes_for_the_interfaces():
    assert {code: str(name) for code, name in selectors.STAFF_LABEL_NAMES.items()} == {
        "draft": "Draft",
        "awaiting_review": "Awaiting review",
        "on_hold": "On hold",
        "awaiting_payment": "Awaiting payment",
        "awaiting_shipment": "Awaiting shipment",
        "shipped": "Shipped",
        "completed": "Completed",
        "cancelled": "Cancelled",
    }
    assert set(selectors.STAFF_LABEL_NAMES) == {label.value for label in domain.StaffLabel}
    assert list(selectors.STATUS_NAMES) == [status.value for status in domain.Status]
    assert {code: str(name) for code, name in selectors.TYPE_NAMES.items()} == {
        "normal": "Normal",
        "wholesale": "Wholesale",
        "custom": "Custom",
    }
    assert {code: str(name) for code, name in selectors.PRIORITY_NAMES.items()} == {
        "normal": "Normal",
        "urgent": "Urgent",
    }
    assert {code: str(name) for code, name in selectors.CHECK_OUTCOME_NAMES.items()} == {
        "pass": "Pass",
        "warn": "Warning",
        "fail": "Fail",
    }


def test_creation_times_of_more_orders_than_a_statement_takes_parameters(shop):
    # 70,000 ids: more than the 65,535 parameters PostgreSQL binds in one statement (the
    # reports' in-flight days ask for every order whose events wait, however many).
    order = place(shop)
    ids = [*range(order.pk + 1, order.pk + 70_000), order.pk]

    assert selectors.order_created_times(order_ids=ids) == {order.pk: order.created_at}
