"""application/problem+json (RFC 9457): one shape for every API error."""

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from ninja import Schema

from .exceptions import ApplicationError

CONTENT_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str
    code: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] = []


def problem_response(
    *,
    status: int,
    code: str,
    detail: str | Promise,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {
        "type": f"urn:dingdan:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "code": code,
        "errors": [{k: str(v) for k, v in e.items()} for e in (errors or [])],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: ApplicationError) -> HttpResponse:
    return problem_response(
        status=error.status,
        code=error.code,
        detail=error.message,
        errors=error.errors,
        headers=error.headers,
    )


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The `response=` entries of an operation's declared error statuses."""
    return dict.fromkeys(statuses, Problem)
