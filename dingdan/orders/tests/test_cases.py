"""Exception cases: open, assign, note, resolve (stock shortages through the offered
options), cancel; over the services and over HTTP, with the queries a list costs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import PreconditionFailed, ValidationFailed
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.inventory.models import Reservation, StockLevel
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.inventory.tests.factories import WarehouseFactory
from dingdan.orders import providers, selectors
from dingdan.orders.exceptions import (
    ExceptionCaseNotFound,
    InvalidExceptionTransition,
    OrderNotFound,
    ShortageOptionUnavailable,
)
from dingdan.orders.models import ExceptionCase, ExceptionNote, Order, OrderRevision, SkuSubstitute
from dingdan.orders.services import (
    LineRequest,
    OrderRequest,
    exception_assign,
    exception_cancel,
    exception_note_add,
    exception_open,
    exception_resolve,
    order_create,
)
from dingdan.orders.services.shortage import register_builtin_options

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_options_only():
    """Only the options orders provides (other contexts register theirs at app start)."""
    registered = providers.shortage_providers()
    providers._shortage.clear()
    register_builtin_options()
    yield
    providers._shortage.clear()
    providers._shortage.update(registered)


def place(shop, *lines):
    request = OrderRequest(
        channel_id=shop.channel.pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=code, quantity=qty) for code, qty in lines),
    )
    return order_create(actor=SYSTEM, request=request)


def case_rows():
    return (
        ExceptionCase.objects.count(),
        ExceptionNote.objects.count(),
        AuditEntry.objects.filter(aggregate_type="exception_case").count(),
        OutboxEvent.objects.filter(type__startswith="exception.").count(),
    )


def test_opening_a_case_records_owner_role_due_time_note_audit_and_event(shop):
    order = place(shop, ("TEE-BLK-M", 1))
    before = timezone.now()

    case = exception_open(
        order_id=order.pk, kind="address_problem", actor=SYSTEM, note="门牌号不清", facts={"carrier": "SF"}
    )

    case.refresh_from_db()
    assert (case.status, case.owner_role, case.line_number, case.facts) == (
        "open",
        "customer_service",
        None,
        {"carrier": "SF"},
    )
    assert before + dt.timedelta(hours=8) <= case.due_at <= timezone.now() + dt.timedelta(hours=8)
    assert [(n.by, n.text) for n in case.notes.all()] == [("system", "门牌号不清")]
    assert case_rows() == (1, 1, 1, 1)
    event = OutboxEvent.objects.get(type="exception.opened")
    assert (event.data["order_number"], event.data["kind"], event.data["status"]) == (
        order.number,
        "address_problem",
        "open",
    )


def test_opening_a_case_with_a_bad_kind_line_or_role_changes_nothing(shop):
    order = place(shop, ("TEE-BLK-M", 1))

    with pytest.raises(ValidationFailed) as error:
        exception_open(order_id=order.pk, kind="flood", actor=SYSTEM, line_number=7, owner_role="boss")

    assert {e["field"]: e["code"] for e in error.value.errors} == {
        "kind": "invalid_kind",
        "line_number": "unknown_line",
        "owner_role": "unknown_role",
    }
    with pytest.raises(OrderNotFound):
        exception_open(order_id=order.pk + 99, kind="other", actor=SYSTEM)
    assert case_rows() == (0, 0, 0, 0)


def test_assigning_notes_and_resolving_a_case_moves_it_through_its_states(shop, make_user):
    order = place(shop, ("TEE-BLK-M", 1))
    colleague = make_user("finance")
    case = exception_open(order_id=order.pk, kind="payment_problem", actor=SYSTEM)
    due = timezone.now() + dt.timedelta(hours=2)

    exception_assign(case_id=case.pk, actor=SYSTEM, owner_id=colleague.pk, due_at=due, expected_version=1)
    exception_note_add(case_id=case.pk, text="已联系客户", actor=SYSTEM)
    exception_resolve(case_id=case.pk, resolution="paid_late", note="客户已付款", actor=SYSTEM)

    case.refresh_from_db()
    assert (case.status, case.owner_id, case.owner_role, case.due_at, case.resolution) == (
        "resolved",
        colleague.pk,
        "finance",
        due,
        "paid_late",
    )
    assert (case.resolution_note, case.version, case.closed_at is not None) == ("客户已付款", 4, True)
    actions = list(
        AuditEntry.objects.filter(aggregate_type="exception_case")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["opened", "assigned", "noted", "resolved"]
    assert list(
        OutboxEvent.objects.filter(type__startswith="exception.")
        .order_by("pk")
        .values_list("type", flat=True)
    ) == [
        "exception.opened",
        "exception.assigned",
        "exception.resolved",
    ]


def test_a_closed_case_refuses_further_actions_and_a_stale_version_is_refused(shop):
    order = place(shop, ("TEE-BLK-M", 1))
    case = exception_open(order_id=order.pk, kind="other", actor=SYSTEM)
    with pytest.raises(PreconditionFailed):
        exception_assign(case_id=case.pk, actor=SYSTEM, owner_role="manager", expected_version=9)
    exception_cancel(case_id=case.pk, reason="opened in error", actor=SYSTEM)
    rows = case_rows()

    for action in (
        lambda: exception_assign(case_id=case.pk, actor=SYSTEM, owner_role="manager"),
        lambda: exception_note_add(case_id=case.pk, text="late", actor=SYSTEM),
        lambda: exception_resolve(case_id=case.pk, resolution="fixed", actor=SYSTEM),
    ):
        with pytest.raises(InvalidExceptionTransition):
            action()

    with pytest.raises(ExceptionCaseNotFound):
        exception_resolve(case_id=case.pk + 99, resolution="fixed", actor=SYSTEM)
    case.refresh_from_db()
    assert (case.status, case.owner_role, case.version) == ("cancelled", "", 2)
    assert case_rows() == rows


# Stock shortages -----------------------------------------------------------------------------


def short_order(shop, quantity=5):
    """MUG-01 has 3 in stock: a line of 5 reserves nothing and is short by 5."""
    order = place(shop, ("TEE-BLK-M", 1), ("MUG-01", quantity))
    order.refresh_from_db()
    assert order.status == "on_hold"
    return order


def test_a_shortage_case_records_the_lines_facts_and_offers_the_options_that_apply(shop):
    order = short_order(shop)
    SkuSubstitute.objects.create(sku=shop.mug, substitute=shop.tshirt, rank=1)

    case = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)

    assert {k: case.facts[k] for k in ("sku_code", "quantity", "short_quantity", "line_number")} == {
        "sku_code": "MUG-01",
        "quantity": 5,
        "short_quantity": 5,
        "line_number": 2,
    }
    assert case.facts["warehouse_ids"] == [shop.warehouse.pk]
    options = selectors.exception_options(selectors.exception_get(case_id=case.pk))
    assert [(o["code"], o["details"]) for o in options] == [
        ("wait_for_stock", {"backorder_quantity": 5, "inbound_quantity": None, "inbound_date": None}),
        ("substitute", {"sku_id": shop.tshirt.pk, "sku_code": "TEE-BLK-M", "available": 9}),
        ("reduce_quantity", {"quantity": 3, "warehouse_id": shop.warehouse.pk}),
        ("cancel_line", {"quantity": 5}),
    ]
    assert options[2]["label"] == "Reduce the quantity to 3"


def test_reducing_the_quantity_reserves_what_is_there_reprices_and_keeps_a_revision(shop):
    order = short_order(shop)
    case = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)

    exception_resolve(case_id=case.pk, resolution="reduce_quantity", actor=SYSTEM)

    order.refresh_from_db()
    line = order.lines.get(line_number=2)
    assert (line.quantity, line.backorder_quantity, line.subtotal) == (3, 0, Decimal("106.50"))
    assert (order.total, order.revision) == (Decimal("205.50"), 2)
    assert StockLevel.objects.get(sku=shop.mug).reserved == 3
    assert list(OrderRevision.objects.filter(order=order).values_list("revision", flat=True)) == [1, 2]
    assert OrderRevision.objects.get(order=order, revision=1).snapshot["total"] == "276.50"
    assert OutboxEvent.objects.filter(type="order.amended").count() == 1
    case.refresh_from_db()
    assert (case.status, case.resolution, case.facts["resolution"]["option"]) == (
        "resolved",
        "reduce_quantity",
        "reduce_quantity",
    )


def test_substituting_swaps_the_sku_and_reserves_it(shop):
    order = short_order(shop, quantity=4)
    SkuSubstitute.objects.create(sku=shop.mug, substitute=shop.tshirt, rank=1)
    case = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)

    exception_resolve(case_id=case.pk, resolution="substitute", actor=SYSTEM)

    line = order.lines.get(line_number=2)
    assert (line.sku_id, line.sku_code, line.quantity, line.unit_price, line.backorder_quantity) == (
        shop.tshirt.pk,
        "TEE-BLK-M",
        4,
        Decimal("99.00"),
        0,
    )
    assert StockLevel.objects.get(sku=shop.tshirt).reserved == 5


def test_cancelling_the_short_line_drops_it_and_waiting_keeps_the_backorder(shop):
    order = short_order(shop)
    other = short_order(shop)
    cancel = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)
    wait = exception_open(order_id=other.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)

    exception_resolve(case_id=cancel.pk, resolution="cancel_line", actor=SYSTEM)
    exception_resolve(case_id=wait.pk, resolution="wait_for_stock", actor=SYSTEM)

    order.refresh_from_db()
    assert list(order.lines.values_list("line_number", "sku_code")) == [(1, "TEE-BLK-M")]
    assert order.total == Decimal("99.00")
    assert other.lines.get(line_number=2).backorder_quantity == 5


def test_an_option_that_no_longer_applies_is_refused_and_nothing_changes(shop):
    order = short_order(shop)
    case = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)
    place(shop, ("MUG-01", 3))  # takes the last mugs: nothing left to reduce to
    reserved = list(Reservation.objects.values_list("pk", "status"))

    with pytest.raises(ShortageOptionUnavailable):
        exception_resolve(case_id=case.pk, resolution="reduce_quantity", actor=SYSTEM)

    case.refresh_from_db()
    assert (case.status, case.version) == ("open", 1)
    assert order.lines.get(line_number=2).quantity == 5
    assert list(Reservation.objects.values_list("pk", "status")) == reserved


class AnotherWarehouse:
    """A provider as fulfilment registers it: offers a second warehouse, carried out in the
    caller's transaction."""

    def offer(self, facts):
        return providers.ShortageOption("other_warehouse", "Take it from bj", {"warehouse": "bj"})

    def carry_out(self, facts, *, option, actor):
        Order.objects.filter(pk=facts.order_id).update(internal_note=f"from {option.details['warehouse']}")


def test_a_registered_provider_is_offered_and_carried_out_in_the_same_transaction(shop):
    order = short_order(shop)
    case = exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)
    providers.register_shortage_option("other_warehouse", AnotherWarehouse())

    codes = [o["code"] for o in selectors.exception_options(selectors.exception_get(case_id=case.pk))]
    exception_resolve(case_id=case.pk, resolution="other_warehouse", actor=SYSTEM)

    assert codes[-1] == "other_warehouse"
    order.refresh_from_db()
    assert order.internal_note == "from bj"


def test_a_second_warehouse_with_stock_lets_a_reduction_use_it(shop):
    WarehouseFactory(code="bj")
    order = short_order(shop, quantity=4)
    options = selectors.exception_options(
        exception_open(order_id=order.pk, kind="stock_shortage", line_number=2, actor=SYSTEM)
    )
    assert [o["code"] for o in options] == ["wait_for_stock", "reduce_quantity", "cancel_line"]
    stock_receive(
        actor=SYSTEM, warehouse_id=shop.warehouse.pk, lines=[StockLine(shop.mug.pk, 1)], reference="r"
    )
    assert [o["code"] for o in selectors.exception_options(ExceptionCase.objects.get())] == [
        "wait_for_stock",
        "cancel_line",
    ]


# HTTP ---------------------------------------------------------------------------------------------


def test_the_api_opens_assigns_notes_and_resolves_a_case_with_if_match(api_as, shop, make_user):
    clerk = api_as("order_clerk")
    order = short_order(shop)
    colleague = make_user("warehouse")

    opened = clerk.post(
        "/orders/exceptions",
        {"order_id": order.pk, "kind": "stock_shortage", "line_number": 2, "note": "缺货"},
        headers={"Idempotency-Key": "case-1"},
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["status"], body["order_number"], body["owner_role"], opened["ETag"]) == (
        "open",
        order.number,
        "order_clerk",
        '"1"',
    )
    assert [o["code"] for o in body["options"]] == ["wait_for_stock", "reduce_quantity", "cancel_line"]
    assert [n["text"] for n in body["notes"]] == ["缺货"]
    path = f"/orders/exceptions/{body['id']}"

    stale = clerk.post(f"{path}/assign", {"owner_id": colleague.pk}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assigned = clerk.post(f"{path}/assign", {"owner_id": colleague.pk}, headers={"If-Match": '"1"'})
    assert (assigned.status_code, assigned.json()["owner"], assigned.json()["status"]) == (
        200,
        colleague.username,
        "in_progress",
    )
    noted = clerk.post(f"{path}/notes", {"text": "问过仓库"})
    assert (noted.status_code, [n["text"] for n in noted.json()["notes"]]) == (201, ["缺货", "问过仓库"])
    resolved = clerk.post(f"{path}/resolve", {"resolution": "reduce_quantity"}, headers={"If-Match": '"3"'})
    assert resolved.status_code == 200, resolved.content
    assert (resolved.json()["status"], resolved.json()["options"]) == ("resolved", [])


def test_the_api_refuses_bad_input_and_roles_without_the_scope(api_as, shop):
    order = short_order(shop)
    clerk, purchasing = api_as("order_clerk"), api_as("purchasing")

    forbidden = purchasing.post("/orders/exceptions", {"order_id": order.pk, "kind": "other"})
    bad = clerk.post("/orders/exceptions", {"order_id": order.pk, "kind": "stock_shortage"})
    missing = clerk.post("/orders/exceptions", {"order_id": order.pk + 50, "kind": "other"})
    unknown_option = clerk.post(
        "/orders/exceptions", {"order_id": order.pk, "kind": "stock_shortage", "line_number": 2}
    )
    case_id = unknown_option.json()["id"]
    refused = clerk.post(f"/orders/exceptions/{case_id}/resolve", {"resolution": "substitute"})

    assert (forbidden.status_code, bad.status_code, missing.status_code) == (403, 422, 404)
    assert bad.json()["errors"][0]["code"] == "required"
    assert (refused.status_code, refused.json()["code"]) == (409, "shortage_option_unavailable")
    assert ExceptionCase.objects.get().status == "open"


def test_listing_cases_filters_flags_overdue_and_costs_a_fixed_number_of_queries(
    api_as, shop, django_assert_max_num_queries
):
    order = place(shop, ("TEE-BLK-M", 1))
    past = timezone.now() - dt.timedelta(hours=1)
    for index in range(6):
        exception_open(
            order_id=order.pk,
            kind="other" if index % 2 else "damaged_goods",
            actor=SYSTEM,
            due_at=past if index < 2 else None,
        )
    reader = api_as("purchasing")

    with django_assert_max_num_queries(6):
        response = reader.get("/orders/exceptions", limit=4)
    overdue = reader.get("/orders/exceptions", is_overdue="true")
    damaged = reader.get("/orders/exceptions", kind="damaged_goods")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 4
    assert response.json()["next"] is not None
    assert [c["is_overdue"] for c in overdue.json()["items"]] == [True, True]
    assert len(damaged.json()["items"]) == 3
