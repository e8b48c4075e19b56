"""The review: checks that need facts (blacklist, credit, duplicates), channel check
settings, the review queue (order, owner, due time, reasons), override approval,
classification; over the services and over HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dingdan.channels.services import channel_update
from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.orders import checks, selectors
from dingdan.orders.models import CheckSetting, Order, OrderCheckResult
from dingdan.orders.services import (
    LineRequest,
    OrderRequest,
    blacklist_add,
    blacklist_remove,
    change_request_commit,
    change_request_stage,
    check_setting_set,
    order_approve,
    order_classify,
    order_create,
    order_hold,
)

pytestmark = pytest.mark.django_db


def place(shop, *lines, channel=None, customer=None, priority="normal"):
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=(customer or shop.customer).pk,
        lines=tuple(LineRequest(sku_code=code, quantity=qty) for code, qty in lines or [("TEE-BLK-M", 1)]),
        priority=priority,
    )
    order = order_create(actor=SYSTEM, request=request)
    order.refresh_from_db()
    return order


def outcome(order, check):
    return next(
        (c["outcome"], c["reason"]) for c in selectors.latest_check_results(order) if c["check"] == check
    )


# Checks with facts --------------------------------------------------------------------------


def test_a_blacklisted_phone_address_or_customer_holds_the_order_and_a_removed_entry_does_not(shop):
    entry = blacklist_add(actor=SYSTEM, kind="phone", value="+86 138-1234-5678", reason="拒收多次")
    held = place(shop)
    blacklist_remove(actor=SYSTEM, entry_id=entry.pk)
    blacklist_add(actor=SYSTEM, kind="address", value=SHENZHEN)
    by_address = place(shop, ("MUG-01", 1))
    blacklist_add(actor=SYSTEM, kind="customer", value=str(shop.customer.pk))

    assert entry.value == "13812345678"
    assert (held.status, held.hold_reasons) == (
        "on_hold",
        [{"reason": "blacklisted", "params": {"entries": "phone"}}],
    )
    assert by_address.hold_reasons == [{"reason": "blacklisted", "params": {"entries": "address"}}]
    assert place(shop, ("TEE-BLK-M", 2)).hold_reasons == [
        {"reason": "blacklisted", "params": {"entries": "address, customer"}}
    ]


def test_a_bad_blacklist_value_is_refused(shop):
    with pytest.raises(ValidationFailed):
        blacklist_add(actor=SYSTEM, kind="customer", value="张三")
    with pytest.raises(ValidationFailed):
        blacklist_add(actor=SYSTEM, kind="email", value="not-an-address")


@pytest.fixture
def default_exposure():
    """Orders' own exposure (open unpaid orders), whatever billing registered."""
    from dingdan.orders import providers

    registered = providers._exposure[0]
    providers._exposure[0] = providers._no_provider
    yield
    providers._exposure[0] = registered


def test_credit_counts_open_unpaid_orders_and_holds_the_order_that_passes_the_limit(shop, default_exposure):
    customer = CustomerFactory(addresses=[SHENZHEN], credit_limit=Decimal("250.00"))
    first = place(shop, ("TEE-BLK-M", 2), channel=shop.review_channel, customer=customer)
    second = place(shop, ("TEE-BLK-M", 1), channel=shop.review_channel, customer=customer)

    assert (first.status, first.total, outcome(first, "credit")) == (
        "pending_review",
        Decimal("198.00"),
        ("pass", ""),
    )
    assert second.status == "on_hold"
    assert second.hold_reasons == [
        {
            "reason": "credit_limit_exceeded",
            "params": {"exposure": "198.00", "total": "99.00", "limit": "250.00"},
        }
    ]
    assert selectors.credit_exposure(customer_id=customer.pk) == Decimal("297.00")


def test_a_registered_exposure_provider_replaces_the_default(shop, default_exposure):
    from dingdan.orders import providers

    customer = CustomerFactory(addresses=[SHENZHEN], credit_limit=Decimal("300.00"))
    providers.register_credit_exposure_provider(lambda customer_id: Decimal("250"))
    order = place(shop, ("TEE-BLK-M", 1), channel=shop.review_channel, customer=customer)

    assert order.hold_reasons[0]["params"]["exposure"] == "250.00"


def test_a_repeated_order_warns_and_a_channel_can_make_the_duplicate_check_fail(shop):
    first = place(shop)
    warned = place(shop)
    check_setting_set(actor=SYSTEM, channel_id=shop.channel.pk, check_code="duplicate", severity="fail")
    held = place(shop)

    assert (first.status, outcome(first, "duplicate")) == ("confirmed", ("pass", ""))
    assert (warned.status, outcome(warned, "duplicate")) == ("confirmed", ("warn", "possible_duplicate"))
    assert held.status == "on_hold"
    assert held.hold_reasons == [
        {"reason": "possible_duplicate", "params": {"numbers": f"{warned.number}, {first.number}"}}
    ] or held.hold_reasons == [
        {"reason": "possible_duplicate", "params": {"numbers": f"{first.number}, {warned.number}"}}
    ]


def test_only_an_order_with_the_same_lines_is_a_duplicate_among_the_customers_recent_orders(shop):
    # The facts read only orders that contain the order's first SKU: those with it but other
    # quantities or more lines, and those without it, are no duplicates; the same lines are.
    place(shop, ("MUG-01", 1))  # the first SKU (by code) of the order below, another quantity
    place(shop, ("MUG-01", 2), ("TEE-BLK-M", 1), ("RARE-01", 1))  # one line more
    place(shop, ("TEE-BLK-M", 1))  # without the first SKU
    same = place(shop, ("TEE-BLK-M", 1), ("MUG-01", 1), ("MUG-01", 1))  # the same lines, split

    repeated = place(shop, ("MUG-01", 2), ("TEE-BLK-M", 1))

    assert outcome(repeated, "duplicate") == ("warn", "possible_duplicate")
    assert OrderCheckResult.objects.get(order=repeated, check_code="duplicate").params == {
        "numbers": same.number
    }


def test_the_duplicate_check_reads_only_orders_with_the_same_lines_digest_or_none(shop):
    # The digest is kept per order; orders placed before it was kept (digest "") are still
    # compared line by line, and a digest that matches is checked against the lines.
    same = place(shop, ("MUG-01", 1), ("TEE-BLK-M", 2))
    legacy = place(shop, ("TEE-BLK-M", 1), ("MUG-01", 1), ("TEE-BLK-M", 1))
    Order.objects.filter(pk=legacy.pk).update(lines_digest="")
    colliding = place(shop, ("RARE-01", 1))
    Order.objects.filter(pk=colliding.pk).update(lines_digest=same.lines_digest)

    repeated = place(shop, ("TEE-BLK-M", 2), ("MUG-01", 1))

    assert (
        same.lines_digest == repeated.lines_digest == checks.lines_digest([("MUG-01", 1), ("TEE-BLK-M", 2)])
    )
    assert OrderCheckResult.objects.get(order=repeated, check_code="duplicate").params == {
        "numbers": f"{same.number}, {legacy.number}"
    }


def test_an_order_amended_to_repeat_another_is_its_duplicate(shop):
    first = place(shop, ("TEE-BLK-M", 2))
    amended = place(shop, ("TEE-BLK-M", 1))
    change = change_request_stage(
        actor=SYSTEM,
        order_id=amended.pk,
        operations=[{"op": "set_quantity", "line_number": 1, "quantity": 2}],
    )
    change_request_commit(actor=SYSTEM, change_request_id=change.pk)

    repeated = place(shop, ("TEE-BLK-M", 2))

    amended.refresh_from_db()
    assert amended.lines_digest == first.lines_digest
    assert OrderCheckResult.objects.get(order=repeated, check_code="duplicate").params == {
        "numbers": f"{first.number}, {amended.number}"
    }


def test_a_disabled_check_does_not_run_and_bad_settings_change_nothing(shop):
    check_setting_set(actor=SYSTEM, channel_id=shop.channel.pk, check_code="blacklist", is_enabled=False)
    blacklist_add(actor=SYSTEM, kind="customer", value=str(shop.customer.pk))

    order = place(shop)

    assert order.status == "confirmed"
    assert "blacklist" not in [c["check"] for c in selectors.latest_check_results(order)]
    with pytest.raises(ValidationFailed) as error:
        check_setting_set(
            actor=SYSTEM,
            channel_id=shop.channel.pk,
            check_code="duplicate",
            params={"window_hours": "x", "y": 1},
        )
    assert {e["field"]: e["code"] for e in error.value.errors} == {
        "params.window_hours": "invalid",
        "params.y": "unknown_parameter",
    }
    assert list(CheckSetting.objects.values_list("check_code", "is_enabled", "params")) == [
        ("blacklist", False, {})
    ]


# Queue, classification, override ----------------------------------------------------------------


def test_an_order_waiting_for_review_is_due_within_the_channels_review_sla(shop):
    channel_update(channel=shop.review_channel, actor=SYSTEM, review_sla_hours=6)
    order = place(shop, channel=shop.review_channel)

    assert order.status == "pending_review"
    assert order.review_due_at == order.submitted_at + dt.timedelta(hours=6)
    approved = order_approve(actor=SYSTEM, order_id=order.pk)
    assert approved.review_due_at is None


def test_intake_rules_make_a_wholesale_channels_order_wholesale_and_staff_may_reclassify(shop):
    order = place(shop, channel=shop.review_channel)
    assert (order.type, order.priority, order.customer_grade) == ("wholesale", "normal", "normal")

    order_classify(actor=SYSTEM, order_id=order.pk, priority="urgent", type="custom", note="客户加急")

    order.refresh_from_db()
    assert (order.type, order.priority) == ("custom", "urgent")
    entry = AuditEntry.objects.filter(aggregate_type="order", aggregate_id=str(order.pk)).latest("sequence")
    assert (entry.action, entry.before, entry.note) == (
        "reclassified",
        {"type": "wholesale", "priority": "normal"},
        "客户加急",
    )
    assert OutboxEvent.objects.filter(type="order.reclassified").count() == 1


def test_the_queue_puts_urgent_first_then_vip_then_the_oldest_with_reasons(shop):
    vip = CustomerFactory(addresses=[SHENZHEN], grade="vip")
    old = place(shop, channel=shop.review_channel)
    held = place(shop, ("RARE-01", 1))
    vip_order = place(shop, ("MUG-01", 1), channel=shop.review_channel, customer=vip)
    urgent = place(shop, ("TEE-BLK-M", 3), channel=shop.review_channel, priority="urgent")
    place(shop, ("TEE-BLK-M", 2))  # confirmed: not in the queue

    queue = list(selectors.review_queue(filters=selectors.QueueFilters()).order_by(*selectors.QUEUE_ORDERING))

    assert [o.pk for o in queue] == [urgent.pk, vip_order.pk, old.pk, held.pk]
    assert selectors.queue_reasons(queue[3]) == [
        {"reason": "insufficient_stock", "message": "Not enough stock for RARE-01 (1)."}
    ]
    assert [r["reason"] for r in selectors.queue_reasons(queue[2])] == ["credit_limit_missing"]


def test_approving_a_held_order_needs_the_override_scope_and_a_note(api_as, shop):
    order = place(shop, ("RARE-01", 1))
    reviewer, manager = api_as("reviewer"), api_as("reviewer", "manager")
    path = f"/orders/{order.pk}/approve"

    refused = reviewer.post(path, {"note": "ok"})
    no_note = manager.post(path, {"note": " "})
    approved = manager.post(path, {"note": "客户同意等货"}, headers={"If-Match": f'"{order.version}"'})

    assert (refused.status_code, refused.json()["code"]) == (403, "override_not_allowed")
    assert (no_note.status_code, no_note.json()["code"]) == (422, "override_note_required")
    assert (approved.status_code, approved.json()["status"]) == (200, "confirmed")
    entry = AuditEntry.objects.filter(aggregate_type="order", aggregate_id=str(order.pk)).latest("sequence")
    assert (entry.action, entry.note) == ("overridden", "客户同意等货")


def test_a_manual_hold_is_in_the_queue_and_assigning_sets_owner_and_due_time(api_as, shop, make_user):
    order = order_hold(actor=SYSTEM, order_id=place(shop).pk, reason="核对地址")
    reviewer = api_as("reviewer")
    colleague = make_user("reviewer")
    due = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)

    stale = reviewer.post(
        f"/orders/{order.pk}/assign", {"owner_id": colleague.pk}, headers={"If-Match": '"1"'}
    )
    unknown = reviewer.post(f"/orders/{order.pk}/assign", {"owner_id": colleague.pk + 100})
    assigned = reviewer.post(
        f"/orders/{order.pk}/assign", {"owner_id": colleague.pk, "due_at": due.isoformat()}
    )
    queue = reviewer.get("/orders/review/queue", owner_id=colleague.pk)

    assert (stale.status_code, unknown.status_code, assigned.status_code) == (412, 422, 200)
    [entry] = queue.json()["items"]
    assert (entry["id"], entry["owner"], entry["is_overdue"], entry["status"]) == (
        order.pk,
        colleague.username,
        False,
        "on_hold",
    )
    assert dt.datetime.fromisoformat(entry["due_at"]) == due
    assert entry["reasons"] == [{"reason": "manual_hold", "message": "Put on hold by hand: 核对地址"}]


def test_the_queue_flags_overdue_entries_and_costs_the_same_queries_for_3_or_12(
    api_as, shop, django_assert_max_num_queries
):
    reviewer = api_as("reviewer")
    for _ in range(3):
        place(shop, channel=shop.review_channel)
    Order.objects.update(review_due_at=timezone.now() - dt.timedelta(minutes=1))
    reviewer.get("/orders/review/queue")
    with django_assert_max_num_queries(5):
        three = reviewer.get("/orders/review/queue")
    for _ in range(9):
        place(shop, ("MUG-01", 9))

    with django_assert_max_num_queries(5):
        twelve = reviewer.get("/orders/review/queue", limit=10)
    second = reviewer.get("/orders/review/queue", limit=10, cursor=twelve.json()["next"])
    overdue = reviewer.get("/orders/review/queue", is_overdue="true", limit=200)

    assert [e["is_overdue"] for e in three.json()["items"]] == [True, True, True]
    assert (len(twelve.json()["items"]), len(second.json()["items"])) == (10, 2)
    assert len(overdue.json()["items"]) == 3
    ids = [e["id"] for e in twelve.json()["items"] + second.json()["items"]]
    assert ids == sorted(ids)


def test_check_settings_are_listed_for_everyone_and_changed_only_by_an_administrator(api_as, admin_api, shop):
    reviewer = api_as("reviewer")

    listed = reviewer.get("/orders/review/checks/web")
    refused = reviewer.put("/orders/review/checks/web/duplicate", {"severity": "fail"})
    unknown = admin_api.put("/orders/review/checks/web/astrology", {"is_enabled": False})
    changed = admin_api.put(
        "/orders/review/checks/web/duplicate", {"severity": "fail", "params": {"window_hours": 2}}
    )

    assert [c["check"] for c in listed.json()] == [
        "completeness",
        "address",
        "products",
        "price",
        "stock",
        "credit",
        "duplicate",
        "blacklist",
    ]
    assert (refused.status_code, unknown.status_code, changed.status_code) == (403, 404, 200)
    duplicate = next(c for c in changed.json() if c["check"] == "duplicate")
    assert duplicate == {
        "check": "duplicate",
        "label": "Duplicate order",
        "is_enabled": True,
        "severity": "fail",
        "params": {"window_hours": 2},
    }
    assert AuditEntry.objects.filter(aggregate_type="check_setting").count() == 1


def test_the_blacklist_api_adds_lists_and_removes_entries(admin_api, api_as, shop):
    added = admin_api.post("/orders/review/blacklist", {"kind": "email", "value": " Bad@Example.com "})
    by_address = admin_api.post("/orders/review/blacklist", {"kind": "address", "address": SHENZHEN})
    removed = admin_api.post(f"/orders/review/blacklist/{added.json()['id']}/remove")
    listed = admin_api.get("/orders/review/blacklist", is_active="true")

    assert (added.status_code, added.json()["value"]) == (201, "bad@example.com")
    assert by_address.json()["value"] == "广东省深圳市南山区科技园路1号"
    assert removed.json()["is_active"] is False
    assert [e["kind"] for e in listed.json()["items"]] == ["address"]
    assert api_as("reviewer").get("/orders/review/blacklist").status_code == 403
