import pytest

from dingdan.core.audit import audit_timeline
from dingdan.inventory.models import Warehouse

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db

FORM = {
    "code": "cd-shuangliu",
    "name": "成都 双流仓",
    "kind": "third_party",
    "contact_name": "",
    "phone": "028 8571 2345",
    "country_code": "CN",
    "province": "四川省",
    "city": "成都市",
    "district": "双流区",
    "street": "西航港大道 99 号",
    "postal_code": "610200",
    "region": "southwest",
    "priority": "40",
    "is_active": "on",
}


def test_the_admin_creates_through_the_service_so_the_write_is_validated_and_audited(admin_client):
    response = admin_client.post("/admin/inventory/warehouse/add/", FORM)

    assert response.status_code == 302, response.content
    warehouse = Warehouse.objects.get()
    assert warehouse.phone == "+862885712345"
    [entry] = audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)
    assert entry.actor == "admin (admin)"


def test_the_admin_changes_only_what_changed_and_never_the_code(admin_client):
    warehouse = WarehouseFactory(code="cd", priority=40)
    form = {**FORM, "code": "other", "priority": "5", "phone": warehouse.phone}

    response = admin_client.post(f"/admin/inventory/warehouse/{warehouse.pk}/change/", form)

    assert response.status_code == 302, response.content
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.priority, warehouse.name) == ("cd", 5, "成都 双流仓")
    entry = audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)[-1]
    assert entry.before["priority"] == 40
    assert entry.after["priority"] == 5


def test_warehouses_cannot_be_deleted_in_the_admin(admin_client):
    warehouse = WarehouseFactory()

    response = admin_client.post(f"/admin/inventory/warehouse/{warehouse.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()
