"""`GET /orders?label=...`: the staff labels (awaiting payment, awaiting shipment, shipped, ...)
as a list filter, the same rule the back office's order list applies."""

from typing import Any

import pytest
from django.utils import translation

from dingdan.core.actors import SYSTEM
from dingdan.orders.domain import StaffLabel
from dingdan.orders.models import Order
from dingdan.orders.schemas import OrderFilterIn
from dingdan.orders.services import LineRequest, OrderRequest, order_create

pytestmark = pytest.mark.django_db


def place(shop: Any, *lines: tuple[str, int], channel: Any = None) -> Order:
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=sku, quantity=q) for sku, q in lines or [("TEE-BLK-M", 1)]),
    )
    return order_create(actor=SYSTEM, request=request)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_order_list_filters_by_staff_label(api_as, shop):
    api = api_as("warehouse")
    unpaid = place(shop)  # the web shop wants payment before shipment
    paid = place(shop)
    held = place(shop, ("RARE-01", 1))
    pending = place(shop, channel=shop.review_channel)
    shipped = place(shop)
    Order.objects.filter(pk=paid.pk).update(payment_status="paid")
    Order.objects.filter(pk=shipped.pk).update(fulfillment_status="shipped")

    assert ids(api.get("/orders", label="awaiting_payment")) == [unpaid.pk]
    assert ids(api.get("/orders", label="awaiting_shipment")) == [paid.pk]
    assert ids(api.get("/orders", label="shipped")) == [shipped.pk]
    assert ids(api.get("/orders", label="on_hold")) == [held.pk]
    assert ids(api.get("/orders", label="awaiting_review")) == [pending.pk]
    assert ids(api.get("/orders", label="awaiting_review", channel="web")) == []
    assert ids(api.get("/orders", label="cancelled")) == []
    items = api.get("/orders", label="shipped").json()["items"]
    assert [item["staff_label"] for item in items] == ["shipped"]


def test_an_unknown_label_is_refused_as_an_unknown_status_is(api_as, shop):
    place(shop)
    api = api_as("warehouse")
    with translation.override("en"):
        response = api.get("/orders", label="lost")
        like_status = api.get("/orders", status="lost")

    assert response.status_code == like_status.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["label"]
    assert response.json()["code"] == like_status.json()["code"]


def test_the_label_parameter_is_documented_with_its_values():
    schema = OrderFilterIn.model_json_schema()

    assert "staff label" in schema["properties"]["label"]["description"]
    assert schema["$defs"]["StaffLabel"]["enum"] == [label.value for label in StaffLabel]
    assert "label" not in schema.get("required", [])
