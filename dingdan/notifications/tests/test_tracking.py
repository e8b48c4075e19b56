"""The tracking page /track/<signed token>/: status, items and shipments in the customer's
language, no personal data, and nothing for a forged or altered token."""

import pytest
from django.test import Client

from dingdan.core.actors import SYSTEM
from dingdan.core.outbox import outbox_emit
from dingdan.customers.models import Customer
from dingdan.fulfillment.events import ShipmentCreated, ShipmentStatusChanged
from dingdan.notifications import selectors
from dingdan.orders.services import LineRequest, OrderRequest, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    request = OrderRequest(
        channel_id=shop.channel.pk,
        customer_id=shop.customer.pk,
        lines=(LineRequest(sku_code="TEE-BLK-M", quantity=2),),
    )
    return order_create(actor=SYSTEM, request=request, submit=True)


def shipment_event(order, kind, **fields):
    values = {
        "aggregate_id": "31",
        "number": "SH0001",
        "order_id": order.pk,
        "order_number": order.number,
        "carrier": "SF Express",
        "tracking_number": "SF1234567890",
        "tracking_url": "https://www.sf-express.com/track?no=SF1234567890",
        "status": "shipped",
        **fields,
    }
    return outbox_emit(kind(**values))


def test_the_page_shows_status_items_and_shipments_without_personal_data(order, shop):
    Customer.objects.filter(pk=shop.customer.pk).update(language="en")
    shipment_event(order, ShipmentCreated)
    shipment_event(
        order, ShipmentStatusChanged, status="in_transit", event_kind="in_transit", location="Shenzhen"
    )

    response = Client().get(f"/track/{selectors.tracking_token(order_id=order.pk)}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Order {order.number}" in page
    assert 'data-status="awaiting_payment"' in page or 'data-status="awaiting_shipment"' in page
    assert "纯棉T恤" in page
    assert "SF1234567890" in page
    assert "In transit" in page
    assert 'href="https://www.sf-express.com/track?no=SF1234567890"' in page
    assert page.count('class="card mb-2 shipment"') == 1  # the latest state of one shipment
    for personal in ("张伟", "13812345678", "科技园路", shop.customer.phone):
        assert personal not in page
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_page_speaks_the_customers_language(order, shop):
    Customer.objects.filter(pk=shop.customer.pk).update(language="zh-hans")

    page = Client().get(f"/track/{selectors.tracking_token(order_id=order.pk)}/").content.decode()

    assert '<html lang="zh-hans">' in page


@pytest.mark.parametrize("tamper", ["swap", "truncate", "garbage"])
def test_a_forged_or_altered_token_shows_nothing(order, tamper):
    token = selectors.tracking_token(order_id=order.pk)
    other = selectors.tracking_token(order_id=order.pk + 1)
    bad = {
        "swap": other.split(":")[0] + ":" + token.split(":", 1)[1],
        "truncate": token[:-2],
        "garbage": "abc",
    }[tamper]

    response = Client().get(f"/track/{bad}/")

    assert response.status_code == 404
    assert order.number not in response.content.decode()


def test_a_token_for_a_missing_order_shows_nothing():
    response = Client().get(f"/track/{selectors.tracking_token(order_id=987654)}/")

    assert response.status_code == 404
