import datetime as dt

from django.utils import timezone

from dingdan.core.actors import SYSTEM
from dingdan.orders.models import ExceptionCase, Order
from dingdan.orders.services import exception_open


def _queue(response):
    return [(row.order.number, row.staff_label) for row, _reasons, _overdue in response.context["rows"]]


def test_the_review_queue_lists_waiting_and_held_orders_with_reasons(staff, place, shop):
    first = place(channel=shop.review_channel)
    held = place(lines={"RARE-01": 1})
    place()

    response = staff("reviewer").get("/app/queues/review/")

    assert sorted(_queue(response)) == sorted([(first.number, "awaiting_review"), (held.number, "on_hold")])
    body = response.content.decode()
    assert "Not enough stock for RARE-01" in body
    assert body.count('data-action="approve"') == 1  # only the order waiting for review


def test_the_queue_filters_by_status_owner_and_overdue(staff, place, shop):
    mine = place(channel=shop.review_channel)
    other = place(channel=shop.review_channel)
    client = staff("reviewer")
    client.post(f"/app/queues/review/{mine.pk}/assign/", {"owner": "me"})
    Order.objects.filter(pk=other.pk).update(review_due_at=timezone.now() - dt.timedelta(hours=1))

    assert _queue(client.get("/app/queues/review/", {"mine": "1"})) == [(mine.number, "awaiting_review")]
    assert _queue(client.get("/app/queues/review/", {"unassigned": "1"})) == [
        (other.number, "awaiting_review")
    ]
    overdue = client.get("/app/queues/review/", {"overdue": "1"})
    assert _queue(overdue) == [(other.number, "awaiting_review")]
    assert "data-overdue" in overdue.content.decode()
    assert _queue(client.get("/app/queues/review/", {"status": "on_hold"})) == []


def test_take_and_assign_set_the_owner_and_a_clerk_may_do_neither(staff, place, shop, make_user):
    order = place(channel=shop.review_channel)
    colleague = make_user("reviewer", username="colleague")
    client = staff("reviewer")

    client.post(f"/app/queues/review/{order.pk}/assign/", {"owner": "me"})
    assert Order.objects.get(pk=order.pk).review_owner_id == client.user.pk
    client.post(f"/app/queues/review/{order.pk}/assign/", {"owner": str(colleague.pk)})
    assert Order.objects.get(pk=order.pk).review_owner_id == colleague.pk

    refused = staff("order_clerk").post(f"/app/queues/review/{order.pk}/assign/", {"owner": "me"})
    assert refused.status_code == 403
    assert Order.objects.get(pk=order.pk).review_owner_id == colleague.pk


def test_approving_from_the_queue_returns_to_the_queue(staff, place, shop):
    order = place(channel=shop.review_channel)
    client = staff("reviewer")

    response = client.post(
        f"/app/orders/{order.pk}/approve/", {"version": order.version, "next": "/app/queues/review/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/app/queues/review/")
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_a_clerk_sees_the_queue_without_review_buttons(staff, place, shop):
    place(channel=shop.review_channel)

    response = staff("order_clerk").get("/app/queues/review/")

    assert response.status_code == 200
    assert 'data-action="approve"' not in response.content.decode()
    assert 'data-action="take"' not in response.content.decode()


def test_the_exception_queue_shows_open_cases_with_owner_and_overdue_flag(staff, place):
    order = place()
    late = exception_open(order_id=order.pk, kind="address_problem", actor=SYSTEM, note="门牌号缺失")
    ExceptionCase.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    exception_open(order_id=order.pk, kind="payment_problem", actor=SYSTEM)
    client = staff("customer_service")

    response = client.get("/app/queues/exceptions/")
    overdue = client.get("/app/queues/exceptions/", {"overdue": "1"})

    assert [(case.kind, flag) for case, flag in response.context["cases"]] == [
        ("address_problem", True),
        ("payment_problem", False),
    ]
    assert [case.pk for case, _flag in overdue.context["cases"]] == [late.pk]
    assert "Address problem" in response.content.decode()


def test_taking_and_resolving_a_case(staff, place):
    order = place()
    case = exception_open(order_id=order.pk, kind="address_problem", actor=SYSTEM)
    client = staff("customer_service")

    client.post(f"/app/queues/exceptions/{case.pk}/assign/", {"owner": "me"})
    assert ExceptionCase.objects.get(pk=case.pk).owner_id == client.user.pk
    page = client.get(f"/app/queues/exceptions/{case.pk}/")
    assert page.status_code == 200
    bad = client.post(f"/app/queues/exceptions/{case.pk}/resolve/", {"resolution": "Not A Code", "note": "x"})
    assert bad.status_code == 422
    assert 'value="Not A Code"' in bad.content.decode()
    assert ExceptionCase.objects.get(pk=case.pk).status == "in_progress"
    done = client.post(
        f"/app/queues/exceptions/{case.pk}/resolve/", {"resolution": "address_corrected", "note": "ok"}
    )
    assert done.status_code == 302
    resolved = ExceptionCase.objects.get(pk=case.pk)
    assert (resolved.status, resolved.resolution) == ("resolved", "address_corrected")


def test_roles_without_orders_exceptions_cannot_work_cases(staff, place):
    order = place()
    case = exception_open(order_id=order.pk, kind="address_problem", actor=SYSTEM)
    client = staff("purchasing")

    assert client.get("/app/queues/exceptions/").status_code == 200
    assert client.post(f"/app/queues/exceptions/{case.pk}/assign/", {"owner": "me"}).status_code == 403
    assert (
        client.post(f"/app/queues/exceptions/{case.pk}/resolve/", {"resolution": "done"}).status_code == 403
    )
    assert ExceptionCase.objects.get(pk=case.pk).status == "open"


def test_the_review_queue_costs_the_same_queries_for_2_or_6_orders(
    staff, place, shop, django_assert_num_queries
):
    client = staff("reviewer")
    for _ in range(2):
        place(channel=shop.review_channel)
    client.get("/app/queues/review/")
    with django_assert_num_queries(7) as few:
        client.get("/app/queues/review/")
    for _ in range(4):
        place(channel=shop.review_channel, lines={"RARE-01": 1})
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/app/queues/review/")
    assert len(response.context["rows"]) == 6
