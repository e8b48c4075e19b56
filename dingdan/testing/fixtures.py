"""Shared pytest fixtures: staff users per role and authenticated API clients."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from dingdan.accounts.services import token_create
from dingdan.core.actors import SYSTEM


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Every test starts in the default language: a request through the test client leaves
    the language it chose (Accept-Language, the user's) active in the thread, and a later
    test in the same worker would render its messages in it."""
    translation.deactivate()
    yield
    translation.deactivate()


class ApiClient:
    """A JSON client for /api/v1 that authenticates with a bearer token."""

    def __init__(self, token: str | None, language: str = "en") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") and path.startswith("/api/") else f"/api/v1{path}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self._url(path), params, headers=self.headers)

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return getattr(self.client, method)(
            self._url(path),
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("post", path, body if body is not None else {}, headers)

    def patch(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._send("patch", path, body, headers)

    def put(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._send("put", path, body, headers)

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(self._url(path), headers={**self.headers, **(headers or {})})


def ensure_roles() -> None:
    """Transactional tests flush every table, the role groups of the migration included."""
    if not Group.objects.exists():
        from django.apps import apps

        from dingdan.accounts.roles import roles_sync

        roles_sync(apps)


@pytest.fixture
def make_user(db: None, django_user_model: Any) -> Callable[..., Any]:
    counter = {"n": 0}
    ensure_roles()

    def make(*roles: str, username: str | None = None, **fields: Any) -> Any:
        counter["n"] += 1
        user = django_user_model.objects.create_user(
            username=username or f"user{counter['n']}-{'-'.join(roles) or 'none'}",
            password="pw-Secret-123",
            is_staff=True,
            **fields,
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def api_as(make_user: Callable[..., Any]) -> Callable[..., ApiClient]:
    """`api_as("order_clerk")`: a client holding a token of a new user with those roles."""

    def make(
        *roles: str, scopes: list[str] | None = None, channel: Any = None, language: str = "en"
    ) -> ApiClient:
        user = make_user(*roles)
        _token, raw = token_create(user=user, name="test", scopes=scopes, channel=channel, actor=SYSTEM)
        client = ApiClient(raw, language=language)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def admin_api(api_as: Callable[..., ApiClient]) -> ApiClient:
    return api_as("administrator")


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)
