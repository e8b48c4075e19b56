"""Keyset pagination: opaque cursors, a capped limit, and 400 for a cursor that is not ours."""

import base64
import datetime as dt
import json

import pytest

from dingdan.core.models import OutboxEvent
from dingdan.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, InvalidCursor, clamp_limit, paginate

pytestmark = pytest.mark.django_db


def _events(count: int) -> list[OutboxEvent]:
    return OutboxEvent.objects.bulk_create(
        OutboxEvent(type="channel.opened", aggregate_type="channel", aggregate_id=str(n), data={})
        for n in range(count)
    )


def _cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _read_all(ordering: tuple[str, ...], limit: int) -> tuple[list[int], int]:
    seen: list[int] = []
    cursor, pages = None, 0
    while True:
        rows, cursor = paginate(OutboxEvent.objects.all(), limit=limit, cursor=cursor, ordering=ordering)
        seen += [row.pk for row in rows]
        pages += 1
        if cursor is None:
            return seen, pages


def test_following_the_cursors_reads_every_row_once_in_order():
    events = _events(7)

    seen, pages = _read_all(("pk",), limit=3)

    assert seen == [e.pk for e in events]
    assert pages == 3


def test_descending_order_with_ties_on_the_first_field_reads_every_row_once():
    events = _events(9)
    moment = dt.datetime(2026, 1, 23, 8, 30, 0, 123456, tzinfo=dt.UTC)
    OutboxEvent.objects.filter(pk__in=[e.pk for e in events[:5]]).update(created_at=moment)
    OutboxEvent.objects.filter(pk__in=[e.pk for e in events[5:]]).update(
        created_at=moment + dt.timedelta(microseconds=1)
    )

    seen, pages = _read_all(("-created_at", "pk"), limit=2)

    assert seen == [e.pk for e in events[5:]] + [e.pk for e in events[:5]]
    assert pages == 5


def test_the_last_page_has_no_cursor():
    _events(2)

    rows, cursor = paginate(OutboxEvent.objects.all(), limit=2, cursor=None)

    assert len(rows) == 2
    assert cursor is None


@pytest.mark.parametrize(
    ("asked", "used"),
    [(None, DEFAULT_LIMIT), (1, 1), (200, 200), (201, MAX_LIMIT), (10**9, MAX_LIMIT), (0, 1), (-5, 1)],
)
def test_the_limit_is_capped(asked, used):
    assert clamp_limit(asked) == used


def test_a_limit_of_a_billion_returns_two_hundred_rows_and_a_cursor():
    _events(205)

    rows, cursor = paginate(OutboxEvent.objects.all(), limit=10**9, cursor=None)

    assert len(rows) == 200
    assert cursor is not None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        _cursor({"pk": 1}),
        _cursor([1, 2]),
        _cursor([]),
        _cursor(["x"]),
        _cursor([None]),
        _cursor([[1]]),
        base64.urlsafe_b64encode(b"[1e400]").decode(),
        base64.urlsafe_b64encode(b"[-Infinity]").decode(),
        base64.urlsafe_b64encode(b"[NaN]").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_we_did_not_issue_is_invalid(cursor):
    _events(1)

    with pytest.raises(InvalidCursor) as raised:
        paginate(OutboxEvent.objects.all(), limit=10, cursor=cursor)

    assert (raised.value.status, raised.value.code) == (400, "invalid_cursor")


def test_a_cursor_with_a_bad_date_for_a_date_ordering_is_invalid():
    _events(1)

    with pytest.raises(InvalidCursor):
        paginate(
            OutboxEvent.objects.all(),
            limit=10,
            cursor=_cursor(["yesterday", 1]),
            ordering=("-created_at", "pk"),
        )


def test_a_cursor_beyond_any_integer_the_database_holds_is_a_page_not_an_error():
    events = _events(1)
    everything = OutboxEvent.objects.all()

    assert paginate(everything, limit=10, cursor=_cursor([10**30]), ordering=("pk",)) == ([], None)
    assert paginate(everything, limit=10, cursor=_cursor([10**30]), ordering=("-pk",)) == (events, None)
