import pytest

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_timeline, audit_verify
from dingdan.core.exceptions import ValidationFailed
from dingdan.inventory.exceptions import WarehouseCodeTaken
from dingdan.inventory.models import Warehouse
from dingdan.inventory.services import warehouse_create, warehouse_update

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db

CLERK = Actor(username="li.na", user_id=7)
GUANGZHOU = {
    "code": "gz-baiyun",
    "name": "广州 白云仓",
    "province": "广东省",
    "city": "广州市",
    "district": "白云区",
    "street": "太和镇 物流园 8 号",
    "postal_code": "510450",
    "region": "south",
}


def field_codes(error: ValidationFailed) -> dict[str, str]:
    return {e["field"]: e["code"] for e in error.errors}


def test_create_stores_defaults_normalises_the_phone_and_audits_every_field():
    warehouse = warehouse_create(actor=CLERK, phone="020-3712 3456", **GUANGZHOU)

    warehouse.refresh_from_db()
    assert warehouse.kind == "own"
    assert warehouse.country_code == "CN"
    assert warehouse.priority == 100
    assert warehouse.is_active is True
    assert warehouse.phone == "+862037123456"
    [entry] = audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)
    assert entry.action == "created"
    assert entry.actor == "li.na"
    assert entry.after["phone"] == "+862037123456"
    assert entry.after["region"] == "south"
    assert set(entry.after) >= {"code", "name", "street", "priority", "is_active"}


def test_a_duplicate_code_raises_code_taken_and_creates_nothing():
    warehouse_create(actor=CLERK, **GUANGZHOU)

    with pytest.raises(WarehouseCodeTaken) as raised:
        warehouse_create(actor=CLERK, **{**GUANGZHOU, "name": "另一个"})

    assert raised.value.status == 409
    assert raised.value.code == "warehouse_code_taken"
    assert Warehouse.objects.count() == 1


def test_every_invalid_field_is_reported_at_once_and_nothing_is_written():
    with pytest.raises(ValidationFailed) as raised:
        warehouse_create(
            actor=CLERK,
            **{**GUANGZHOU, "code": "GZ 1", "region": "moon", "postal_code": "51045", "phone": "12345"},
        )

    assert field_codes(raised.value) == {
        "code": "invalid",
        "region": "invalid_choice",
        "postal_code": "invalid_postal_code",
        "phone": "invalid_phone",
    }
    assert not Warehouse.objects.exists()
    assert audit_timeline(aggregate_type="warehouse", aggregate_id=1) == []


def test_an_unknown_country_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        warehouse_create(actor=CLERK, **{**GUANGZHOU, "country_code": "XX"})

    assert field_codes(raised.value) == {"country_code": "invalid_country"}


def test_a_foreign_warehouse_is_validated_by_its_own_country_rules():
    warehouse = warehouse_create(
        actor=CLERK,
        **{**GUANGZHOU, "code": "hk", "country_code": "hk", "postal_code": "", "phone": "2345 6789"},
    )

    assert warehouse.country_code == "HK"
    assert warehouse.phone == "+85223456789"


def test_update_changes_given_fields_and_audits_only_the_difference():
    warehouse = WarehouseFactory(priority=50)

    warehouse_update(warehouse=warehouse, actor=CLERK, priority=10, name=warehouse.name)

    warehouse.refresh_from_db()
    assert warehouse.priority == 10
    entry = audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)[-1]
    assert (entry.action, entry.before, entry.after) == ("updated", {"priority": 50}, {"priority": 10})
    assert audit_verify() == []


def test_an_update_that_changes_nothing_writes_nothing():
    warehouse = WarehouseFactory()
    updated_at = warehouse.updated_at

    warehouse_update(warehouse=warehouse, actor=CLERK, city=warehouse.city, phone="+86 21 6955 1234")

    warehouse.refresh_from_db()
    assert warehouse.updated_at == updated_at
    assert len(audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)) == 1


def test_an_invalid_update_leaves_the_row_unchanged():
    warehouse = WarehouseFactory(name="嘉定仓")

    with pytest.raises(ValidationFailed) as raised:
        warehouse_update(warehouse=warehouse, actor=CLERK, name="新名字", district=None)

    assert field_codes(raised.value) == {"district": "null"}
    warehouse.refresh_from_db()
    assert warehouse.name == "嘉定仓"
    assert len(audit_timeline(aggregate_type="warehouse", aggregate_id=warehouse.pk)) == 1


def test_a_priority_above_the_range_is_refused():
    warehouse = WarehouseFactory(priority=7)

    with pytest.raises(ValidationFailed) as raised:
        warehouse_update(warehouse=warehouse, actor=CLERK, priority=5000)

    assert field_codes(raised.value) == {"priority": "max_value"}
    assert Warehouse.objects.get().priority == 7


def test_the_code_cannot_change():
    warehouse = WarehouseFactory(code="sh")

    with pytest.raises(TypeError):
        warehouse_update(warehouse=warehouse, actor=CLERK, code="bj")

    assert Warehouse.objects.get().code == "sh"
