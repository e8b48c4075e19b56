"""The search box reads the matching customers first and hands their ids to the order query
(docs/performance.md §4: a subquery inside the OR made PostgreSQL read every order). Here: the
same orders are found either way, and the reads stay a fixed number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.backoffice import selectors
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory


def _numbers(response):
    return [row.order.number for row in response.context["rows"]]


@pytest.mark.parametrize("cap", [1000, 1])  # as ids, and past the cap as the subquery
def test_a_name_finds_the_orders_of_every_matching_customer_below_and_past_the_cap(
    staff, place, shop, monkeypatch, cap
):
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", cap)
    first = place(customer=CustomerFactory(name="欧阳娜", addresses=[SHENZHEN]))
    second = place(customer=CustomerFactory(name="欧阳芳", addresses=[SHENZHEN]))
    place()

    response = staff("customer_service").get("/app/orders/", {"q": "欧阳"})

    assert _numbers(response) == [second.number, first.number]


def test_a_search_costs_two_reads_more_than_the_plain_list_however_many_customers_match(
    staff, place, shop, record_property
):
    client = staff("customer_service")
    client.get("/app/orders/")

    def reads(query):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/app/orders/", query)
        return len(captured.captured_queries), len(response.context["rows"])

    place(customer=CustomerFactory(name="欧阳0", addresses=[SHENZHEN]))
    plain, _ = reads({})
    one = reads({"q": "欧阳"})
    for index in range(1, 4):
        place(customer=CustomerFactory(name=f"欧阳{index}", addresses=[SHENZHEN]))
    four = reads({"q": "欧阳"})

    # + the matching customers' ids, + the orders shipped under that tracking number
    assert (one, four) == ((plain + 2, 1), (plain + 2, 4))
    record_property("figures", f"order list search: {plain + 2} queries ({plain} without a search)")
