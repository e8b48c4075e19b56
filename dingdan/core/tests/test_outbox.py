"""The outbox: the event row and its delivery task commit, or roll back, with the change."""

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from dingdan.core.events import Event
from dingdan.core.models import OutboxEvent
from dingdan.core.outbox import outbox_batch, outbox_emit
from dingdan.core.tasks import outbox_deliver, outbox_deliver_many

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class ChannelOpened(Event):
    type: ClassVar[str] = "channel.opened"
    aggregate_type: ClassVar[str] = "channel"
    code: str


def test_emitting_writes_the_event_and_enqueues_its_delivery():
    row = outbox_emit(ChannelOpened(aggregate_id="7", code="web"))

    assert (row.type, row.aggregate_type, row.aggregate_id) == ("channel.opened", "channel", "7")
    assert row.data == {"aggregate_id": "7", "code": "web"}
    task = DBTaskResult.objects.get()
    assert task.task_path == "dingdan.core.tasks.outbox_deliver"
    assert task.args_kwargs == {"args": [row.pk], "kwargs": {}}
    assert task.status == "READY"


def test_a_rolled_back_transaction_leaves_neither_the_event_nor_its_task():
    with transaction.atomic():
        outbox_emit(ChannelOpened(aggregate_id="7", code="web"))
        transaction.set_rollback(True)  # the change it belonged to failed

    assert OutboxEvent.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_delivering_twice_marks_the_event_once():
    row = outbox_emit(ChannelOpened(aggregate_id="7", code="web"))

    outbox_deliver.call(row.pk)
    outbox_deliver.call(row.pk)

    row.refresh_from_db()
    assert row.attempts == 1
    assert row.dispatched_at is not None


def test_a_batch_writes_its_events_in_order_with_one_delivery_task(django_assert_num_queries):
    with django_assert_num_queries(2), outbox_batch():  # one INSERT of the events, one of the task
        rows = [outbox_emit(ChannelOpened(aggregate_id=str(n), code=f"c{n}")) for n in range(3)]
        with outbox_batch():  # a nested batch joins the outer one
            rows.append(outbox_emit(ChannelOpened(aggregate_id="9", code="c9")))

    pks = [row.pk for row in rows]
    assert None not in pks
    assert pks == sorted(pks)
    task = DBTaskResult.objects.get()
    assert task.task_path == "dingdan.core.tasks.outbox_deliver_many"
    assert task.args_kwargs == {"args": [pks], "kwargs": {}}

    outbox_deliver_many.call(pks)
    dispatched = OutboxEvent.objects.order_by("pk").values_list("aggregate_id", "attempts")
    assert list(dispatched) == [("0", 1), ("1", 1), ("2", 1), ("9", 1)]
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def _emit_then_fail() -> None:
    with outbox_batch():
        outbox_emit(ChannelOpened(aggregate_id="7", code="web"))
        raise RuntimeError("the change failed")


def test_a_batch_that_raises_writes_no_event_and_no_task():
    with pytest.raises(RuntimeError):
        _emit_then_fail()

    assert (OutboxEvent.objects.count(), DBTaskResult.objects.count()) == (0, 0)
