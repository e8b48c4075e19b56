"""Thin, idempotent tasks of the kernel."""

import datetime as dt

from crontask import cron
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from .audit import audit_days_seal_until
from .models import IdempotencyKey, OutboxEvent


@task
def outbox_deliver(event_pk: int) -> None:
    """Deliver one outbox event. For now the only consumer does nothing; delivery by
    e-mail, SMS and webhooks arrives with notifications. Safe to run twice."""
    OutboxEvent.objects.filter(pk=event_pk, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1
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
