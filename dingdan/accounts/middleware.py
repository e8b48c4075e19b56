"""Resolves the caller once per request into `request.principal` (bearer token or session)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors import principal_for_token, principal_for_user


class PrincipalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            request.principal = principal_for_token(credentials.strip())  # type: ignore[attr-defined]
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            request.principal = principal_for_user(request.user)  # type: ignore[attr-defined]
        else:
            request.principal = None  # type: ignore[attr-defined]
        return self.get_response(request)
