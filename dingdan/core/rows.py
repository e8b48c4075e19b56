"""Lean writes of model rows for the hot paths (order placement and what it writes).

`rows_insert` and `row_update` write exactly what `bulk_create` and `save(update_fields=...)`
write: the same columns, `pre_save` run for `auto_now`/`auto_now_add` fields, every value
prepared by its field for the connection unless the field would pass it unchanged (plain
ints, strs and bools; on PostgreSQL also decimals, aware datetimes, dates, UUIDs). They skip the
ORM's query compiler, which is most of Django's cost per row, and send no signals (none of
the models they write has receivers; bulk_create sends none either). A model they cannot
write plainly (a `db_default`, a generated or database-returned field) goes through the ORM.
"""

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Field
from psycopg.types.json import Json, Jsonb

M = TypeVar("M", bound=models.Model)

# Field classes whose ints, strs and bools go to the driver as they are (their
# get_db_prep_save returns them unchanged); any other value is prepared by its field.
_PLAIN_CLASSES = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
)
_PLAIN_VALUES = (int, str, bool, type(None))


def _finite_decimal(value: Any) -> bool:
    return type(value) is Decimal and value.is_finite()


def _aware_datetime(value: Any) -> bool:
    return type(value) is dt.datetime and value.tzinfo is not None


def _date(value: Any) -> bool:
    return type(value) is dt.date


def _uuid(value: Any) -> bool:
    return type(value) is uuid.UUID


# PostgreSQL: values these field classes prepare unchanged (their get_db_prep_save returns
# them as they are: PostgreSQL's driver takes decimals, aware datetimes, dates and UUIDs). A
# NaN decimal, a naive datetime or a datetime in a DateField still goes through its field.
_PG_UNCHANGED: dict[type[Field], Callable[[Any], bool]] = {
    models.DecimalField: _finite_decimal,
    models.DateTimeField: _aware_datetime,
    models.DateField: _date,
    models.UUIDField: _uuid,
}


@dataclass(frozen=True)
class _Column:
    field: Field
    attname: str
    plain: bool  # ints, strs and bools pass unchanged
    pre_save: bool  # the field computes its value when saved (auto_now, auto_now_add)
    unchanged: Callable[[Any], bool] | None = None  # other values that pass unchanged


@dataclass(frozen=True)
class _Plan:
    table: str
    columns: tuple[_Column, ...]
    private_relations: bool  # a GenericForeignKey: every object is checked as bulk_create does
    names: str  # the quoted column list
    pk_attname: str
    returns_pk: bool  # the pk is the database's: left out and read back
    arrays: str  # PostgreSQL: one array parameter per column, "(%s)::bigint[], …"
    elements: str  # PostgreSQL: the columns of one JSON row `r`, "(r->>0)::bigint, …"


def fields_of(model: type[models.Model], *names: str) -> list[Field]:
    """The model's concrete fields of these names, in this order (for `rows_select`)."""
    found = [model._meta.get_field(name) for name in names]
    if not all(isinstance(field, Field) and field.concrete for field in found):
        raise ValueError(f"not concrete fields of {model.__name__}: {names}")
    return found  # type: ignore[return-value]


def column_of(field: Field) -> str:
    """The field's column, quoted the SQL-standard way (PostgreSQL and SQLite alike)."""
    return f'"{_name(field)}"'


def _name(field: Any) -> str:
    if not field.column:
        raise ValueError(f"{field} has no column")
    return str(field.column)


def _column(field: Field, vendor: str) -> _Column:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    unchanged = None
    if (
        vendor == "postgresql"
        and not field.is_relation
        and (settings.USE_TZ or type(field) is not models.DateTimeField)
    ):
        unchanged = _PG_UNCHANGED.get(type(field))
    return _Column(
        field=field,
        attname=field.attname,
        plain=type(target) in _PLAIN_CLASSES,
        pre_save=type(field).pre_save is not Field.pre_save,
        unchanged=unchanged,
    )


_plans: dict[tuple[type[models.Model], str, bool], _Plan | None] = {}


def _plan(model: type[models.Model], vendor: str, with_pk: bool) -> _Plan | None:
    key = (model, vendor, with_pk)
    if key not in _plans:
        _plans[key] = _plan_build(model, vendor, with_pk)
    return _plans[key]


def _plan_build(model: type[models.Model], vendor: str, with_pk: bool) -> _Plan | None:
    meta = model._meta
    fields = list(meta.concrete_fields)
    if meta.parents or any(
        (f.db_returning and f is not meta.pk) or f.has_db_default() or f.generated for f in fields
    ):
        return None
    auto_pk = isinstance(meta.pk, models.AutoField)
    returns_pk = auto_pk and not with_pk
    if returns_pk:
        fields = [f for f in fields if f is not meta.pk]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    # As Django's own bulk insert on PostgreSQL: array types without their length, so nothing
    # is cut (varchar[], not varchar(50)[]).
    types = [str(f.db_type(connection)).split("(")[0] for f in fields] if vendor == "postgresql" else []
    arrays = ", ".join(f"(%s)::{t}[]" for t in types)
    elements = ", ".join(f"(r->>{i})::{t}" for i, t in enumerate(types))
    return _Plan(
        table=quote(meta.db_table),
        columns=tuple(_column(f, vendor) for f in fields),
        private_relations=any(f.is_relation for f in meta.private_fields),
        names=", ".join(quote(_name(f)) for f in fields),
        pk_attname=meta.pk.attname,
        returns_pk=returns_pk,
        arrays=arrays,
        elements=elements,
    )


def _values(obj: models.Model, columns: Sequence[_Column], connection: Any, add: bool) -> list[Any]:
    values = []
    for column in columns:
        value = column.field.pre_save(obj, add) if column.pre_save else getattr(obj, column.attname)
        if not (
            (column.plain and type(value) in _PLAIN_VALUES)
            or (column.unchanged is not None and column.unchanged(value))
        ):
            value = column.field.get_db_prep_save(value, connection)
        values.append(value)
    return values


def _json_text(value: Any) -> str:
    """The text PostgreSQL reads back as this prepared value (its input format)."""
    if isinstance(value, (Json, Jsonb)):  # a JSON column's value, dumped as its field says
        return str((value.dumps or json.dumps)(value.obj))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()  # microseconds and offset kept
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(type(value).__name__)  # anything else goes as arrays


def _as_json(values: list[list[Any]]) -> str | None:
    """The rows as one JSON array of arrays, or None when a value has no exact text form here
    (floats, bytes, intervals...: those rows go as arrays)."""
    if any(type(value) is float for row in values for value in row):
        return None
    try:
        return json.dumps(values, ensure_ascii=False, default=_json_text, check_circular=False)
    except TypeError:
        return None


def rows_insert(objs: Sequence[M]) -> list[M]:
    """Insert `objs` (instances of one model, in this order) as `bulk_create` would, and set
    their database-made pks. Returns them."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    with_pk = objs[0].pk is not None
    plan = _plan(model, connection.vendor, with_pk)
    if (
        plan is None
        or not connection.features.can_return_rows_from_bulk_insert
        or any(type(obj) is not model or (obj.pk is not None) != with_pk for obj in objs)
    ):
        return model._default_manager.db_manager(alias).bulk_create(objs)
    for obj in objs:  # as bulk_create: a related object must be saved, its pk is copied
        # (only an object given as a related object is cached: with none, nothing to check)
        if obj._state.fields_cache or plan.private_relations:
            obj._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
    limit = connection.features.max_query_params  # as bulk_batch_size: the rows a statement holds
    size = len(objs) if limit is None else max(1, limit // len(plan.columns))
    row = "(" + ", ".join(["%s"] * len(plan.columns)) + ")"
    returning = f" RETURNING {connection.ops.quote_name(_name(model._meta.pk))}" if plan.returns_pk else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            values = [_values(obj, plan.columns, connection, True) for obj in chunk]
            rows_json = _as_json(values) if plan.elements and len(chunk) > 1 else None
            if rows_json is not None:
                # One JSON parameter for all the rows, each an array of its columns' texts,
                # cast in the statement: the statement does not grow with the rows (so it
                # is prepared once), and one json.dumps costs far less than the driver's
                # dumping of one array per column.
                params: list[Any] = [rows_json]
                source = f"SELECT {plan.elements} FROM json_array_elements(%s::json) AS r"  # noqa: S608 (types from the fields)
            elif plan.arrays and len(chunk) > 1:
                params = [list(column) for column in zip(*values, strict=True)]
                source = f"SELECT * FROM UNNEST({plan.arrays})"  # noqa: S608 (types from the fields)
            else:
                params = [value for row_values in values for value in row_values]
                source = "VALUES " + ", ".join([row] * len(chunk))
            sql = f"INSERT INTO {plan.table} ({plan.names}) {source}{returning}"
            cursor.execute(sql, params)
            if plan.returns_pk:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(obj, plan.pk_attname, pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def row_update(obj: models.Model, fields: Sequence[str]) -> int:
    """Write `fields` of the saved `obj` (by pk) as `save(update_fields=fields)` would, and
    return how many rows changed (0: the row is gone)."""
    model = type(obj)
    connection = connections[router.db_for_write(model)]
    columns, sql = _update_plan(model, tuple(fields), connection)
    params = _values(obj, columns, connection, False)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        return cursor.rowcount


_update_plans: dict[tuple[type[models.Model], tuple[str, ...], str], tuple[list[_Column], str]] = {}


def _update_plan(
    model: type[models.Model], fields: tuple[str, ...], connection: Any
) -> tuple[list[_Column], str]:
    """The columns of `fields` and the UPDATE statement writing them, worked out once."""
    key = (model, fields, connection.vendor)
    if key not in _update_plans:
        columns = [_column(f, connection.vendor) for f in fields_of(model, *fields)]
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(_name(c.field))} = %s" for c in columns)
        table, pk = quote(model._meta.db_table), quote(_name(model._meta.pk))
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (quoted names, values as parameters)
        _update_plans[key] = (columns, sql)
    return _update_plans[key]


_converters: dict[tuple[Field, str], tuple[Any, list[Any]]] = {}


def _converters_of(field: Field, connection: Any) -> tuple[Any, list[Any]]:
    """The column expression of `field` and the converters the ORM applies to its values
    read on `connection` (backend converters first, then the field's own)."""
    key = (field, connection.vendor)
    if key not in _converters:
        col = field.get_col(field.model._meta.db_table)
        _converters[key] = (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
    return _converters[key]


def rows_select(sql: str, params: Sequence[Any], fields: Sequence[Field]) -> list[tuple[Any, ...]]:
    """Run a SELECT written by hand whose columns are the columns of `fields`, in order, and
    return its rows with every value converted as the ORM converts that field's values (a
    decimal, date or JSON column reads the same on SQLite and PostgreSQL). For the hot reads,
    where building the query through the ORM costs more than running it."""
    connection = connections[router.db_for_read(fields[0].model)] if fields else connections["default"]
    plans = [_converters_of(field, connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(converters for _col, converters in plans):
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for index, (col, converters) in enumerate(plans):
            for converter in converters:
                values[index] = converter(values[index], col, connection)
        converted.append(tuple(values))
    return converted


def value_for(field: Field, value: Any) -> Any:
    """`value` as a parameter of a hand-written query comparing `field` (a datetime or
    decimal as the database stores it: SQLite keeps datetimes as text)."""
    connection = connections[router.db_for_read(field.model)]
    return field.get_db_prep_value(value, connection, prepared=False)


@contextlib.contextmanager
def rows_collected(batch: ContextVar[list[M] | None], write: Callable[[list[M]], Any]) -> Iterator[None]:
    """Collect the rows appended to `batch` inside the block and pass them, in order, to
    `write` once when the block ends without an error (a block that raises writes nothing;
    its transaction rolls back anyway). Nested blocks join the outer one."""
    if batch.get() is not None:
        yield
        return
    rows: list[M] = []
    token = batch.set(rows)
    try:
        yield
    finally:
        batch.reset(token)
    if rows:
        write(rows)
