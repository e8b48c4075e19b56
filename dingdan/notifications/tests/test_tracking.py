"""The tracking page /track/<signed token>/: status, items and shipments in the customer's
language, no personal data, and nothing for a forged or altered token."""

import pytest
from django.test import Client
from django.utils import timezone

from dingdan.core.actors import SYSTEM
from dingdan.customers.models import Customer
from dingdan.fulfillment.models import Carrier
from dingdan.fulfillment.services import TrackingUpdate, tracking_event_record
from dingdan.fulfillment.tests.shop import build_shop
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


def test_the_page_shows_status_items_and_shipments_without_personal_data(django_assert_max_num_queries):
    shop = build_shop(language="en")
    order = shop.order((shop.tee, 2))
    shipment = shop.ship(order, tracking="SF1234567890123")
    tracking_event_record(
        actor=SYSTEM,
        update=TrackingUpdate(
            carrier_code="sf",
            tracking_number="SF1234567890123",
            event_id="e-1",
            kind="in_transit",
            occurred_at=timezone.now(),
            location="Shenzhen",
        ),
        source="manual",
    )
    carrier = Carrier.objects.get(code="sf")
    Customer.objects.filter(pk=shop.customer.pk).update(email="zhang.wei@example.com")

    with django_assert_max_num_queries(6):
        response = Client().get(f"/track/{selectors.tracking_token(order_id=order.pk)}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Order {order.number}" in page
    assert 'data-status="shipped"' in page
    assert "纯棉T恤" in page
    assert f"<strong>{carrier.name}</strong> · SF1234567890123" in page
    assert "In transit" in page
    tracking_url = carrier.tracking_url_template.replace("{number}", "SF1234567890123")
    assert f'href="{tracking_url}"'.replace("&", "&amp;") in page
    assert page.count('class="card mb-2 shipment"') == 1  # the latest state of one shipment
    assert shipment.number not in page  # staff's shipment number is not the customer's business
    customer = shop.customer
    for personal in (customer.name, customer.phone, "zhang.wei@example.com", "13812345678", "科技园路"):
        assert personal not in page
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def test_before_anything_ships_the_page_says_so(order, shop):
    Customer.objects.filter(pk=shop.customer.pk).update(language="en")

    page = Client().get(f"/track/{selectors.tracking_token(order_id=order.pk)}/").content.decode()

    assert "Nothing has shipped yet." in page
    assert 'class="card mb-2 shipment"' not in page


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
