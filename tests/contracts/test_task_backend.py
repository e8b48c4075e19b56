"""A contract of core.task_backend: the task row it writes is the row django-tasks-db's own
backend writes for the same task (so a library upgrade that changes the row fails here)."""

import datetime as dt

import pytest
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend as LibraryBackend
from django_tasks_db.models import DBTaskResult

from dingdan.core.task_backend import DatabaseBackend
from dingdan.core.tasks import outbox_deliver, outbox_deliver_many

pytestmark = pytest.mark.django_db


def stored(pk):
    names = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in ("id", "enqueued_at")]
    return DBTaskResult.objects.filter(pk=pk).values(*names).get()


@pytest.mark.parametrize(
    ("task", "args"),
    [
        (outbox_deliver, (7,)),
        (outbox_deliver_many, ([1, 2, 3],)),
        (outbox_deliver.using(priority=10, queue_name="default"), (8,)),
        (outbox_deliver.using(run_after=timezone.now() + dt.timedelta(hours=1)), (9,)),
    ],
)
def test_the_lean_row_is_the_row_the_library_writes(task, args):
    backend = task_backends["default"]
    assert type(backend) is DatabaseBackend

    before = timezone.now()
    ours = task.enqueue(*args)
    theirs = LibraryBackend._task_to_db_task(backend, task, args, {})

    assert stored(ours.id) == stored(theirs.id)
    assert DBTaskResult.objects.get(pk=ours.id).enqueued_at >= before
    assert ours.args == list(args)
    assert ours.status == "READY"


def test_enqueue_sends_the_library_signal_with_the_result_it_returns():
    from django_tasks_db.compat import task_enqueued

    sent = []

    def receiver(sender, task_result, **kwargs):
        sent.append((sender, task_result))

    task_enqueued.connect(receiver)
    try:
        result = outbox_deliver.enqueue(5)
    finally:
        task_enqueued.disconnect(receiver)

    assert sent == [(DatabaseBackend, result)]
    assert (result.args, result.task.func, DBTaskResult.objects.filter(pk=result.id).exists()) == (
        [5],
        outbox_deliver.func,
        True,
    )
