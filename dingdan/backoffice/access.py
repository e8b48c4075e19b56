"""How every back-office view is guarded: signed in, holding the scopes, under a strict CSP.

The server checks the scopes on every request (hidden buttons are only a courtesy); a
context's NotFound becomes the 404 page. Scripts and styles come from our own static files
only (no inline script), so the policy allows 'self' and nothing else.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from dingdan.core.exceptions import ApplicationError, NotFound
from dingdan.core.security import Principal, request_principal

security_log = logging.getLogger("dingdan.security")

CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

View = Callable[..., HttpResponseBase]


def with_csp(response: HttpResponseBase) -> HttpResponseBase:
    response._csp_config = CSP  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def principal(request: HttpRequest) -> Principal:
    """The signed-in staff member's principal (staff_view guarantees there is one)."""
    found = request_principal(request)
    assert found is not None
    return found


def denied(request: HttpRequest, missing: list[str]) -> HttpResponseBase:
    security_log.warning(
        "permission denied: %s %s by %s lacks %s",
        request.method,
        request.path,
        request.user.get_username(),
        ",".join(missing),
    )
    return with_csp(render(request, "backoffice/denied.html", status=403))


def staff_view(*scopes: str) -> Callable[[View], View]:
    """Sign-in required (else the login page), every scope in `scopes` required (else 403)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            found = request_principal(request)
            if found is None or found.token_id is not None:
                return redirect_to_login(request.get_full_path())
            missing = [scope for scope in scopes if not found.has(scope)]
            if missing:
                return denied(request, missing)
            try:
                response = view(request, *args, **kwargs)
            except NotFound:
                response = render(request, "backoffice/not_found.html", status=404)
            except ApplicationError as error:  # e.g. a mangled cursor: a 4xx page, never a 500
                context = {"message": error.message}
                response = render(request, "backoffice/error.html", context, status=error.status)
            return with_csp(response)

        wrapper.required_scopes = scopes  # type: ignore[attr-defined]
        return wrapper

    return decorator
