"""The outbox: an event row written in the caller's transaction, and its delivery task
enqueued in the same transaction (database task backend), so both commit or neither does.

Delivery is pluggable (ARCHITECTURE §3, providers instead of upward imports): a higher
context (notifications) registers a *dispatcher* at app start, which turns one event into
the work it causes (e-mails, SMS, webhooks) inside the transaction that marks the event
dispatched, and a *sweeper*, which the periodic `outbox_sweep` task calls to pick up work a
killed worker left behind. The kernel never imports the contexts that register.
"""

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .events import Event
from .models import OutboxEvent
from .rows import rows_collected, rows_insert

logger = logging.getLogger(__name__)

Dispatcher = Callable[[OutboxEvent], None]
Sweeper = Callable[[], int]

_dispatchers: dict[str, Dispatcher] = {}
_sweepers: dict[str, Sweeper] = {}


def outbox_dispatcher_register(name: str, dispatcher: Dispatcher) -> None:
    """Run `dispatcher(event)` for every event, inside the transaction that marks it
    dispatched. It must be idempotent per event and must not do network I/O (enqueue it)."""
    _dispatchers[name] = dispatcher


def outbox_sweeper_register(name: str, sweeper: Sweeper) -> None:
    """Call `sweeper()` on every outbox sweep; it returns how many items it rescued."""
    _sweepers[name] = sweeper


_batch: ContextVar[list[OutboxEvent] | None] = ContextVar("dingdan_outbox_batch", default=None)


def outbox_emit(event: Event) -> OutboxEvent:
    """Write the event to the outbox with its delivery task, in the caller's transaction.
    Inside `outbox_batch()` the row is written when the batch ends (its pk is None until then)."""
    data = json.loads(json.dumps(event.data(), cls=DjangoJSONEncoder))
    row = OutboxEvent(
        type=event.type,
        aggregate_type=event.aggregate_type,
        aggregate_id=str(event.aggregate_id),
        data=data,
        channel_id=event.channel_id,
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(row)
    else:
        _write([row])
    return row


def _write(rows: list[OutboxEvent]) -> None:
    """Insert the rows (in order) and enqueue their delivery: one task for all of them."""
    from .tasks import outbox_deliver, outbox_deliver_many

    rows_insert(rows)
    if len(rows) == 1:
        outbox_deliver.enqueue(rows[0].pk)
    else:
        outbox_deliver_many.enqueue([row.pk for row in rows])


def outbox_batch() -> contextlib.AbstractContextManager[None]:
    """Write the events emitted in the block when it ends without an error: one INSERT for
    the rows (in emission order) and one delivery task for all of them. Use it inside the
    transaction (a block that raises writes nothing; its transaction rolls back anyway).
    Nested batches join the outer one."""
    return rows_collected(
        _batch, lambda rows: _write(rows)
    )  # looked up at the end: a fault test replaces _write


def outbox_dispatch(*, event_pk: int) -> bool:
    """Mark the event dispatched and run every dispatcher, atomically: the conditional UPDATE
    lets exactly one caller (task or sweep, on any worker) win; a dispatcher that raises rolls
    the whole dispatch back so a later sweep retries it. True when this call dispatched it."""
    try:
        with transaction.atomic():
            claimed = OutboxEvent.objects.filter(pk=event_pk, dispatched_at__isnull=True).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1
            )
            if not claimed:
                return False
            event = OutboxEvent.objects.get(pk=event_pk)
            for dispatcher in list(_dispatchers.values()):
                dispatcher(event)
    except Exception:
        OutboxEvent.objects.filter(pk=event_pk).update(attempts=F("attempts") + 1)
        raise
    return True


def outbox_sweep(*, grace_seconds: int, max_attempts: int, batch: int = 500) -> int:
    """Dispatch events left undispatched for longer than `grace_seconds` (their task died
    with a killed worker, or a dispatcher failed), then run every registered sweeper.
    Returns how many items were rescued."""
    cutoff = timezone.now() - dt.timedelta(seconds=grace_seconds)
    stale = OutboxEvent.objects.filter(
        dispatched_at__isnull=True, created_at__lt=cutoff, attempts__lt=max_attempts
    ).order_by("pk")
    rescued = 0
    for pk in list(stale.values_list("pk", flat=True)[:batch]):
        try:
            rescued += outbox_dispatch(event_pk=pk)
        except Exception:
            logger.exception("outbox event %s could not be dispatched", pk)
    for name, sweeper in list(_sweepers.items()):
        try:
            rescued += sweeper()
        except Exception:
            logger.exception("outbox sweeper %s failed", name)
    return rescued
