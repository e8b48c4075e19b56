"""Exact process-local copies of rarely-changing rows: master data and settings.

Placing an order reads the same channel, SKUs, prices, promotions, shipping rules, check
settings and warehouses every time, and reading them through the ORM cost more than the
order's own writes. Each process keeps copies, and every copy is exact when it is used:

- Each context registers the tables its copies come from (`cached_tables_register`, at app
  start). After every `migrate` a trigger on each of them sets the version row
  (`core_cacheversion`, name "master") to a fresh random number in the transaction that
  writes the table. Services, the admin, bulk updates, raw SQL and imports all count; a
  version that is rolled back never comes back. (A trigger, not a signal: `QuerySet.update`
  and `bulk_create` send none. Re-created after every migrate because SQLite drops a table's
  triggers when a migration rebuilds it.)
- `cached(key, load)` reads the version (one primary-key read), then returns the copy kept
  for that version or calls `load` and keeps its result. Version first, rows second: a write
  committed between the two makes a copy newer than its version, never older.
- `cache_scope()` reads the version once for a block: inside it, copies are those of the
  block's start, as if the block ran at that moment. Order placement runs in one; it writes
  none of the cached tables. A caller that read the version with its own rows
  (`VERSION_COLUMN`: the API token lookup) passes it as `Seen`, and the block runs as of
  that moment, earlier in the same request, without reading it again.
- No version row (before the first migrate, after a flush): nothing is kept, every read loads.

Copies are shared by every request of the process: callers must not change them.
`dingdan verify` reports a cached table without its trigger.
"""

import contextlib
import secrets
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models.signals import post_migrate
from django.dispatch import receiver

T = TypeVar("T")

GROUP = "master"
MAX_COPIES = 50_000  # more keys than this: start again (a bound on memory, not a policy)

_tables: set[str] = set()
_copies: dict[Hashable, Any] = {}
_copies_version: list[int | None] = [None]
_scope_version: ContextVar[int | bool | None] = ContextVar("dingdan_cache_scope", default=False)


def cached_tables_register(*tables: str) -> None:
    """Copies are made from these tables (db_table names): they get the version trigger."""
    _tables.update(tables)


def cached_tables() -> set[str]:
    return set(_tables)


def _version_read() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM core_cacheversion WHERE name = %s", [GROUP])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _version() -> int | None:
    scoped = _scope_version.get()
    if scoped is not False:
        return scoped  # type: ignore[return-value]
    return _version_read()


# The version as a column of a caller's own SELECT: read in the statement that reads the
# caller's rows, it costs no round trip of its own (the API token lookup reads it).
VERSION_COLUMN = f"(SELECT version FROM core_cacheversion WHERE name = '{GROUP}')"  # noqa: S608 (a constant)


@dataclass(frozen=True)
class Seen:
    """A version read earlier in the request (VERSION_COLUMN): a block may run as of that read."""

    version: int | None


@contextlib.contextmanager
def cache_scope(seen: Seen | None = None) -> Iterator[None]:
    """Read the version once for the block (nested scopes keep the outer one's). With `seen`,
    the block uses that version instead, as if it ran when the version was read: for a block
    that writes no cached table, in the request that read it (a block that wrote one would
    not see its own write in the copies)."""
    if _scope_version.get() is not False:
        yield
        return
    token = _scope_version.set(seen.version if seen is not None else _version_read())
    try:
        yield
    finally:
        _scope_version.reset(token)


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """The copy of `load()` kept for the current version under `key` (loaded when missing)."""
    version = _version()
    if version is None:
        return load()
    _forget_older(version, 1)
    try:
        return _copies[(version, key)]  # type: ignore[no-any-return]
    except KeyError:
        value = _copies[(version, key)] = load()
        return value


def _forget_older(version: int, adding: int) -> None:
    """Drop the copies of other versions (and everything when full). Copies are keyed by their
    version too, so one stored late by a thread still on an older version is never served to
    a reader of the newer one."""
    if _copies_version[0] != version or len(_copies) + adding >= MAX_COPIES:
        _copies.clear()
        _copies_version[0] = version


def cached_many(
    prefix: Hashable, keys: set[Any], load: Callable[[set[Any]], dict[Any, Any]]
) -> dict[Any, Any]:
    """Per-key copies of `load(missing_keys) -> {key: value}` (keys absent from its answer
    are kept as absent, so unknown keys do not cost a read each time)."""
    version = _version()
    if version is None:
        return load(keys)
    _forget_older(version, len(keys))
    found: dict[Any, Any] = {}
    missing: set[Any] = set()
    for key in keys:
        value = _copies.get((version, prefix, key), _MISSING)
        if value is _MISSING:
            missing.add(key)
        elif value is not _ABSENT:
            found[key] = value
    if missing:
        loaded = load(missing)
        for key in missing:
            value = loaded.get(key, _ABSENT)
            _copies[(version, prefix, key)] = value
            if value is not _ABSENT:
                found[key] = value
    return found


def cache_clear() -> None:
    """Forget every copy of this process (the next reads load again)."""
    _copies.clear()
    _copies_version[0] = None


_MISSING = object()
_ABSENT = object()


# Triggers ---------------------------------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dingdan_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_cacheversion (name, version)
    VALUES ('master', (random() * 9e18)::bigint)
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$
"""
_PG_TRIGGER = (
    "CREATE OR REPLACE TRIGGER dingdan_cache_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON {table} FOR EACH STATEMENT EXECUTE FUNCTION dingdan_cache_bump()"
)
_SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS dingdan_cache_{table}_{op} AFTER {op} ON {table} BEGIN "
    "INSERT INTO core_cacheversion (name, version) VALUES ('master', random()) "
    "ON CONFLICT (name) DO UPDATE SET version = excluded.version; END"
)


def triggers_missing(conn: Any = connection) -> list[str]:
    """The registered tables (that exist) without their version trigger."""
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'dingdan_cache_version'"
            )
            have = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names = {(row[0], row[1]) for row in cursor.fetchall()}
            have = {
                table
                for table in _tables
                if all(
                    (table, f"dingdan_cache_{table}_{op}") in names for op in ("INSERT", "UPDATE", "DELETE")
                )
            }
    return sorted(table for table in _tables & existing if table not in have)


def triggers_create(conn: Any = connection) -> None:
    """Create the version trigger on every registered table that exists (idempotent)."""
    existing = set(conn.introspection.table_names())
    if "core_cacheversion" not in existing:
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_cacheversion (name, version) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
            [GROUP, secrets.randbits(62)],
        )
        if conn.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in sorted(_tables & existing):
                cursor.execute(_PG_TRIGGER.format(table=conn.ops.quote_name(table)))
        else:
            for table in sorted(_tables & existing):
                for op in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(_SQLITE_TRIGGER.format(table=table, op=op))


@receiver(post_migrate)
def _triggers_after_migrate(sender, using="default", **kwargs) -> None:  # type: ignore[no-untyped-def]
    from django.db import connections

    if getattr(sender, "label", None) != "core":
        return
    triggers_create(connections[using])
