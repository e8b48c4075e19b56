"""The /api/v1 root: authentication, one error format, OpenAPI; mounts each context's routes."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dingdan.core.exceptions import ApplicationError, PayloadTooLarge
from dingdan.core.middleware import busy_response
from dingdan.core.problems import error_response, problem_response
from dingdan.core.security import BearerAuth, StaffSessionAuth

from .routers import mount_routers

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Dingdan API",
    version="1",
    description="Order management: channels, catalog, customers, inventory and orders.",
    auth=[BearerAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _location(loc: list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": _location(list(e.get("loc", []))),
            "message": e.get("msg", ""),
            "code": e.get("type", "invalid"),
        }
        for e in exc.errors
    ]
    return problem_response(
        status=422, code="validation_error", detail=_("Some fields are not valid."), errors=errors
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401,
        code="authentication_required",
        detail=_("Authentication is required."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(
        status=403, code="permission_denied", detail=_("You do not have permission to perform this action.")
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, code="not_found", detail=_("The requested resource was not found."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return problem_response(
            status=400, code="malformed_request", detail=_("The request body is not valid JSON.")
        )
    if exc.status_code == 403:
        return problem_response(
            status=403, code="csrf_failed", detail=_("The CSRF check failed. Reload the page.")
        )
    return problem_response(status=exc.status_code, code="http_error", detail=str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(PayloadTooLarge())


@api.exception_handler(OperationalError)
def _database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    logger.warning("database unavailable: %s", exc)
    return busy_response()


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem_response(status=500, code="internal_error", detail=_("An unexpected error occurred."))


mount_routers(api)
