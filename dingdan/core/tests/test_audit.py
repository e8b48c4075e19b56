"""The hash-chained audit trail (ARCHITECTURE §6, reliability target S9)."""

import datetime as dt
import random
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import F

from dingdan.core.actors import Actor
from dingdan.core.audit import (
    GENESIS,
    audit_batch,
    audit_day_seal,
    audit_digest_verify,
    audit_record,
    audit_timeline,
    audit_verify,
)
from dingdan.core.models import AuditDigest, AuditEntry

pytestmark = pytest.mark.django_db

CLERK = Actor(username="clerk", user_id=7, via="token", token_id=3)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _chain(length: int, aggregate_id: object = 1, start: dt.datetime | None = None) -> list[AuditEntry]:
    start = start or dt.datetime(2026, 1, 23, 9, 0, tzinfo=SHANGHAI)
    return [
        _record_at(
            start + dt.timedelta(minutes=n),
            aggregate_id,
            action="updated",
            before={"step": n - 1},
            after={"step": n, "amount": "199.00"},
            note=f"step {n}",
        )
        for n in range(1, length + 1)
    ]


def _record_at(moment: dt.datetime, aggregate_id: object, **fields: Any) -> AuditEntry:
    """An entry recorded with the clock at `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        return audit_record(
            aggregate_type="order", aggregate_id=aggregate_id, actor=CLERK, **{"action": "created", **fields}
        )


def test_entries_of_one_aggregate_form_a_chain_from_genesis():
    entries = _chain(3)

    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[2].actor == "clerk (token 3)"
    assert entries[2].after == {"amount": "199.00", "step": 3}
    assert audit_verify() == []


def test_each_aggregate_has_its_own_chain():
    first = audit_record(aggregate_type="order", aggregate_id=1, action="created", actor=CLERK)
    other = audit_record(aggregate_type="order", aggregate_id=2, action="created", actor=CLERK)
    channel = audit_record(aggregate_type="channel", aggregate_id=1, action="created", actor=CLERK)

    assert (first.sequence, other.sequence, channel.sequence) == (1, 1, 1)
    assert first.prev_hash == other.prev_hash == channel.prev_hash == GENESIS
    assert [e.pk for e in audit_timeline(aggregate_type="order", aggregate_id=1)] == [first.pk]
    assert audit_verify() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("after", {"step": 2, "amount": "1.00"}),
        ("before", None),
        ("actor", "someone else"),
        ("action", "deleted"),
        ("note", "edited"),
        ("at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_editing_any_field_of_an_entry_is_detected_at_that_entry(field, value):
    entries = _chain(3)

    AuditEntry.objects.filter(pk=entries[1].pk).update(**{field: value})

    assert [(b.sequence, b.problem) for b in audit_verify()] == [(2, "content does not match its hash")]


def test_deleting_a_middle_entry_is_detected_where_the_chain_resumes():
    entries = _chain(3)

    AuditEntry.objects.filter(pk=entries[1].pk).delete()

    assert [(b.sequence, b.problem) for b in audit_verify()] == [
        (3, "sequence gap: expected 2"),
        (3, "previous hash does not match the chain"),
    ]


def test_swapping_two_entries_is_detected():
    entries = _chain(3)

    with transaction.atomic():  # through a free sequence number: (aggregate, sequence) is unique
        AuditEntry.objects.filter(pk=entries[0].pk).update(sequence=99)
        AuditEntry.objects.filter(pk=entries[1].pk).update(sequence=1)
        AuditEntry.objects.filter(pk=entries[0].pk).update(sequence=2)

    breaks = audit_verify(aggregate_type="order", aggregate_id=1)
    assert {(b.sequence, b.problem) for b in breaks} == {
        (1, "previous hash does not match the chain"),
        (1, "content does not match its hash"),
        (2, "previous hash does not match the chain"),
        (2, "content does not match its hash"),
        (3, "previous hash does not match the chain"),
    }


def test_a_chain_rewritten_with_recomputed_hashes_passes_the_chain_check_but_not_the_sealed_digest():
    day = dt.date(2026, 1, 23)
    entry = _record_at(dt.datetime(2026, 1, 23, 10, 0, tzinfo=SHANGHAI), aggregate_id=1)
    audit_day_seal(day=day)

    # A forger who knows the algorithm replaces the entry by a consistent one of their own.
    AuditEntry.objects.filter(pk=entry.pk).delete()
    _record_at(entry.at, aggregate_id=1, after={"refund": "9999.00"})

    assert audit_verify() == []
    assert audit_digest_verify(day=day) is False


def test_deleting_the_newest_entry_is_caught_by_the_sealed_digest_not_by_the_chain():
    day = dt.date(2026, 1, 23)
    entries = _chain(3)
    audit_day_seal(day=day)

    AuditEntry.objects.filter(pk=entries[-1].pk).delete()

    assert audit_verify() == []  # a chain cannot know its own tail was cut off
    assert audit_digest_verify(day=day) is False


def _tamper(rng: random.Random, entries: list[AuditEntry]) -> str:
    """Change one entry of the chain in one of the ways an attacker could; returns which."""
    victim = entries[rng.randrange(len(entries))]
    rows = AuditEntry.objects.filter(pk=victim.pk)
    kind = rng.choice(
        ["after", "before", "actor", "action", "note", "at", "prev_hash", "hash", "delete", "swap"]
    )
    changes: dict[str, Any] = {
        "after": {"after": {"step": rng.randrange(10**6), "amount": "0.01"}},
        "before": {"before": {"step": -1}},
        "actor": {"actor": f"intruder{rng.randrange(1000)}"},
        "action": {"action": "cancelled"},
        "note": {"note": victim.note + " "},
        "at": {"at": F("at") + dt.timedelta(microseconds=rng.randrange(1, 10**6))},
        "prev_hash": {"prev_hash": f"{rng.getrandbits(256):064x}"},
        "hash": {"hash": f"{rng.getrandbits(256):064x}"},
    }
    if kind == "delete":
        rows.delete()
    elif kind == "swap":
        other = entries[(entries.index(victim) + 1) % len(entries)]
        AuditEntry.objects.filter(pk=victim.pk).update(sequence=10**6)
        AuditEntry.objects.filter(pk=other.pk).update(sequence=victim.sequence)
        AuditEntry.objects.filter(pk=victim.pk).update(sequence=other.sequence)
    else:
        rows.update(**changes[kind])
    return kind


def test_a_thousand_random_tamperings_of_a_sealed_day_are_all_detected(record_property):
    day = dt.date(2026, 1, 23)
    entries = _chain(12)
    audit_day_seal(day=day)
    rng = random.Random(20260123)
    detected, kinds = 0, set()

    for _trial in range(1000):
        with transaction.atomic():
            kinds.add(_tamper(rng, entries))
            breaks = audit_verify(aggregate_type="order", aggregate_id=1)
            detected += bool(breaks) or not audit_digest_verify(day=day)
            transaction.set_rollback(True)

    record_property(
        "figures", f"tampered entries detected {detected} / 1000 ({len(kinds)} kinds of tampering)"
    )
    assert detected == 1000
    assert len(kinds) == 10
    assert audit_verify() == []  # every trial was rolled back
    assert audit_digest_verify(day=day) is True


def test_a_sealed_day_covers_the_heads_of_the_chains_that_moved_that_business_day():
    day = dt.date(2026, 1, 23)
    _record_at(dt.datetime(2026, 1, 22, 23, 59, tzinfo=SHANGHAI), aggregate_id=1)  # the day before
    _record_at(dt.datetime(2026, 1, 23, 0, 0, tzinfo=SHANGHAI), aggregate_id=1)
    _record_at(dt.datetime(2026, 1, 23, 23, 59, tzinfo=SHANGHAI), aggregate_id=2)
    _record_at(dt.datetime(2026, 1, 24, 0, 0, tzinfo=SHANGHAI), aggregate_id=3)  # the day after

    digest = audit_day_seal(day=day)

    assert (digest.day, digest.entry_count, digest.chain_count) == (day, 2, 2)
    assert audit_digest_verify(day=day) is True
    assert audit_day_seal(day=day).pk == digest.pk  # sealing again changes nothing
    assert AuditDigest.objects.count() == 1


def test_a_sealed_day_is_chained_to_the_previous_day_and_detects_a_changed_head():
    first = _record_at(dt.datetime(2026, 1, 22, 9, 0, tzinfo=SHANGHAI), aggregate_id=1)
    _record_at(dt.datetime(2026, 1, 23, 9, 0, tzinfo=SHANGHAI), aggregate_id=2)
    audit_day_seal(day=dt.date(2026, 1, 22))
    audit_day_seal(day=dt.date(2026, 1, 23))

    AuditDigest.objects.filter(day=dt.date(2026, 1, 22)).update(digest="0" * 64)
    AuditEntry.objects.filter(pk=first.pk).update(hash="f" * 64)

    assert audit_digest_verify(day=dt.date(2026, 1, 22)) is False
    assert audit_digest_verify(day=dt.date(2026, 1, 23)) is False  # its seed changed


def test_an_unsealed_day_does_not_verify():
    assert audit_digest_verify(day=dt.date(2026, 1, 23)) is False


def test_missed_days_are_sealed_in_order_and_a_day_before_a_sealed_day_is_refused(db):
    from dingdan.core.audit import audit_day_seal, audit_days_seal_until, audit_digest_verify

    start = dt.date(2026, 1, 1)
    audit_day_seal(day=start)

    sealed = audit_days_seal_until(day=start + dt.timedelta(days=3))

    assert [d.day for d in sealed] == [start + dt.timedelta(days=n) for n in (1, 2, 3)]
    assert all(audit_digest_verify(day=start + dt.timedelta(days=n)) for n in range(4))
    with pytest.raises(ValueError, match="before a sealed day"):
        audit_day_seal(day=start - dt.timedelta(days=1))


def test_a_batch_writes_its_entries_in_one_insert_chained_as_one_by_one(django_assert_num_queries):
    one_by_one = _chain(2, aggregate_id=1)
    # The chain head of aggregate 2 (none yet), then one INSERT for the three entries.
    with django_assert_num_queries(2), audit_batch():
        batched = [audit_record(aggregate_type="order", aggregate_id=2, actor=CLERK, action=a) for a in "abc"]
        assert [e.pk for e in batched] == [None, None, None]  # not written yet

    assert [e.sequence for e in batched] == [1, 2, 3]
    assert [e.prev_hash for e in batched] == [GENESIS, batched[0].hash, batched[1].hash]
    assert None not in [e.pk for e in batched]
    assert [e.sequence for e in one_by_one] == [1, 2]
    assert audit_verify() == []


def _record_then_fail() -> None:
    with audit_batch():
        audit_record(aggregate_type="order", aggregate_id=3, actor=CLERK, action="created")
        raise RuntimeError("the change failed")


def test_a_batch_that_raises_writes_nothing():
    with pytest.raises(RuntimeError):
        _record_then_fail()

    assert not AuditEntry.objects.filter(aggregate_id="3").exists()
