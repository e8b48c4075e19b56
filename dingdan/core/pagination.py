"""Keyset (cursor) pagination with a capped `limit` (ARCHITECTURE §6b).

The cursor is opaque to clients: base64 of the last row's ordering values. Pages stay
fast however deep a client reads, because each page is an index range scan.
"""

import base64
import binascii
import datetime as dt
import json
import math
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from .exceptions import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class Page(Schema, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="Cursor of the next page; absent on the last page.")


class InvalidCursor(BadRequest):
    code = "invalid_cursor"
    default_message = _("The pagination cursor is not valid.")


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(int(limit), MAX_LIMIT))


def _plain(value: Any) -> Any:
    # Full precision on purpose: DjangoJSONEncoder cuts datetimes to milliseconds, which would
    # skip or repeat rows that differ by microseconds.
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    return value


def _encode(values: Sequence[Any]) -> str:
    plain = [_plain(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _is_scalar(value: Any) -> bool:
    """A value a cursor can carry: text, a finite number or a boolean (never null, a list,
    an object, or 1e400, which JSON reads as infinity)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (str, int))


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor() from error
    if not isinstance(values, list) or len(values) != size or not all(_is_scalar(v) for v in values):
        raise InvalidCursor()
    return values


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (each field `name` or `-name`)."""
    condition = Q()
    for index, term in enumerate(ordering):
        name = term.lstrip("-")
        op = "lt" if term.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        for earlier, value in zip(ordering[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def paginate(
    queryset: QuerySet[M],
    *,
    limit: int | None,
    cursor: str | None,
    ordering: Sequence[str] = ("-pk",),
) -> tuple[list[M], str | None]:
    """One page of `queryset` and the cursor of the next. `ordering` must end in a unique
    field (the primary key) so the order is total."""
    size = clamp_limit(limit)
    ordered = queryset.order_by(*ordering)
    if cursor:
        values = _decode(cursor, len(ordering))
        try:
            ordered = ordered.filter(_after(ordering, values))
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as error:  # wrong type
            raise InvalidCursor() from error
    rows = list(ordered[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    return rows, _encode([_value(last, term.lstrip("-")) for term in ordering])


def _value(row: Model, name: str) -> Any:
    return row.pk if name == "pk" else getattr(row, name)


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Page size; values above {MAX_LIMIT} are capped.")
    cursor: str | None = Field(None, max_length=500, description="The `next` cursor of the previous page.")
