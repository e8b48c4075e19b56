"""Thin, idempotent tasks of the kernel."""

import datetime as dt
import os

from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.tasks import task
from django.utils import timezone

from .audit import audit_days_seal_until
from .models import IdempotencyKey
from .outbox import outbox_dispatch
from .outbox import outbox_sweep as _outbox_sweep


@task
def outbox_deliver(event_pk: int) -> None:
    """Dispatch one outbox event to the registered dispatchers (notifications turns it into
    e-mails, SMS and webhook deliveries). Safe to run twice: only one run dispatches."""
    outbox_dispatch(event_pk=event_pk)


@task
def outbox_deliver_many(event_pks: list[int]) -> None:
    """Dispatch the events one transaction wrote (`outbox_batch`), in order; each is
    dispatched at most once, and one that fails is left to the sweep, not the others."""
    failed = None
    for event_pk in event_pks:
        try:
            outbox_dispatch(event_pk=event_pk)
        except Exception as error:  # the sweep retries it; the others still go now
            failed = failed or error
    if failed is not None:
        raise failed


# The scheduler builds its triggers at import, before settings could be passed in; the
# interval is the one deployment knob read from the environment here (default 15 s).
_SWEEP_SECONDS = float(os.environ.get("DINGDAN_OUTBOX_SWEEP_SECONDS", "15"))


@cron(IntervalTrigger(seconds=_SWEEP_SECONDS))
@task
def outbox_sweep() -> None:
    """Rescue what a killed worker left: undispatched events and abandoned deliveries."""
    from django.conf import settings

    options = settings.DINGDAN
    _outbox_sweep(
        grace_seconds=options.get("OUTBOX_SWEEP_GRACE_SECONDS", 30),
        max_attempts=options.get("OUTBOX_MAX_DISPATCH_ATTEMPTS", 20),
    )


@cron("10 0 * * *")
@task
def audit_seal_yesterday() -> None:
    yesterday = timezone.localdate(timezone=timezone.get_default_timezone()) - dt.timedelta(days=1)
    audit_days_seal_until(day=yesterday)


@cron("30 3 * * *")
@task
def idempotency_keys_purge() -> None:
    from django.conf import settings

    hours = settings.DINGDAN["IDEMPOTENCY_RETENTION_HOURS"]
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
