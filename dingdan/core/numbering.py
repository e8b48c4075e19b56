"""Human-readable document numbers: prefix + business date + digits from one sequence.

`SO260123-000042`: the digits come from a PostgreSQL sequence (no hot row, never reset) or,
on SQLite, from an AUTOINCREMENT ticket table. Gaps are allowed; gapless series (invoices)
use another mechanism.
"""

import datetime as dt

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone

from .models import NumberTicket

SEQUENCES = ("order", "purchase_order", "shipment", "return", "document")


def _sequence_name(series: str) -> str:
    if series not in SEQUENCES:
        raise ValueError(f"unknown number series {series!r}")
    return f"dingdan_{series}_number_seq"


def next_value(series: str) -> int:
    """The next value of `series`; unique across all callers, never reused."""
    name = _sequence_name(series)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [name])
            return int(cursor.fetchone()[0])
    ticket = NumberTicket.objects.create()
    NumberTicket.objects.filter(pk=ticket.pk).delete()  # AUTOINCREMENT keeps the high mark
    return ticket.pk


def number_and_pk_next(
    *, series: str, prefix: str, model: type[Model], now: dt.datetime | None = None
) -> tuple[str, int | None]:
    """A new number of `series` (as `number_next`) and, on PostgreSQL, a fresh primary key of
    `model` from its identity sequence, both in one statement: a caller can then write the row
    once, when it is complete, and write rows pointing at it before (PostgreSQL checks foreign
    keys at commit). None on SQLite, where a row gets its pk when it is inserted."""
    if connection.vendor != "postgresql":
        return number_next(series=series, prefix=prefix, now=now), None
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s), nextval(pg_get_serial_sequence(%s, %s))",
            [_sequence_name(series), connection.ops.quote_name(meta.db_table), meta.pk.column],
        )
        value, pk = cursor.fetchone()
    return format_number(prefix, _business_date(now), int(value)), int(pk)


def format_number(prefix: str, business_date: dt.date, value: int) -> str:
    return f"{prefix}{business_date:%y%m%d}-{value:06d}"


def _business_date(now: dt.datetime | None) -> dt.date:
    """The date of `now` (default: this moment) in the company time zone."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def number_next(*, series: str, prefix: str, now: dt.datetime | None = None) -> str:
    """A new number of `series` dated with today's business date in the company time zone."""
    return format_number(prefix, _business_date(now), next_value(series))


@receiver(post_migrate)
def _create_sequences(sender, using="default", **kwargs) -> None:  # type: ignore[no-untyped-def]
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql" or getattr(sender, "label", None) != "core":
        return
    with conn.cursor() as cursor:
        for series in SEQUENCES:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {_sequence_name(series)}")
