"""Back-office test helpers: signed-in browsers (Django test clients) per role, and the
orders tests' small shop."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dingdan.core.actors import SYSTEM
from dingdan.orders.services import LineRequest, OrderRequest, order_create
from dingdan.orders.tests.conftest import Shop, shop  # noqa: F401 (the fixture)


@pytest.fixture
def staff(make_user: Callable[..., Any]) -> Callable[..., Client]:
    """`staff("reviewer")`: a test client signed in as a new user with those roles."""

    def make(*roles: str, **fields: Any) -> Client:
        user = make_user(*roles, **fields)
        client = Client()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def place(shop: "Shop") -> Callable[..., Any]:  # noqa: F811
    """`place(channel=..., lines={"TEE-BLK-M": 2})`: an order entered through the service."""

    def make(
        channel: Any = None, lines: dict[str, int] | None = None, customer: Any = None, **extra: Any
    ) -> Any:
        request = OrderRequest(
            channel_id=(channel or shop.channel).pk,
            customer_id=(customer or shop.customer).pk,
            lines=tuple(
                LineRequest(sku_code=code, quantity=n) for code, n in (lines or {"TEE-BLK-M": 1}).items()
            ),
            **extra,
        )
        return order_create(actor=SYSTEM, request=request)

    return make
