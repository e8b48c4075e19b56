"""Base schemas of the API: inputs reject unknown fields; money travels as decimal strings."""

import datetime as dt
import functools
import re
import types
import typing
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .money import AMOUNT_PATTERN, CURRENCY_CODES, RATE_PATTERN, is_currency

# Python types whose JSON form is one kind of value, and the error for any other kind.
_JSON_KINDS: dict[type, tuple[str, str, str]] = {
    bool: ("boolean", "bool_type", "Input should be a valid boolean"),
    int: ("number", "int_type", "Input should be a valid integer"),
    float: ("number", "float_type", "Input should be a valid number"),
    dt.date: ("string", "date_type", "Input should be a valid date"),
    dt.datetime: ("string", "datetime_type", "Input should be a valid datetime"),
    dt.time: ("string", "time_type", "Input should be a valid time"),
    uuid.UUID: ("string", "uuid_type", "Input should be a valid UUID"),
}


def _json_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


# PostgreSQL text cannot hold NUL; refusing it everywhere keeps both databases alike.
NO_NUL_PATTERN = r"^[^\u0000]*$"
# The widest integer a database column holds; beyond it SQLite raises OverflowError (a 500).
INT64_MAX = 2**63 - 1
_INTEGER_TEXT = re.compile(r"\s*[-+]?\d+\s*")


def _scalar_members(annotation: Any) -> list[Any]:
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    members = typing.get_args(annotation) if union else (annotation,)
    return [member for member in members if member is not type(None)]


@functools.cache
def _field_members(schema: type, field_name: str) -> list[Any]:
    """_scalar_members of a schema's field, worked out once (every field of every request
    body is checked: see InputSchema). Callers do not change the list."""
    return _scalar_members(schema.model_fields[field_name].annotation)  # type: ignore[attr-defined]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


_TEMPORAL = {dt.date, dt.datetime, dt.time}
# pydantic reads a date from a number of seconds, also given as text ("0.5", "1e9"): no ISO 8601.
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _check_temporal_text(members: list[Any], value: Any) -> None:
    temporal = bool(members) and all(member in _TEMPORAL for member in members)
    if temporal and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        _kind, code, message = _JSON_KINDS[members[0]]
        raise PydanticCustomError(code, message)


def _check_int_range(members: list[Any], value: Any) -> None:
    if int not in members or isinstance(value, bool):
        return
    if isinstance(value, str):
        if not _INTEGER_TEXT.fullmatch(value):
            return
        value = int(value)
    if isinstance(value, (int, float)) and not -INT64_MAX <= value <= INT64_MAX:
        raise PydanticCustomError("int_range", "Input should be an integer of at most 64 bits")


def _bound_integers(schema: dict[str, Any]) -> None:
    """Say in a JSON schema that each integer property fits in 64 bits (what is checked)."""
    for prop in schema.get("properties", {}).values():
        for branch in [prop, *prop.get("anyOf", [])]:
            if branch.get("type") == "integer":
                branch.setdefault("maximum", INT64_MAX)
                branch.setdefault("minimum", -INT64_MAX)


def _in_utc(value: Any) -> Any:
    """An aware datetime in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        try:
            return value.astimezone(dt.UTC)
        except OverflowError as error:  # 0001-01-01T00:00+01:00 is before the first UTC day
            raise PydanticCustomError("datetime_range", "Input should be a datetime after year 1") from error
    return value


def _check_json_kind(members: list[Any], value: Any) -> None:
    """Refuse a value of another JSON kind than the field's type has in the schema (pydantic's
    lax mode would turn 0 into False, "5" into 5 and 0 into 1970-01-01)."""
    if not members or any(member not in _JSON_KINDS for member in members):
        return
    kind = _json_kind(value)
    if kind is None or kind in {_JSON_KINDS[member][0] for member in members}:
        return
    _kind, code, message = _JSON_KINDS[members[0]]
    raise PydanticCustomError(code, message)


@functools.cache
def _field_checks(schema: type, field_name: str) -> tuple[Callable[[Any], None], ...]:
    """The checks of InputSchema that can refuse a value of this field, each taking the
    value, worked out once per field (a plain text field has none but the NUL check)."""
    members = _field_members(schema, field_name)
    checks: list[Callable[[Any], None]] = []
    if members and all(member in _JSON_KINDS for member in members):
        checks.append(functools.partial(_check_json_kind, members))
    if members and all(member in _TEMPORAL for member in members):
        checks.append(functools.partial(_check_temporal_text, members))
    if int in members:
        checks.append(functools.partial(_check_int_range, members))
    return tuple(checks)


def _forbid_nul_in_schema(schema: Any) -> None:
    """Add NO_NUL_PATTERN to every free-text string in a JSON schema (not into $refs)."""
    if isinstance(schema, list):
        for item in schema:
            _forbid_nul_in_schema(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & schema.keys():
        schema["pattern"] = NO_NUL_PATTERN
    for key in ("properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf", "prefixItems"):
        if key in schema:
            sub = schema[key]
            _forbid_nul_in_schema(list(sub.values()) if key == "properties" else sub)


class InputSchema(Schema):
    """A JSON request body, validated as its published schema says: unknown fields are refused;
    a boolean is `true`/`false` (not `0` or `"yes"`), a number is not a string or a boolean, an
    integer fits in 64 bits, a date is a string (a datetime is kept in UTC); text never holds
    NUL, and the schema's free-text strings say so with a pattern. (Bodies are validated from
    parsed JSON, where pydantic's lax mode would coerce them; strict mode would also refuse
    enum values and dates given as strings.)"""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _as_the_schema_says(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        if _contains_nul(value):
            raise PydanticCustomError("string_nul", "Text must not contain NUL characters")
        for check in _field_checks(cls, info.field_name):
            check(value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _datetimes_in_utc(cls, value: Any) -> Any:
        return _in_utc(value)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        resolved = handler.resolve_ref_schema(json_schema)
        _forbid_nul_in_schema(resolved)
        _bound_integers(resolved)
        return json_schema


class FilterSchema(Schema):
    """Query parameters (`Query[...]`), validated as the published schema says: a date or time
    is ISO 8601 text, not a number of seconds (a datetime is kept in UTC), and an integer fits
    in 64 bits. (Every value arrives as text, so numbers and booleans are parsed as usual; NUL
    is refused for every operation by the API itself.)"""

    @field_validator("*", mode="before")
    @classmethod
    def _as_the_schema_says(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and info.field_name is not None:
            members = _field_members(cls, info.field_name)
            _check_temporal_text(members, value)
            _check_int_range(members, value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _datetimes_in_utc(cls, value: Any) -> Any:
        return _in_utc(value)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        _bound_integers(handler.resolve_ref_schema(json_schema))
        return json_schema


def _decimal_string(pattern: str) -> Any:
    """Validation and schema of a decimal travelling as a string that matches `pattern`: the
    published schema and the server accept exactly the same inputs (not a JSON number, not
    "1e3", not "-0.5" where the pattern has no sign)."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise PydanticCustomError("decimal_format", 'Input should be a decimal string such as "199.00"')
        return value

    return (BeforeValidator(check), WithJsonSchema({"type": "string", "pattern": pattern}))


# Decimal inputs are strings matching a pattern, so "" or "1e400" fail the schema (422),
# never the database; outputs are decimal strings too (ARCHITECTURE §6b).
MoneyIn = Annotated[Decimal, Field(max_digits=12, decimal_places=2, ge=0), *_decimal_string(AMOUNT_PATTERN)]


def _known_currency(code: str) -> str:
    if not is_currency(code):
        raise PydanticCustomError("unknown_currency", gettext("Unknown currency code."))
    return code


# An ISO 4217 code the system knows; the schema lists them, so a client (and schemathesis)
# can tell a valid code from an unknown one without asking the server.
CurrencyCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": list(CURRENCY_CODES)}),
    AfterValidator(_known_currency),
]
RateIn = Annotated[Decimal, Field(max_digits=6, decimal_places=4, ge=0, le=1), *_decimal_string(RATE_PATTERN)]


LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _local_time(value: object) -> dt.time:
    """A wall-clock time in the company's zone as "HH:MM": no seconds, no offset (a cut-off
    time belongs to the warehouse's day, not to an instant)."""
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(LOCAL_TIME, value):
        raise ValueError("expected a local time HH:MM")
    return dt.time.fromisoformat(value)


_LOCAL_TIME_SCHEMA = WithJsonSchema({"type": "string", "pattern": LOCAL_TIME, "examples": ["16:00"]})
LocalTimeIn = Annotated[dt.time, BeforeValidator(_local_time), _LOCAL_TIME_SCHEMA]
LocalTimeOut = Annotated[
    dt.time, PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str), _LOCAL_TIME_SCHEMA
]


class RowOut(BaseModel):
    """A response schema for the rows of a big response (an order's lines, checks,
    reservations, timeline): pydantic reads the object's attributes or the dict's keys
    itself. ninja's Schema wraps every input in a getter written in Python, which cost more
    than the validation (profiled on the order placement's response). No resolvers, and
    attributes are read as they are (a method is not called)."""

    model_config = ConfigDict(from_attributes=True)
