"""A contract of core.rows: its lean writes store exactly what the ORM stores and its lean
read converts exactly as the ORM converts, on SQLite and on PostgreSQL (one row and many:
PostgreSQL inserts many through one JSON parameter, or through arrays when a value has no
exact JSON text)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection, models
from django.utils import timezone

from dingdan.core.models import AuditEntry, IdempotencyKey, OutboxEvent
from dingdan.core.rows import _as_json, _column, row_update, rows_insert, rows_select, value_for
from dingdan.customers.models import Address, Customer
from dingdan.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# JSON that a careless writer gets wrong: a bare string, a number, a list, null inside, text
# that needs escaping, and keys out of order.
AWKWARD_JSON = ["just text", 12.5, [1, None, "二"], {"b": 'quote " and \\ back', "a": {"z": [True]}}]


def events(prefix, count):
    return [
        OutboxEvent(
            type=f"{prefix}.{n}",
            aggregate_type="order",
            aggregate_id=str(n),
            data=AWKWARD_JSON[n % len(AWKWARD_JSON)],
            channel_id=None if n % 2 else 10**12 + n,
        )
        for n in range(count)
    ]


def stored(model, pks, *, exclude=("id", "event_id", "created_at")):
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return [tuple(row) for row in model.objects.filter(pk__in=pks).order_by("pk").values_list(*names)]


@pytest.mark.parametrize("count", [1, 4])
def test_inserted_rows_read_back_as_the_orms_bulk_create_stores_them(count):
    ours, theirs = events("ours", count), events("ours", count)

    rows_insert(ours)
    OutboxEvent.objects.bulk_create(theirs)

    assert all(event.pk is not None and not event._state.adding for event in ours)
    assert [e.pk for e in ours] == sorted(e.pk for e in ours)  # pks given in the objects' order
    assert stored(OutboxEvent, [e.pk for e in ours]) == stored(OutboxEvent, [e.pk for e in theirs])
    again = OutboxEvent.objects.get(pk=ours[-1].pk)
    assert (again.event_id, again.data, again.created_at) == (
        ours[-1].event_id,
        ours[-1].data,
        ours[-1].created_at,
    )
    assert isinstance(again.event_id, uuid.UUID)


def test_bytes_datetimes_and_auto_now_add_are_stored_as_the_orm_stores_them():
    locked = timezone.now() - dt.timedelta(minutes=3)
    keys = [
        IdempotencyKey(
            principal="token:1",
            key=f"k{n}",
            fingerprint="f",
            status="in_progress",
            locked_at=locked,
            response_body=b"\x00\xffbody" if n else None,
        )
        for n in range(3)
    ]

    rows_insert(keys)

    read = list(IdempotencyKey.objects.filter(pk__in=[k.pk for k in keys]).order_by("pk"))
    assert [(r.key, r.locked_at, r.response_body and bytes(r.response_body)) for r in read] == [
        ("k0", locked, None),
        ("k1", locked, b"\x00\xffbody"),
        ("k2", locked, b"\x00\xffbody"),
    ]
    assert all(
        r.created_at == k.created_at and r.created_at > locked for r, k in zip(read, keys, strict=True)
    )


def test_many_rows_of_decimals_times_booleans_json_and_chinese_text_store_as_bulk_create_stores_them():
    def customers(prefix):
        return [
            CustomerFactory.build(
                code=f"{prefix}{n}",
                phone=f"+86139000000{n}",
                email=f"c{n}@example.com",
                name=["张三", 'Quote " and \\ back', "李四\n第二行"][n],
                credit_limit=[Decimal("0.10"), Decimal("12345678.99"), Decimal("1E+2")][n],
                credit_hold=bool(n % 2),
                notify_muted_events=[[], ["order.shipped"], {"k": None}][n],
                sms_quiet_start=[None, dt.time(22, 30), dt.time(0, 0, 0, 500)][n],
            )
            for n in range(3)
        ]

    ours, theirs = customers("ours"), customers("theirs")
    rows_insert(ours)
    Customer.objects.bulk_create(theirs)

    exclude = ("id", "code", "created_at", "updated_at")
    assert stored(Customer, [c.pk for c in ours], exclude=exclude) == stored(
        Customer, [c.pk for c in theirs], exclude=exclude
    )
    assert [c.pk for c in ours] == sorted(c.pk for c in ours)
    assert Customer.objects.get(pk=ours[2].pk).credit_limit == Decimal("100.00")


def test_datetimes_keep_their_microseconds_and_offsets_in_a_many_row_insert():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    moments = [
        dt.datetime(2026, 1, 2, 3, 4, 5, n * 123_457 % 1_000_000, tzinfo=shanghai) for n in range(1, 4)
    ]
    entries = [
        AuditEntry(
            aggregate_type="order",
            aggregate_id="micro",
            sequence=n,
            action="created",
            at=at,
            before=None,
            after={"n": n},
            prev_hash="0" * 64,
            hash=f"{n}" * 64,
        )
        for n, at in enumerate(moments)
    ]

    rows_insert(entries)

    assert [e.at for e in AuditEntry.objects.filter(aggregate_id="micro").order_by("sequence")] == moments


def test_rows_without_an_exact_json_text_are_left_to_the_arrays():
    assert _as_json([[1, "a", Decimal("1.5"), None, True]]) == '[[1, "a", "1.5", null, true]]'
    assert _as_json([[1, 0.5]]) is None  # a float's text is not the driver's
    assert _as_json([[1, b"\x00"]]) is None
    assert _as_json([[1, dt.timedelta(seconds=1)]]) is None


def test_an_update_writes_only_the_named_fields_and_refreshes_auto_now():
    customer = CustomerFactory(name="张三", credit_limit=Decimal("100.00"))
    before = customer.updated_at
    customer.name, customer.credit_limit, customer.phone = "李四", Decimal("2500.5"), "+8613800000000"

    changed = row_update(customer, ["name", "credit_limit", "updated_at"])

    again = Customer.objects.get(pk=customer.pk)
    assert changed == 1
    assert (again.name, again.credit_limit) == ("李四", Decimal("2500.50"))
    assert again.phone != "+8613800000000"  # not named: not written
    assert again.updated_at == customer.updated_at > before


def test_a_related_object_is_checked_as_bulk_create_checks_it():
    customer = Customer(name="王五", phone="+8613900000001")
    address = Address(customer=customer, recipient="王五", phone="+8613900000001", street="长安街 1 号")

    before = Address.objects.count()
    with pytest.raises(ValueError, match="unsaved related object 'customer'"):
        rows_insert([address])
    assert (Address.objects.count(), address.pk) == (before, None)  # nothing written
    customer.save()
    rows_insert([address])  # saved since it was given: its pk is copied, as bulk_create does

    assert Address.objects.get(pk=address.pk).customer_id == customer.pk


def test_updates_of_other_fields_of_the_same_model_each_write_their_own():
    customer = CustomerFactory(name="张三", phone="+8613800000002")
    customer.name, customer.phone = "李四", "+8613800000003"

    row_update(customer, ["name"])
    customer.name = "赵六"
    row_update(customer, ["phone"])  # a plan of its own: the name is not written again

    again = Customer.objects.get(pk=customer.pk)
    assert (again.name, again.phone) == ("李四", "+8613800000003")


def test_an_update_of_a_row_that_is_gone_changes_nothing():
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).delete()

    assert row_update(customer, ["name"]) == 0


def test_a_hand_written_select_converts_decimals_booleans_json_and_datetimes_as_the_orm_does():
    customer = CustomerFactory(credit_limit=Decimal("1234.50"), credit_hold=True)
    entry = AuditEntry.objects.create(
        aggregate_type="order",
        aggregate_id="1",
        sequence=1,
        action="created",
        at=timezone.now(),
        before=None,
        after={"total": "9.90", "lines": [1, 2]},
        prev_hash="0" * 64,
        hash="h" * 64,
    )
    customer_fields = [Customer._meta.get_field(n) for n in ("credit_limit", "credit_hold", "created_at")]
    entry_fields = [AuditEntry._meta.get_field(n) for n in ("after", "before", "at")]

    customer_row = rows_select(
        'SELECT "credit_limit", "credit_hold", "created_at" FROM "customers_customer" WHERE "id" = %s',
        [customer.pk],
        customer_fields,
    )
    entry_row = rows_select(
        'SELECT "after", "before", "at" FROM "core_auditentry" WHERE "aggregate_type" = %s AND "at" >= %s',
        ["order", value_for(entry_fields[2], entry.at - dt.timedelta(seconds=1))],
        entry_fields,
    )

    assert customer_row == [
        tuple(
            Customer.objects.filter(pk=customer.pk)
            .values_list("credit_limit", "credit_hold", "created_at")
            .get()
        )
    ]
    assert customer_row[0][:2] == (Decimal("1234.50"), True)
    assert entry_row == [({"total": "9.90", "lines": [1, 2]}, None, entry.at)]


def _named(field):
    field.set_attributes_from_name("value")
    return field


@pytest.mark.parametrize(
    ("field_class", "kwargs", "value"),
    [
        (models.DecimalField, {"max_digits": 12, "decimal_places": 2}, Decimal("12.30")),
        (models.DecimalField, {"max_digits": 12, "decimal_places": 2}, Decimal("-0.001")),
        (
            models.DateTimeField,
            {},
            dt.datetime(2026, 11, 24, 8, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
        (models.DateField, {}, dt.date(2026, 2, 28)),
        (models.UUIDField, {}, uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ],
)
def test_a_value_passed_unchanged_is_what_its_field_would_prepare(field_class, kwargs, value):
    # rows_insert skips get_db_prep_save for these on PostgreSQL: the field must agree.
    column = _column(_named(field_class(**kwargs)), connection.vendor)
    prepared = field_class(**kwargs).get_db_prep_save(value, connection)

    if connection.vendor == "postgresql":
        assert column.unchanged is not None
        assert column.unchanged(value)
        assert (prepared, type(prepared)) == (value, type(value))
    else:
        assert column.unchanged is None


@pytest.mark.parametrize(
    ("field_class", "value"),
    [
        (models.DecimalField, Decimal("NaN")),
        (models.DateTimeField, dt.datetime(2026, 11, 24, 8, 30)),  # naive: the field warns and makes it aware
        (models.DateField, dt.datetime(2026, 11, 24, 8, 30, tzinfo=dt.UTC)),  # the field keeps the date
    ],
)
def test_a_value_its_field_would_change_or_refuse_is_not_passed_unchanged(field_class, value):
    field = (
        field_class(max_digits=5, decimal_places=2) if field_class is models.DecimalField else field_class()
    )
    column = _column(_named(field), "postgresql")

    assert column.unchanged is not None
    assert not column.unchanged(value)
