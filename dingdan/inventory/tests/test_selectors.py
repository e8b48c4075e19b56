import pytest

from dingdan.inventory.exceptions import WarehouseNotFound
from dingdan.inventory.selectors import warehouse_get, warehouse_list

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def test_list_filters_by_activity_kind_and_region():
    WarehouseFactory(code="sh", region="east")
    WarehouseFactory(code="gz", region="south", kind="third_party")
    WarehouseFactory(code="old", region="east", is_active=False)

    assert sorted(w.code for w in warehouse_list()) == ["gz", "old", "sh"]
    assert [w.code for w in warehouse_list(is_active=True, region="east")] == ["sh"]
    assert [w.code for w in warehouse_list(kind="third_party")] == ["gz"]
    assert [w.code for w in warehouse_list(is_active=False)] == ["old"]


def test_get_finds_by_id_or_code_and_raises_not_found_otherwise():
    warehouse = WarehouseFactory(code="sh")

    assert warehouse_get(warehouse_id=warehouse.pk) == warehouse
    assert warehouse_get(code="sh") == warehouse
    for lookup in ({"warehouse_id": warehouse.pk + 1}, {"code": "bj"}, {}):
        with pytest.raises(WarehouseNotFound):
            warehouse_get(**lookup)
