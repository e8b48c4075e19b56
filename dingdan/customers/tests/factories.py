"""Customers made through the service, so test data is validated and audited like real data."""

from typing import Any

import factory

from dingdan.core.actors import SYSTEM
from dingdan.customers.models import Customer
from dingdan.customers.services import customer_create

SHENZHEN = {
    "recipient": "张伟",
    "phone": "13812345678",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "street": "科技园路1号",
    "postal_code": "518057",
}


class CustomerFactory(factory.Factory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        return customer_create(actor=SYSTEM, **kwargs)
