"""The /api/v1 root: authentication, one error format, OpenAPI; mounts each context's routes."""

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from dingdan.core.exceptions import ApplicationError, PayloadTooLarge
from dingdan.core.middleware import busy_response
from dingdan.core.problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from dingdan.core.problems import Problem, error_response, problem_response
from dingdan.core.schemas import INT64_MAX, NO_NUL_PATTERN
from dingdan.core.security import BearerAuth, StaffSessionAuth

from .binding import channel_binding
from .routers import mount_routers

logger = logging.getLogger(__name__)


@csrf_exempt
def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(status=404, code="not_found", detail=_("The requested resource was not found."))


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _framework_statuses(operation: dict[str, Any]) -> list[int]:
    """What the framework answers for any operation of this shape, whatever its code declares:
    a body that is not JSON (400), missing or bad credentials (401), a refused scope or CSRF
    check (403), input that fails the schema (422)."""
    statuses = []
    if "requestBody" in operation:
        statuses.append(400)
    if operation.get("security"):
        statuses += [401, 403]
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append(422)
    return statuses


def _document_parameter_limits(operation: dict[str, Any]) -> None:
    """No parameter text holds NUL; a path id is a non-negative 64-bit integer."""
    for parameter in operation.get("parameters", []):
        for branch in [parameter.get("schema", {}), *parameter.get("schema", {}).get("anyOf", [])]:
            if branch.get("type") == "string" and not {"pattern", "enum", "const", "format"} & branch.keys():
                branch["pattern"] = NO_NUL_PATTERN
            if branch.get("type") == "integer" and parameter.get("in") == "path":
                branch.setdefault("minimum", 0)
                branch.setdefault("maximum", INT64_MAX)


def _guard_parameters(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Before any operation: an id in the path beyond 64 bits names nothing (404, where SQLite
    would raise OverflowError); NUL, which PostgreSQL text cannot hold, is refused in the path
    and query (422) before it can reach a filter (JSON bodies: InputSchema)."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(isinstance(value, int) and value > INT64_MAX for value in kwargs.values()):
            return problem_response(
                status=404, code="not_found", detail=_("The requested resource was not found.")
            )
        fields = [
            name for name, values in request.GET.lists() if "\x00" in name or any("\x00" in v for v in values)
        ]
        if "\x00" in request.path:
            fields.append("path")
        if fields:
            message = _("Text must not contain NUL characters.")
            return problem_response(
                status=422,
                code="validation_error",
                detail=_("Some fields are not valid."),
                errors=[{"field": field, "message": message, "code": "string_nul"} for field in fields],
            )
        return run(request, *args, **kwargs)

    return wrapper


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A key of your choosing (1-255 visible ASCII characters). Retrying with the same key "
        "replays the first response; another body with the same key is 422; a retry while the "
        "first request runs is 409 with Retry-After. Keys are kept for at least 24 hours."
    ),
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The version from the ETag you read, e.g. "3"; a stale version is 412.',
    "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,9}"?$'},
}


def _document_concurrency_headers(operation: dict[str, Any]) -> None:
    """Creating operations (201) take Idempotency-Key; versioned updates (412) take If-Match."""
    parameters = operation.setdefault("parameters", [])
    names = {p.get("name", "").lower() for p in parameters}
    statuses = {str(status) for status in operation.get("responses", {})}
    if "201" in statuses and "idempotency-key" not in names:
        parameters.append(dict(IDEMPOTENCY_KEY))
    if "412" in statuses and "if-match" not in names:
        parameters.append(dict(IF_MATCH))


def _document_errors(schema: dict[str, Any]) -> None:
    """Error responses are sent as application/problem+json, and every operation lists the
    errors the framework gives it; say both in the schema."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = {str(status): value for status, value in operation.get("responses", {}).items()}
            for response in responses.values():
                content = response.get("content", {})
                body = content.get("application/json", {}).get("schema", {})
                if body.get("$ref", "").endswith("/Problem"):
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
            _document_parameter_limits(operation)
            _document_concurrency_headers(operation)
            for status in _framework_statuses(operation):
                responses.setdefault(str(status), _problem_response(status))
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in components:
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem


class DingdanAPI(NinjaAPI):
    """The house conventions on top of NinjaAPI: errors are documented with the media type they
    are sent with and wherever the framework can give them, and an unknown path under /api/v1
    is a problem+json 404 like any other."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_errors(schema)
        return schema

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        return [*patterns, re_path(r"^(?P<rest>[\s\S]*)$", _unknown_path)], app_name, namespace


api = DingdanAPI(
    title="Dingdan API",
    version="1",
    description="Order management: channels, catalog, customers, inventory and orders.",
    auth=[BearerAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(channel_binding, mode="view")  # inside _guard_parameters: ids it refuses never reach it
api.add_decorator(_guard_parameters, mode="view")


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


@api.exception_handler(OverflowError)
def _number_too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A number from the request beyond what the database or the calendar holds (SQLite raises
    # "Python int too large to convert to SQLite INTEGER"; PostgreSQL just finds nothing).
    logger.warning("value out of range in %s %s: %s", request.method, request.path, exc)
    return problem_response(
        status=422,
        code="validation_error",
        detail=_("Some fields are not valid."),
        errors=[{"field": "__all__", "message": _("A number is too large."), "code": "out_of_range"}],
    )


@api.exception_handler(DataError)
def _value_refused_by_the_database(request: HttpRequest, exc: DataError) -> HttpResponse:
    # SQLSTATE class 22, "data exception": a value from the request the database cannot hold
    # (a time zone offset beyond ±15:59, a number out of range). A last line of defence on
    # PostgreSQL; the schemas refuse what they can first.
    logger.warning("value refused by the database in %s %s: %s", request.method, request.path, exc)
    return problem_response(
        status=422,
        code="validation_error",
        detail=_("Some fields are not valid."),
        errors=[{"field": "__all__", "message": _("A value is out of range."), "code": "out_of_range"}],
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)  # the connection was closed under us (database restarted)
def _database_busy(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("database unavailable: %s", exc)
    return busy_response()


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem_response(status=500, code="internal_error", detail=_("An unexpected error occurred."))


mount_routers(api)
