"""Document numbers: prefix, business date in the company time zone, one rising sequence."""

import datetime as dt
import itertools

import pytest

from dingdan.core.numbering import format_number, next_value, number_and_pk_next, number_next

pytestmark = pytest.mark.django_db


def test_a_number_is_the_prefix_the_business_date_and_six_digits():
    assert format_number("SO", dt.date(2026, 1, 23), 42) == "SO260123-000042"


def test_a_number_grows_past_six_digits_instead_of_wrapping():
    assert format_number("PO", dt.date(2026, 12, 31), 1234567) == "PO261231-1234567"


@pytest.mark.parametrize(
    ("utc", "date"),
    [
        (dt.datetime(2026, 1, 23, 15, 59, 59, tzinfo=dt.UTC), "260123"),  # 23:59:59 in Shanghai
        (dt.datetime(2026, 1, 23, 16, 0, 0, tzinfo=dt.UTC), "260124"),  # midnight in Shanghai
        (dt.datetime(2026, 1, 23, 23, 59, 59, tzinfo=dt.UTC), "260124"),  # still the 23rd in UTC
        (dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=dt.UTC), "270101"),  # new year in Shanghai first
    ],
)
def test_the_date_is_the_business_date_in_shanghai_not_the_utc_date(utc, date):
    number = number_next(series="order", prefix="SO", now=utc)

    assert number.startswith(f"SO{date}-")
    assert len(number) == len("SO260123-000001")


def test_the_date_ignores_a_time_zone_activated_for_the_request():
    from django.utils import timezone

    with timezone.override("America/New_York"):
        number = number_next(series="order", prefix="SO", now=dt.datetime(2026, 1, 23, 16, 0, tzinfo=dt.UTC))

    assert number.startswith("SO260124-")


def test_values_strictly_increase_and_never_repeat():
    values = [next_value("order") for _ in range(50)]

    assert values == sorted(values)
    assert len(set(values)) == 50


def test_numbers_of_one_series_strictly_increase():
    now = dt.datetime(2026, 1, 23, 2, 0, tzinfo=dt.UTC)

    digits = [int(number_next(series="shipment", prefix="SH", now=now).split("-")[1]) for _ in range(20)]

    assert all(later > earlier for earlier, later in itertools.pairwise(digits))


def test_an_unknown_series_is_refused():
    with pytest.raises(ValueError, match="unknown number series 'invoice'"):
        next_value("invoice")


@pytest.mark.postgres_only
def test_a_pk_taken_with_a_number_is_never_given_to_a_row_inserted_after_it():
    from dingdan.core.models import NumberTicket

    utc = dt.datetime(2026, 1, 23, 16, 0, 0, tzinfo=dt.UTC)
    number, pk = number_and_pk_next(series="order", prefix="SO", model=NumberTicket, now=utc)

    assert number.startswith("SO260124-")
    later = NumberTicket.objects.create()
    NumberTicket.objects.create(pk=pk)  # the caller writes its row with the pk it was given
    assert later.pk > pk


@pytest.mark.sqlite_only
def test_on_sqlite_a_number_comes_without_a_pk():
    from dingdan.core.models import NumberTicket

    number, pk = number_and_pk_next(series="order", prefix="SO", model=NumberTicket)

    assert (number.startswith("SO"), pk) == (True, None)  # the row gets its pk when inserted
