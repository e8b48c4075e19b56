import io

import pytest
from openpyxl import load_workbook

from dingdan.backoffice.models import SavedView
from dingdan.core.models import AuditEntry, PersonalDataAccess
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.orders.models import Order


def _numbers(response):
    return [row.order.number for row in response.context["rows"]]


def test_the_list_filters_by_the_staff_label(staff, place, shop):
    waiting = place(channel=shop.review_channel)
    confirmed = place()
    client = staff("order_clerk")

    review = client.get("/app/orders/", {"label": "awaiting_review"})
    shipment = client.get("/app/orders/", {"label": "awaiting_shipment"})
    payment = client.get("/app/orders/", {"label": "awaiting_payment"})

    assert _numbers(review) == [waiting.number]
    assert _numbers(shipment) == []  # web orders are prepaid: confirmed and unpaid waits for payment
    assert _numbers(payment) == [confirmed.number]
    assert "Awaiting payment" in payment.content.decode()


def test_the_list_finds_an_order_by_the_customers_phone_number_name_or_the_order_number(staff, place, shop):
    other = CustomerFactory(name="李娜", phone="+8613900001111", addresses=[SHENZHEN])
    mine = place(customer=other)
    place()
    client = staff("order_clerk")

    assert _numbers(client.get("/app/orders/", {"q": "139 0000 1111"})) == [mine.number]
    assert _numbers(client.get("/app/orders/", {"q": "李娜"})) == [mine.number]
    assert _numbers(client.get("/app/orders/", {"q": mine.number.lower()})) == [mine.number]


def test_staff_without_personal_data_cannot_find_orders_by_phone(staff, place, shop):
    other = CustomerFactory(name="李娜", phone="+8613900001111", addresses=[SHENZHEN])
    place(customer=other)

    response = staff("warehouse").get("/app/orders/", {"q": "13900001111"})

    assert _numbers(response) == []


def test_the_list_filters_by_channel_type_priority_customer_and_dates(staff, place, shop):
    urgent = place(channel=shop.review_channel, priority="urgent", type="wholesale")
    place()
    client = staff("order_clerk")
    today = urgent.created_at.date().isoformat()

    filters = {"channel": "b2b", "type": "wholesale", "priority": "urgent", "customer": shop.customer.pk}
    assert _numbers(
        client.get("/app/orders/", {**filters, "date_from": "2000-01-01", "date_to": "2999-01-01"})
    ) == [urgent.number]
    assert _numbers(client.get("/app/orders/", {"date_to": "2000-01-01"})) == []
    assert len(_numbers(client.get("/app/orders/", {"date_from": today}))) >= 1


def test_a_bad_filter_shows_the_error_beside_the_field_and_keeps_the_rest(staff, place):
    place()

    response = staff("order_clerk").get("/app/orders/", {"date_from": "not-a-date", "q": "SO"})

    assert response.status_code == 200
    assert response.context["form"].errors["date_from"] == ["Enter a valid date."]
    assert 'value="SO"' in response.content.decode()


def test_the_list_pages_by_keyset_cursor_without_repeating_rows(staff, place, monkeypatch):
    monkeypatch.setattr("dingdan.backoffice.views.orders.PAGE_SIZE", 2)
    placed = [place() for _ in range(5)]
    client = staff("order_clerk")

    first = client.get("/app/orders/")
    second = client.get(
        "/app/orders/", {"cursor": first.context["next_cursor"]}, headers={"HX-Request": "true"}
    )
    third = client.get("/app/orders/", {"cursor": second.context["next_cursor"]})

    seen = _numbers(first) + _numbers(second) + _numbers(third)
    assert seen == [order.number for order in reversed(placed)]
    assert third.context["next_cursor"] is None
    assert second.templates[0].name == "backoffice/orders/_rows.html"


def test_the_list_page_costs_the_same_queries_for_3_or_30_orders(
    staff, place, shop, django_assert_num_queries, record_property
):
    client = staff("order_clerk")
    for _ in range(3):
        place()
    client.get("/app/orders/")  # warm the session
    with django_assert_num_queries(8) as few:
        client.get("/app/orders/", {"q": ""})
    for index in range(27):
        place(customer=CustomerFactory(addresses=[SHENZHEN]) if index % 3 == 0 else None)
    with django_assert_num_queries(8) as many:
        response = client.get("/app/orders/", {"q": ""})
    assert len(response.context["rows"]) == 30
    many_count, few_count = len(many.captured_queries), len(few.captured_queries)
    figure = f"order list page: {many_count} queries for 30 orders ({few_count} for 3)"
    print(figure)
    record_property("figures", figure)


def test_a_role_without_orders_read_is_refused_the_list_and_the_detail(staff, place):
    order = place()
    client = staff()

    assert client.get("/app/orders/").status_code == 403
    assert client.get(f"/app/orders/{order.pk}/").status_code == 403


def test_the_detail_shows_statuses_lines_checks_and_the_timeline(staff, place, shop):
    order = place(channel=shop.review_channel, lines={"TEE-BLK-M": 2, "RARE-01": 1})
    client = staff("order_clerk")

    response = client.get(f"/app/orders/{order.pk}/")
    body = response.content.decode()

    detail = response.context["detail"]
    assert [
        (v.line.sku_code, v.line.quantity, v.reserved, v.line.backorder_quantity) for v in detail.lines
    ] == [
        ("TEE-BLK-M", 2, 2, 0),
        ("RARE-01", 1, 0, 1),
    ]
    assert detail.staff_label == "on_hold"
    assert "Not enough stock for RARE-01" in body
    assert [entry.action for entry in detail.timeline] == ["created", "submitted"]
    assert "科技园路1号" in body
    assert "13812345678" in body
    assert [name for name, _label, _reason in response.context["actions"]] == ["cancel"]
    assert PersonalDataAccess.objects.filter(purpose="backoffice.order_detail").count() == 1


def test_the_detail_masks_addresses_for_roles_without_personal_data_and_logs_no_read(staff, place):
    order = place()

    response = staff("warehouse").get(f"/app/orders/{order.pk}/")
    body = response.content.decode()

    assert "科技园路1号" not in body
    assert "13812345678" not in body
    assert response.context["actions"] == []
    assert not PersonalDataAccess.objects.filter(purpose="backoffice.order_detail").exists()


def test_the_detail_costs_the_same_queries_for_one_line_or_ten(
    staff, place, shop, django_assert_num_queries, record_property
):
    client = staff("reviewer")
    small = place(channel=shop.review_channel)
    large = place(channel=shop.review_channel, lines={"TEE-BLK-M": 1, "MUG-01": 1, "RARE-01": 1})
    client.get(f"/app/orders/{small.pk}/")
    with django_assert_num_queries(16) as one:
        client.get(f"/app/orders/{small.pk}/")
    with django_assert_num_queries(16) as three:
        client.get(f"/app/orders/{large.pk}/")
    figure = (
        f"order detail: {len(three.captured_queries)} queries for 3 lines ({len(one.captured_queries)} for 1)"
    )
    print(figure)
    record_property("figures", figure)


def test_an_unknown_order_is_a_404_page(staff):
    assert staff("order_clerk").get("/app/orders/999999/").status_code == 404


def test_a_reviewer_approves_from_the_detail_and_the_timeline_records_it(staff, place, shop):
    order = place(channel=shop.review_channel)
    client = staff("reviewer")

    response = client.post(f"/app/orders/{order.pk}/approve/", {"reason": "ok", "version": order.version})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert AuditEntry.objects.filter(aggregate_id=str(order.pk), action="approved", note="ok").count() == 1


def test_a_clerk_cannot_approve_even_by_posting_directly(staff, place, shop):
    order = place(channel=shop.review_channel)

    response = staff("order_clerk").post(f"/app/orders/{order.pk}/approve/", {"reason": ""})

    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.status, order.version) == ("pending_review", 2)


def test_a_stale_version_is_refused_with_a_message_and_nothing_changes(staff, place, shop):
    order = place(channel=shop.review_channel)
    client = staff("reviewer")

    response = client.post(f"/app/orders/{order.pk}/approve/", {"version": order.version - 1}, follow=True)

    order.refresh_from_db()
    assert order.status == "pending_review"
    assert "The resource has changed since you read it." in response.content.decode()


def test_hold_needs_a_reason(staff, place, shop):
    order = place(channel=shop.review_channel)

    response = staff("reviewer").post(f"/app/orders/{order.pk}/hold/", {"reason": " "}, follow=True)

    order.refresh_from_db()
    assert order.status == "pending_review"
    assert "Give a reason." in response.content.decode()


def test_bulk_approve_confirms_each_ticked_order_and_reports_the_ones_it_could_not(staff, place, shop):
    first, second = place(channel=shop.review_channel), place(channel=shop.review_channel)
    confirmed = place()

    response = staff("reviewer").post(
        "/app/orders/bulk/", {"action": "approve", "ids": [first.pk, second.pk, confirmed.pk]}, follow=True
    )

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[confirmed.pk]) == ("confirmed",) * 3
    body = response.content.decode()
    assert "Approve: 2 orders." in body
    assert f"{confirmed.pk}: This action is not allowed" in body


def test_bulk_hold_is_refused_to_a_clerk(staff, place, shop):
    order = place(channel=shop.review_channel)

    response = staff("order_clerk").post(
        "/app/orders/bulk/", {"action": "hold", "ids": [order.pk], "reason": "x"}
    )

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "pending_review"


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_excel_export_holds_the_filtered_list_and_escapes_formulas(staff, place, shop):
    evil = CustomerFactory(name='=HYPERLINK("http://x")', addresses=[SHENZHEN])
    mine = place(customer=evil, channel=shop.review_channel)
    place()

    response = staff("order_clerk").get("/app/orders/export.xlsx", {"label": "awaiting_review"})

    rows = _sheet(response)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rows[0][:3] == ["Number", "Created", "Channel"]
    assert len(rows) == 2
    assert rows[1][0] == mine.number
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "Awaiting review"


def test_bulk_export_holds_only_the_ticked_orders(staff, place):
    first, _second = place(), place()

    response = staff("order_clerk").post("/app/orders/bulk/", {"action": "export", "ids": [first.pk]})

    assert [row[0] for row in _sheet(response)[1:]] == [first.number]


def test_saved_views_belong_to_their_user(staff):
    mine, theirs = staff("order_clerk"), staff("order_clerk")

    mine.post("/app/orders/views/", {"name": "Mine first", "query": "priority=urgent&label=on_hold"})
    duplicate = mine.post("/app/orders/views/", {"name": "Mine first", "query": "x=1"}, follow=True)

    view = SavedView.objects.get()
    assert (view.user_id, view.name, view.query) == (
        mine.user.pk,
        "Mine first",
        "priority=urgent&label=on_hold",
    )
    assert "You already have a view with this name." in duplicate.content.decode()
    assert "Mine first" in mine.get("/app/orders/").content.decode()
    assert "Mine first" not in theirs.get("/app/orders/").content.decode()
    assert theirs.post(f"/app/orders/views/{view.pk}/delete/").status_code == 404
    assert mine.post(f"/app/orders/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    "path", ["/app/orders/", "/app/orders/new/", "/app/queues/review/", "/app/inventory/"]
)
def test_every_screen_carries_a_strict_content_security_policy(staff, path):
    response = staff("administrator").get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy


def test_the_detail_shows_payments_and_exception_cases_to_the_roles_that_may_see_them(staff, place):
    from decimal import Decimal

    from dingdan.billing.services import PaymentRequest, payment_record
    from dingdan.core.actors import SYSTEM
    from dingdan.orders.services import exception_open

    order = place(lines={"TEE-BLK-M": 1})
    payment_record(
        actor=SYSTEM,
        order_id=order.pk,
        request=PaymentRequest(method="bank_transfer", amount=Decimal("50.00"), reference="BANK-778"),
    )
    exception_open(order_id=order.pk, kind="address_problem", actor=SYSTEM)

    finance = staff("finance").get(f"/app/orders/{order.pk}/")
    warehouse = staff("warehouse").get(f"/app/orders/{order.pk}/")

    money = finance.context["detail"].money
    assert (money.paid, money.balance_due) == (Decimal("50.00"), Decimal("49.00"))
    assert "BANK-778" in finance.content.decode()
    assert [case.kind for case in finance.context["detail"].cases] == ["address_problem"]
    assert warehouse.context["detail"].money is None
    assert "BANK-778" not in warehouse.content.decode()


def test_the_list_filters_orders_at_risk_and_finds_by_tracking_number_only_when_shipped(staff, place):
    import datetime as dt

    from django.utils import timezone

    late, _on_time = place(), place()
    Order.objects.filter(pk=late.pk).update(promised_date=timezone.localdate() - dt.timedelta(days=2))
    client = staff("order_clerk")

    assert _numbers(client.get("/app/orders/", {"at_risk": "on"})) == [late.number]
    assert _numbers(client.get("/app/orders/", {"q": "SF1234567890123"})) == []


def test_a_shipped_order_is_found_by_tracking_number_and_shows_its_tracking_link(staff, place, shop):
    from decimal import Decimal

    from dingdan.core.actors import SYSTEM
    from dingdan.fulfillment import services as fulfilment
    from dingdan.orders.services import order_approve

    order = place(channel=shop.review_channel, lines={"TEE-BLK-M": 2})
    order_approve(actor=SYSTEM, order_id=order.pk)
    fulfilment.order_source(actor=SYSTEM, order_id=order.pk)
    pick = fulfilment.pick_list_create(actor=SYSTEM, warehouse_id=shop.warehouse.pk, order_ids=[order.pk])
    fulfilment.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
    [package] = fulfilment.packages_create(
        actor=SYSTEM,
        pick_list_id=pick.pk,
        order_id=order.pk,
        packages=[fulfilment.PackageSpec({"TEE-BLK-M": 2}, Decimal("0.5"))],
    )
    fulfilment.shipment_create(
        actor=SYSTEM,
        package_ids=[package.pk],
        carrier_code="sf",
        tracking_number="SF1234567890123",
        cost=Decimal("12.00"),
    )
    client = staff("customer_service")

    found = client.get("/app/orders/", {"q": "SF1234567890123"})
    by_warehouse = client.get("/app/orders/", {"warehouse": shop.warehouse.code})
    detail = client.get(f"/app/orders/{order.pk}/")

    assert _numbers(found) == [order.number] == _numbers(by_warehouse)
    assert [row.staff_label for row in found.context["rows"]] == ["shipped"]
    [(shipment, url)] = detail.context["detail"].shipments
    assert shipment.tracking_number == "SF1234567890123"
    assert "SF1234567890123" in url
    assert [(v.line.quantity_shipped, v.reserved) for v in detail.context["detail"].lines] == [(2, 0)]


def test_bulk_assign_gives_the_ticked_orders_an_owner(staff, place, shop, make_user):
    first, second = place(channel=shop.review_channel), place(channel=shop.review_channel)
    colleague = make_user("reviewer", username="colleague")
    client = staff("reviewer")

    page = client.get("/app/orders/")
    response = client.post(
        "/app/orders/bulk/",
        {"action": "assign", "ids": [first.pk, second.pk], "owner": str(colleague.pk)},
        follow=True,
    )

    assert "colleague" in page.content.decode()
    assert set(Order.objects.values_list("review_owner_id", flat=True)) == {colleague.pk}
    assert "Assign: 2 orders." in response.content.decode()
    refused = staff("order_clerk").post(
        "/app/orders/bulk/", {"action": "assign", "ids": [first.pk], "owner": ""}
    )
    assert refused.status_code == 403
    assert Order.objects.get(pk=first.pk).review_owner_id == colleague.pk


def test_bulk_print_shows_the_ticked_orders_with_lines_masked_for_roles_without_personal_data(
    staff, place, django_assert_max_num_queries
):
    first, second, _other = place(lines={"TEE-BLK-M": 2}), place(lines={"MUG-01": 1}), place()
    client = staff("warehouse")
    client.get("/app/")

    with django_assert_max_num_queries(8):
        response = client.post("/app/orders/bulk/", {"action": "print", "ids": [first.pk, second.pk]})

    body = response.content.decode()
    assert [item.order.number for item in response.context["printed"]] == [second.number, first.number]
    assert "TEE-BLK-M" in body
    assert "MUG-01" in body
    assert "科技园路1号" not in body
    assert "13812345678" not in body
    assert (
        "科技园路1号"
        in staff("order_clerk")
        .post("/app/orders/bulk/", {"action": "print", "ids": [first.pk]})
        .content.decode()
    )


@pytest.mark.parametrize("path", ["/app/orders/", "/app/inventory/", "/app/inventory/movements/"])
def test_a_mangled_cursor_is_a_400_page_not_an_error(staff, shop, path):
    response = staff("administrator").get(path, {"cursor": "not-a-cursor!"})

    assert response.status_code == 400
    assert "The pagination cursor is not valid." in response.content.decode()


def test_an_export_with_a_bad_filter_exports_nothing_and_says_why(staff, place):
    place()

    response = staff("order_clerk").get("/app/orders/export.xlsx", {"date_from": "nope"}, follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert "Correct the filters first." in response.content.decode()
