"""`dingdan verify`: the invariants of ARCHITECTURE §5, checked and reported, never repaired.

Each context registers its checks at app start; a check returns a list of findings (empty
when the invariant holds).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    problem: str


Check = Callable[[], list[Finding]]
_CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        _CHECKS[name] = check
        return check

    return decorator


def registered_checks() -> dict[str, Check]:
    return dict(_CHECKS)


def verify_all() -> dict[str, list[Finding]]:
    return {name: _in_one_snapshot(check) for name, check in _CHECKS.items()}


def _in_one_snapshot(check: Check) -> list[Finding]:
    """Run a check's queries against one snapshot of the database, so that a commit between two
    of its reads (an order cancelled after its lines were read, before its reservations) cannot
    look like drift. On PostgreSQL that is a read-only REPEATABLE READ transaction; inside an
    outer transaction the snapshot is already the caller's."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return check()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return check()


@register("audit_chains")
def _audit_chains() -> list[Finding]:
    from .audit import audit_verify

    return [
        Finding("audit_chains", f"{b.aggregate_type}:{b.aggregate_id}#{b.sequence}", b.problem)
        for b in audit_verify()
    ]


@register("cache_triggers")
def _cache_triggers() -> list[Finding]:
    from .cache import triggers_missing

    return [
        Finding("cache_triggers", table, "no version trigger: copies of it may go stale (run migrate)")
        for table in triggers_missing()
    ]
