"""The outbox: an event row written in the caller's transaction, and its delivery task
enqueued in the same transaction (database task backend), so both commit or neither does.

Delivery is pluggable (ARCHITECTURE §3, providers instead of upward imports): a higher
context (notifications) registers a *dispatcher* at app start, which turns one event into
the work it causes (e-mails, SMS, webhooks) inside the transaction that marks the event
dispatched, and a *sweeper*, which the periodic `outbox_sweep` task calls to pick up work a
killed worker left behind. The kernel never imports the contexts that register.
"""

import datetime as dt
import json
import logging
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .events import Event
from .models import OutboxEvent

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


def outbox_emit(event: Event) -> OutboxEvent:
    from .tasks import outbox_deliver

    data = json.loads(json.dumps(event.data(), cls=DjangoJSONEncoder))
    row = OutboxEvent.objects.create(
        type=event.type,
        aggregate_type=event.aggregate_type,
        aggregate_id=str(event.aggregate_id),
        data=data,
    )
    outbox_deliver.enqueue(row.pk)
    return row


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
