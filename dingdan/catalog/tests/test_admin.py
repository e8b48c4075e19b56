from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from dingdan.catalog.models import PriceListItem, Sku, TaxRate
from dingdan.core.audit import audit_timeline
from dingdan.core.models import AuditEntry, OutboxEvent

from .factories import PriceListFactory, ProductFactory, TaxRateFactory

pytestmark = pytest.mark.django_db


def inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_admin_creates_a_tax_rate_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/catalog/taxrate/add/",
        {"code": "vat13", "name": "增值税 13%", "rate": "0.13", "is_active": "on"},
    )

    assert response.status_code == 302, response.content
    tax_rate = TaxRate.objects.get()
    [entry] = audit_timeline(aggregate_type="tax_rate", aggregate_id=tax_rate.pk)
    assert (entry.actor, entry.after["rate"]) == ("admin (admin)", "0.1300")


def test_the_admin_creates_a_product_with_new_skus_audited_and_announced(admin_client):
    TaxRateFactory(code="vat13")
    form = {
        "code": "TS-001",
        "name": "纯棉T恤",
        "unit": "pcs",
        "is_active": "on",
        **inline(
            "skus",
            [
                {
                    "code": "TS-001-M",
                    "specs": '{"尺寸": "M"}',
                    "unit": "pcs",
                    "tax_rate": TaxRate.objects.get().pk,
                    "is_active": "on",
                }
            ],
        ),
    }

    response = admin_client.post("/admin/catalog/product/add/", form)

    assert response.status_code == 302, response.content
    sku = Sku.objects.get()
    assert (sku.product.code, sku.specs) == ("TS-001", {"尺寸": "M"})
    assert list(OutboxEvent.objects.order_by("pk").values_list("type", flat=True)) == [
        "product.created",
        "sku.created",
    ]
    assert AuditEntry.objects.filter(actor="admin (admin)").count() == 2


def test_a_refusal_of_the_service_is_shown_and_nothing_is_saved(admin_client):
    product = ProductFactory()
    inactive = TaxRateFactory(code="old", is_active=False)
    form = {"product": product.pk, "code": "TS-X", "specs": "{}", "unit": "pcs", "tax_rate": inactive.pk}

    response = admin_client.post("/admin/catalog/sku/add/", form)

    assert response.status_code == 302
    assert "inactive" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not Sku.objects.exists()


def test_the_admin_sets_price_list_items_and_removes_deleted_rows(admin_client):
    TaxRateFactory(code="vat13")
    product = ProductFactory(skus=[{"code": "A", "tax_rate": "vat13"}, {"code": "B", "tax_rate": "vat13"}])
    a, b = product.skus.order_by("code")
    price_list = PriceListFactory(
        code="retail", items=[{"sku": a, "price": Decimal("10")}, {"sku": b, "price": Decimal("20")}]
    )
    item_a, item_b = price_list.items.order_by("sku__code")
    form = {
        "code": "retail",
        "name": price_list.name,
        "currency": "CNY",
        "priority": "0",
        "prices_include_tax": "on",
        "is_active": "on",
        **inline(
            "items",
            [
                {"id": item_a.pk, "sku": a.pk, "min_quantity": "1", "price": "12.00"},
                {"id": item_b.pk, "sku": b.pk, "min_quantity": "1", "price": "20.00", "DELETE": "on"},
            ],
            initial=2,
        ),
    }

    response = admin_client.post(f"/admin/catalog/pricelist/{price_list.pk}/change/", form)

    assert response.status_code == 302, response.content
    assert list(PriceListItem.objects.values_list("sku__code", "price")) == [("A", Decimal("12.00"))]
    entry = AuditEntry.objects.get(aggregate_type="price_list", action="items_set")
    assert (entry.before, entry.after) == (
        {"items": {"A/1": "10.00", "B/1": "20.00"}},
        {"items": {"A/1": "12.00"}},
    )
