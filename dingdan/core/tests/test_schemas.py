"""Input schemas accept exactly what their published JSON schema says, nothing more."""

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from dingdan.core.schemas import NO_NUL_PATTERN, CurrencyCode, FilterSchema, InputSchema, MoneyIn, RateIn


class Thing(InputSchema):
    name: str = ""
    active: bool = True
    count: int | None = None
    weight: float = 0.0
    day: dt.date | None = None
    tags: list[str] = []
    price: MoneyIn = Decimal("0")
    rate: RateIn | None = None
    currency: CurrencyCode = "CNY"


class ThingFilter(FilterSchema):
    since: dt.datetime | None = None
    count: int | None = None


def _error(data: dict) -> tuple[tuple, str]:
    with pytest.raises(ValidationError) as raised:
        Thing.model_validate(data)
    error = raised.value.errors()[0]
    return error["loc"], error["type"]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"active": 0}, "active", "bool_type"),
        ({"active": "true"}, "active", "bool_type"),
        ({"count": "5"}, "count", "int_type"),
        ({"count": True}, "count", "int_type"),
        ({"count": 5.5}, "count", "int_from_float"),
        ({"weight": "1.5"}, "weight", "float_type"),
        ({"weight": False}, "weight", "float_type"),
        ({"day": 0}, "day", "date_type"),
        ({"day": "1700000000"}, "day", "date_type"),
        ({"name": "a\x00b"}, "name", "string_nul"),
        ({"tags": ["ok", "n\x00l"]}, "tags", "string_nul"),
        ({"price": 1.5}, "price", "decimal_format"),
        ({"price": "-1.00"}, "price", "decimal_format"),
        ({"price": "1e3"}, "price", "decimal_format"),
        ({"price": "1.234"}, "price", "decimal_format"),
        ({"price": "12345678901"}, "price", "decimal_format"),
        ({"rate": "1.01"}, "rate", "decimal_format"),
        ({"rate": "03.09"}, "rate", "decimal_format"),
        ({"rate": 0.13}, "rate", "decimal_format"),
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"currency": "cny"}, "currency", "string_pattern_mismatch"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
    ],
)
def test_a_value_outside_the_schema_is_refused(data, field, code):
    assert _error(data) == ((field,), code)


def test_values_inside_the_schema_are_taken_as_given():
    thing = Thing.model_validate(
        {
            "name": "官网",
            "active": False,
            "count": 5.0,
            "weight": 2,
            "day": "2026-01-23",
            "price": "1999999999.99",
            "rate": "0.1300",
            "currency": "USD",
        }
    )

    assert (thing.name, thing.active, thing.count, thing.weight) == ("官网", False, 5, 2.0)
    assert (thing.day, thing.price, thing.rate, thing.currency) == (
        dt.date(2026, 1, 23),
        Decimal("1999999999.99"),
        Decimal("0.1300"),
        "USD",
    )
    assert Thing.model_validate({"rate": "1"}).rate == Decimal("1")
    assert Thing.model_validate({"count": None}).count is None


def test_the_schema_says_what_validation_does():
    schema = Thing.model_json_schema()
    properties = schema["properties"]

    assert schema["additionalProperties"] is False
    assert properties["name"]["pattern"] == NO_NUL_PATTERN
    assert properties["tags"]["items"]["pattern"] == NO_NUL_PATTERN
    assert properties["price"] == {
        "default": "0",
        "pattern": r"^\d{1,10}(\.\d{1,2})?$",
        "title": "Price",
        "type": "string",
    }
    assert properties["rate"]["anyOf"][0] == {"pattern": r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$", "type": "string"}
    assert "CNY" in properties["currency"]["enum"]
    assert "XYZ" not in properties["currency"]["enum"]


@pytest.mark.parametrize("since", ["0.5", "1700000000", "1e9"])
def test_a_filter_date_is_iso_text_not_a_number_of_seconds(since):
    with pytest.raises(ValidationError) as raised:
        ThingFilter.model_validate({"since": since})

    assert raised.value.errors()[0]["type"] == "datetime_type"


def test_a_filter_reads_iso_dates_and_numbers_from_text():
    filters = ThingFilter.model_validate({"since": "2026-01-23T08:00:00Z", "count": "5"})

    assert (filters.since, filters.count) == (dt.datetime(2026, 1, 23, 8, tzinfo=dt.UTC), 5)


@pytest.mark.parametrize("count", [2**63, -(2**63), 1e30])
def test_an_integer_beyond_64_bits_is_refused(count):
    assert _error({"count": count}) == (("count",), "int_range")


def test_a_filter_integer_beyond_64_bits_is_refused():
    with pytest.raises(ValidationError) as raised:
        ThingFilter.model_validate({"count": str(2**63)})

    assert raised.value.errors()[0]["type"] == "int_range"


def test_integers_are_bounded_to_64_bits_in_the_schema():
    count = Thing.model_json_schema()["properties"]["count"]["anyOf"][0]

    assert (count["minimum"], count["maximum"]) == (-(2**63 - 1), 2**63 - 1)


class Stamp(InputSchema):
    at: dt.datetime


def test_an_aware_datetime_is_kept_in_utc_whatever_offset_it_came_with():
    stamp = Stamp.model_validate({"at": "2026-01-23T08:00:00+19:20"})

    assert stamp.at == dt.datetime(2026, 1, 22, 12, 40, tzinfo=dt.UTC)
    assert stamp.at.utcoffset() == dt.timedelta(0)
    assert ThingFilter.model_validate({"since": "0551-03-31T06:24:36+19:20"}).since.tzinfo == dt.UTC


def test_a_datetime_before_the_first_utc_day_is_refused():
    with pytest.raises(ValidationError) as raised:
        Stamp.model_validate({"at": "0001-01-01T00:00:00+01:00"})

    assert raised.value.errors()[0]["type"] == "datetime_range"


def test_if_match_names_a_version_a_star_means_any_and_garbage_is_refused():
    from dingdan.core.versioning import InvalidIfMatch, parse_if_match

    assert parse_if_match('"3"') == 3
    assert parse_if_match('W/"12"') == 12
    assert parse_if_match("*") is None
    assert parse_if_match(None) is None
    with pytest.raises(InvalidIfMatch):
        parse_if_match("three")
