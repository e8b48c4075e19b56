"""Optimistic concurrency over HTTP: the version travels as an ETag and comes back in If-Match."""

import re

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .exceptions import BadRequest

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class InvalidIfMatch(BadRequest):
    code = "invalid_if_match"
    default_message = _('If-Match must be the version from the ETag, e.g. "3".')


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names; None when absent or `*` (any version)."""
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if not match:
        raise InvalidIfMatch()
    return int(match.group(1))


def if_match_version(request: HttpRequest) -> int | None:
    """The version the client last read, or None when it sent no If-Match."""
    return parse_if_match(request.headers.get("If-Match"))


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'
