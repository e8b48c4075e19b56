"""Billing tests reuse the orders' small shop; helpers place orders and pay them."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from dingdan.billing.providers import SandboxProvider, provider_get, register_provider
from dingdan.billing.services import PaymentRequest, payment_record
from dingdan.core.actors import SYSTEM
from dingdan.orders.services import LineRequest, OrderRequest, order_create
from dingdan.orders.tests.conftest import Shop, shop  # noqa: F401  (the fixture)


def place(shop: Any, *lines: tuple[str, int], channel: Any = None, shipping_fee: str = "0") -> Any:  # noqa: F811
    """A confirmed order (auto-confirming channel) of `lines`, default two T-shirts: 198.00."""
    request = OrderRequest(
        channel_id=(channel or shop.channel).pk,
        customer_id=shop.customer.pk,
        lines=tuple(LineRequest(sku_code=sku, quantity=q) for sku, q in lines or [("TEE-BLK-M", 2)]),
        shipping_fee=Decimal(shipping_fee),
    )
    return order_create(actor=SYSTEM, request=request, submit=True)


def pay(order: Any, amount: str, method: str = "bank_transfer", **fields: Any) -> Any:
    return payment_record(
        actor=SYSTEM,
        order_id=order.pk,
        request=PaymentRequest(method=method, amount=Decimal(amount), **fields),
    )


@pytest.fixture
def order(shop: Shop) -> Any:  # noqa: F811
    return place(shop)


@pytest.fixture
def sandbox() -> Any:
    """A fresh sandbox provider (no notifications left over from other tests)."""
    previous = provider_get("sandbox")
    provider = SandboxProvider()
    register_provider(provider)
    yield provider
    register_provider(previous)


@pytest.fixture
def placer(shop: Shop) -> Callable[..., Any]:  # noqa: F811
    return lambda *lines, **kw: place(shop, *lines, **kw)
