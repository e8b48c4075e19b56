"""Warehouses for tests, created through the service (validated and audited like real ones)."""

from typing import Any

import factory

from dingdan.core.actors import SYSTEM
from dingdan.inventory import services
from dingdan.inventory.models import Warehouse


class WarehouseFactory(factory.Factory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"wh{n:03d}")
    name = factory.Sequence(lambda n: f"仓库 {n}")
    kind = Warehouse.Kind.OWN
    contact_name = "王伟"
    phone = "+862169551234"
    country_code = "CN"
    province = "上海市"
    city = "上海市"
    district = "嘉定区"
    street = "叶城路 1288 号"
    postal_code = "201800"
    region = Warehouse.Region.EAST
    priority = 100
    is_active = True

    @classmethod
    def _create(cls, model_class: type[Warehouse], *args: Any, **kwargs: Any) -> Warehouse:
        return services.warehouse_create(actor=SYSTEM, **kwargs)
