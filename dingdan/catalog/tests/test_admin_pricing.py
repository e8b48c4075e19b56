import pytest
from django.contrib.messages import get_messages

from dingdan.catalog.models import Coupon, Promotion
from dingdan.core.audit import audit_timeline

pytestmark = pytest.mark.django_db

PROMOTION = {
    "code": "m300",
    "name": "满300减30",
    "kind": "threshold_off",
    "target": "order",
    "scope": "all",
    "scope_codes": "[]",
    "percent": "0",
    "amount": "30",
    "min_subtotal": "300",
    "buy_quantity": "0",
    "get_quantity": "0",
    "priority": "0",
    "stackable": "on",
    "customer_grade": "",
    "is_active": "on",
}


def test_the_admin_creates_a_promotion_and_its_coupon_through_the_services(admin_client):
    response = admin_client.post("/admin/catalog/promotion/add/", PROMOTION)
    assert response.status_code == 302, response.content
    promotion = Promotion.objects.get()
    response = admin_client.post(
        "/admin/catalog/coupon/add/",
        {"code": "HELLO", "promotion": promotion.pk, "usage_limit": "5", "is_active": "on"},
    )

    assert response.status_code == 302, response.content
    assert Coupon.objects.get().code == "HELLO"
    [entry] = audit_timeline(aggregate_type="promotion", aggregate_id=promotion.pk)
    assert (entry.actor, entry.after["min_subtotal"]) == ("admin (admin)", "300.00")


def test_the_admin_shows_what_the_service_refuses_and_saves_nothing(admin_client):
    response = admin_client.post(
        "/admin/catalog/promotion/add/", {**PROMOTION, "target": "line"}, follow=True
    )

    assert Promotion.objects.count() == 0
    assert any("order" in str(m) for m in get_messages(response.wsgi_request))
