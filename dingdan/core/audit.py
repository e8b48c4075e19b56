"""The audit trail: append-only entries, hash-chained per aggregate, sealed daily.

Each entry's hash covers its content and the hash of the aggregate's previous entry, so
editing, deleting or reordering an entry breaks every later hash of that aggregate.
"""

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .actors import Actor
from .models import AuditDigest, AuditEntry
from .rows import rows_collected, rows_insert

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, key-sorted copy: what is stored is exactly what was hashed."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def _entry_hash(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "aggregate_type": entry.aggregate_type,
        "aggregate_id": entry.aggregate_id,
        "sequence": entry.sequence,
        "action": entry.action,
        "actor": entry.actor,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "before": entry.before,
        "after": entry.after,
        "note": entry.note,
        "prev_hash": entry.prev_hash,
    }


def audit_record(
    *,
    aggregate_type: str,
    aggregate_id: object,
    action: str,
    actor: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    previous: AuditEntry | None = None,
    first: bool = False,
) -> AuditEntry:
    """Append an entry to the aggregate's chain. Call inside the writing transaction; the
    caller holds the aggregate (row lock or conditional update), so chains do not fork; a
    racing append would break the (aggregate, sequence) unique constraint instead.
    A caller that knows the chain's head saves the query that reads it: `previous`, the
    entry it appended last in this transaction, or `first` for an aggregate it has just
    created (a wrong claim breaks the same unique constraint, it never forks a chain)."""
    key = str(aggregate_id)
    batch = _batch.get()
    if previous is None and not first and batch:  # the chain's head may be waiting in the batch
        previous = next(
            (e for e in reversed(batch) if (e.aggregate_type, e.aggregate_id) == (aggregate_type, key)), None
        )
    if previous is not None:
        if (previous.aggregate_type, previous.aggregate_id) != (aggregate_type, key):
            raise ValueError("`previous` is an entry of another aggregate")
        last: tuple[int, str] | None = (previous.sequence, previous.hash)
    elif first:
        last = None
    else:
        last = (
            AuditEntry.objects.filter(aggregate_type=aggregate_type, aggregate_id=key)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
    sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = AuditEntry(
        aggregate_type=aggregate_type,
        aggregate_id=key,
        sequence=sequence,
        action=action,
        actor=str(actor),
        at=timezone.now(),
        before=_canonical(before),
        after=_canonical(after),
        note=note,
        prev_hash=prev_hash,
    )
    entry.hash = _entry_hash(_hashed_fields(entry))
    if batch is not None:
        batch.append(entry)
    else:
        rows_insert([entry])
    return entry


_batch: ContextVar[list[AuditEntry] | None] = ContextVar("dingdan_audit_batch", default=None)


def audit_batch() -> contextlib.AbstractContextManager[None]:
    """Write the entries recorded in the block in one INSERT when it ends without an error
    (their pks are None until then). Use it inside the transaction; nested batches join the
    outer one. Entries are chained as they are recorded, so the chain is the same."""
    return rows_collected(_batch, rows_insert)


@dataclass(frozen=True)
class ChainBreak:
    aggregate_type: str
    aggregate_id: str
    sequence: int
    problem: str


def _chain_breaks(entries: Iterable[AuditEntry]) -> Iterator[ChainBreak]:
    previous: AuditEntry | None = None
    for entry in entries:
        same_chain = previous is not None and (
            (previous.aggregate_type, previous.aggregate_id) == (entry.aggregate_type, entry.aggregate_id)
        )
        expected_sequence = previous.sequence + 1 if same_chain and previous else 1
        expected_prev = previous.hash if same_chain and previous else GENESIS
        where = (entry.aggregate_type, entry.aggregate_id, entry.sequence)
        if entry.sequence != expected_sequence:
            yield ChainBreak(*where, f"sequence gap: expected {expected_sequence}")
        if entry.prev_hash != expected_prev:
            yield ChainBreak(*where, "previous hash does not match the chain")
        if _entry_hash(_hashed_fields(entry)) != entry.hash:
            yield ChainBreak(*where, "content does not match its hash")
        previous = entry


def audit_verify(*, aggregate_type: str | None = None, aggregate_id: object = None) -> list[ChainBreak]:
    """Every break in the selected chains (all chains by default). Never repairs."""
    entries = AuditEntry.objects.all()
    if aggregate_type is not None:
        entries = entries.filter(aggregate_type=aggregate_type)
    if aggregate_id is not None:
        entries = entries.filter(aggregate_id=str(aggregate_id))
    ordered = entries.order_by("aggregate_type", "aggregate_id", "sequence").iterator(2000)
    return list(_chain_breaks(ordered))


def audit_timeline(*, aggregate_type: str, aggregate_id: object) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(aggregate_type=aggregate_type, aggregate_id=str(aggregate_id)).order_by(
            "sequence"
        )
    )


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    # The company's business day (TIME_ZONE), whatever time zone a request may have activated.
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def audit_digest_compute(*, day: dt.date) -> tuple[str, int, int]:
    """(digest, entries, chains) of the business day: the heads of every chain that moved
    that day, chained to the previous day's digest."""
    start, end = _day_bounds(day)
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    count = 0
    rows = (
        AuditEntry.objects.filter(at__gte=start, at__lt=end)
        .order_by("aggregate_type", "aggregate_id", "sequence")
        .values_list("aggregate_type", "aggregate_id", "sequence", "hash")
    )
    for aggregate_type, aggregate_id, sequence, entry_hash in rows.iterator(2000):
        heads[(aggregate_type, aggregate_id)] = (sequence, entry_hash)
        count += 1
    previous = AuditDigest.objects.filter(day__lt=day).order_by("-day").first()
    digest = hashlib.sha256((previous.digest if previous else GENESIS).encode())
    for (aggregate_type, aggregate_id), (sequence, entry_hash) in sorted(heads.items()):
        digest.update(f"\n{aggregate_type}:{aggregate_id}:{sequence}:{entry_hash}".encode())
    return digest.hexdigest(), count, len(heads)


@transaction.atomic
def audit_day_seal(*, day: dt.date) -> AuditDigest:
    """Seal a finished business day. Sealing again returns the existing digest. A day before
    the latest sealed day cannot be sealed any more: each digest chains to the previous one,
    so inserting a day in the past would break every later digest (ValueError)."""
    existing = AuditDigest.objects.filter(day=day).first()
    if existing:
        return existing
    if AuditDigest.objects.filter(day__gt=day).exists():
        raise ValueError(f"{day} lies before a sealed day and can no longer be sealed")
    digest, count, chains = audit_digest_compute(day=day)
    return AuditDigest.objects.create(day=day, digest=digest, entry_count=count, chain_count=chains)


def audit_days_seal_until(*, day: dt.date) -> list[AuditDigest]:
    """Seal every unsealed day from the day after the latest sealed one up to `day`, in
    order, so a scheduler that missed days catches up without breaking the digest chain."""
    latest = AuditDigest.objects.order_by("-day").values_list("day", flat=True).first()
    first = latest + dt.timedelta(days=1) if latest else day
    sealed = []
    while first <= day:
        sealed.append(audit_day_seal(day=first))
        first += dt.timedelta(days=1)
    return sealed


def audit_digest_verify(*, day: dt.date) -> bool:
    sealed = AuditDigest.objects.filter(day=day).first()
    return sealed is not None and audit_digest_compute(day=day)[0] == sealed.digest
