"""Who is calling and what they may do: the Principal every API operation authorises against.

`accounts` builds the principal (from a bearer token or a staff session) in its middleware;
operations declare their scopes with `@requires`, which the server checks on every call.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .actors import Actor
from .cache import Seen
from .exceptions import AuthenticationRequired, PermissionDenied

security_log = logging.getLogger("dingdan.security")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    actor: Actor
    user_id: int
    scopes: frozenset[str]
    token_id: int | None = None
    channel_id: int | None = None
    # The master-data version read with the principal (core.cache): a request that writes
    # no cached table may read its master data as of then (cache_scope(seen)).
    cache_seen: Seen | None = None

    @property
    def key(self) -> str:
        """Scope of idempotency keys and rate limits: the token, else the user."""
        return f"token:{self.token_id}" if self.token_id else f"user:{self.user_id}"

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def request_principal(request: HttpRequest) -> Principal | None:
    return getattr(request, "principal", None)


def request_channel(request: HttpRequest) -> int | None:
    """The channel the caller's token is bound to (its lists show only that channel's
    documents; dingdan.api.binding refuses the others by id), else None."""
    principal = request_principal(request)
    return principal.channel_id if principal is not None else None


def request_actor(request: HttpRequest) -> Actor:
    """The authenticated caller's Actor, for the audit trail of the service it calls."""
    principal = request_principal(request)
    if principal is None:
        raise AuthenticationRequired()
    return principal.actor


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the middleware has already resolved it."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = request_principal(request)
        return principal if principal and principal.token_id else None


class StaffSessionAuth(SessionAuth):
    """A signed-in staff member's session (the back office); CSRF-checked on writes."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session a forged request could ride on, so no
        # CSRF check: the caller is simply unauthenticated (401), not told "CSRF failed" (403),
        # which is what an integrator with a missing or revoked token would otherwise see.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        principal = request_principal(request)
        return principal if principal and not principal.token_id else None


def requires(*scopes: str) -> Callable[[F], F]:
    """Refuse the operation (403, logged) unless the caller holds every scope."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            principal = request_principal(request)
            missing = [s for s in scopes if principal is None or not principal.has(s)]
            if missing:
                security_log.warning(
                    "permission denied: %s %s by %s lacks %s",
                    request.method,
                    request.path,
                    principal.actor if principal else "anonymous",
                    ",".join(missing),
                )
                raise PermissionDenied()
            return func(request, *args, **kwargs)

        wrapper.required_scopes = scopes  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
