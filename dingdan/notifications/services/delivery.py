"""Writes of the notifications context.

Delivery is at least once: `event_fanout` (the outbox dispatcher, run in the transaction that
marks the event dispatched) creates one Delivery per channel and recipient; `deliveries_pump`
claims due deliveries with a lease, sends them, and records every attempt. A worker killed
mid-delivery leaves its claim to expire; the next pump takes it over (recording the attempt
as abandoned), so a message is never lost, only possibly sent twice with the same event id.
"""

import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import NotFound
from dingdan.core.models import OutboxEvent
from dingdan.customers import selectors as customers

from .. import domain, rendering, selectors, senders
from ..exceptions import DeliveryInProgress
from ..models import AttemptOutcome, Channel, Delivery, DeliveryAttempt, WebhookSubscription

logger = logging.getLogger(__name__)


PUMP_PRIORITY = 10
PUMP_GATHER = dt.timedelta(seconds=0.3)


def _options() -> dict[str, Any]:
    return settings.NOTIFICATIONS


# Fan-out: one event → deliveries ---------------------------------------------------------


def _order_id(event: OutboxEvent) -> int | None:
    if event.aggregate_type == "order" and event.aggregate_id.isdigit():
        return int(event.aggregate_id)
    value = event.data.get("order_id")
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None


def _customer_id(event: OutboxEvent) -> int | None:
    value = event.data.get("customer_id")
    if isinstance(value, int):
        return value
    order_id = _order_id(event)
    if order_id is None:
        return None
    from dingdan.orders import selectors as orders

    try:
        return orders.order_get(order_id=order_id).customer_id
    except NotFound:
        return None


def _customer_deliveries(event: OutboxEvent, now: dt.datetime) -> list[Delivery]:
    channels = [
        c for c in (Channel.EMAIL, Channel.SMS) if rendering.has_message(channel=c, event_type=event.type)
    ]
    customer_id = _customer_id(event) if channels else None
    if customer_id is None:
        return []
    try:
        profile = customers.customer_notification_profile(customer_id=customer_id)
    except NotFound:
        return []
    wanted = {
        Channel.EMAIL: bool(profile.email) and profile.notify_email,
        Channel.SMS: bool(profile.phone) and profile.notify_sms,
    }
    rows = []
    for channel in channels:
        if not domain.customer_wants(
            opted_out=profile.notify_opt_out,
            channel_on=wanted[channel],
            muted=profile.notify_muted_events,
            event_type=event.type,
        ):
            continue
        at = now
        if channel == Channel.SMS:  # held, not dropped, until the quiet hours end
            local_now = timezone.localtime(now)
            at = (
                domain.quiet_hours_end(
                    local_now=local_now, start=profile.sms_quiet_start, end=profile.sms_quiet_end
                )
                or now
            )
        recipient = profile.email if channel == Channel.EMAIL else profile.phone
        language = rendering.language_of(profile.language)
        rows.append(Delivery(channel=channel, recipient=recipient, language=language, next_attempt_at=at))
    return rows


def _warehouse_owner_emails(warehouse_id: int) -> list[str]:
    from dingdan.inventory import selectors as inventory

    return [address for address in inventory.warehouse_owner_emails(warehouse_id) if address]


def _staff_deliveries(event: OutboxEvent, now: dt.datetime) -> list[Delivery]:
    if event.type != "stock.low" or not event.data.get("warehouse_id"):
        return []
    return [
        Delivery(
            channel=Channel.EMAIL,
            recipient=address,
            language=rendering.language_of(settings.LANGUAGE_CODE),
            next_attempt_at=now,
        )
        for address in _warehouse_owner_emails(int(event.data["warehouse_id"]))
    ]


def _webhook_deliveries(event: OutboxEvent, now: dt.datetime) -> list[Delivery]:
    return [
        Delivery(
            channel=Channel.WEBHOOK, subscription=sub, recipient=f"subscription:{sub.pk}", next_attempt_at=now
        )
        for sub in WebhookSubscription.objects.filter(is_active=True).order_by("pk")
        if domain.event_matches(sub.events, event.type)
    ]


def event_fanout(event: OutboxEvent) -> None:
    """The outbox dispatcher: the deliveries an event causes (webhooks of matching
    subscriptions; the customer's e-mail and SMS as their preferences allow, SMS held until
    quiet hours end; warehouse owners for stock.low), and a pump to send them. Idempotent:
    a delivery is unique per event, channel and recipient."""
    now = timezone.now()
    rows = _webhook_deliveries(event, now)
    if event.type == "stock.low":
        rows += _staff_deliveries(event, now)
    else:
        rows += _customer_deliveries(event, now)
    if not rows:
        return
    for row in rows:
        row.event = event
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    pump_request()


def pump_request(*, at: dt.datetime | None = None) -> None:
    """Enqueue a pump unless one is already waiting to run (with the database backend, in
    the caller's transaction). Pumps go before other tasks (priority), so messages flow
    while a backlog of events is still being dispatched."""
    from django_tasks_db.models import DBTaskResult

    from ..tasks import deliveries_pump

    if at is not None:
        deliveries_pump.using(priority=PUMP_PRIORITY, run_after=at).enqueue()
        return
    # A short delay gathers the deliveries of events dispatched meanwhile into one pump run.
    soon = timezone.now() + PUMP_GATHER
    waiting = DBTaskResult.objects.filter(
        task_path=deliveries_pump.module_path, status="READY", run_after__lte=soon
    )
    if not waiting.exists():
        deliveries_pump.using(priority=PUMP_PRIORITY, run_after=soon).enqueue()


# The pump: claim, send, record -----------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    return Q(state=Delivery.State.PENDING, next_attempt_at__lte=now) | Q(
        state=Delivery.State.SENDING, lease_until__lt=now
    )


def _record_abandoned(ids: Sequence[int], now: dt.datetime, lease: dt.timedelta) -> None:
    abandoned = Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING, lease_until__lt=now)
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            delivery_id=pk,
            number=attempts,
            started_at=(lease_until or now) - lease,  # when it was claimed
            finished_at=now,
            outcome=AttemptOutcome.ABANDONED,
            error="the worker stopped before finishing; its lease expired",
        )
        for pk, attempts, lease_until in abandoned.values_list("pk", "attempts", "lease_until")
    )


def deliveries_claim(*, batch: int) -> list[Delivery]:
    """Claim up to `batch` due deliveries for this worker: a token and a lease, set by a
    conditional UPDATE (rows another worker claimed first are skipped; on PostgreSQL
    SKIP LOCKED keeps workers off each other's rows)."""
    now = timezone.now()
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=_options()["LEASE_SECONDS"])
    with transaction.atomic():
        candidates = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        ids = list(candidates)
        if not ids:
            return []
        _record_abandoned(ids, now, lease)
        Delivery.objects.filter(pk__in=ids).filter(_due(now)).update(
            state=Delivery.State.SENDING,
            claim_token=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(claim_token=token).select_related("event", "subscription").order_by("pk")
    )


def _envelope(event: OutboxEvent) -> senders.EventEnvelope:
    created = event.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return senders.EventEnvelope(id=str(event.event_id), type=event.type, created=created, data=event.data)


def _order_number(event: OutboxEvent, order_id: int | None) -> str:
    number = event.data.get("number") if event.aggregate_type == "order" else event.data.get("order_number")
    if number or order_id is None:
        return str(number or "")
    from dingdan.orders import selectors as orders

    try:
        return orders.order_get(order_id=order_id).number
    except NotFound:
        return ""


def message_context(event: OutboxEvent) -> dict[str, Any]:
    """What message templates see: the event, its data, the order's number and total, and
    the tracking link of the order it concerns."""
    data = event.data
    order_id = _order_id(event)
    return {
        "event": {"id": str(event.event_id), "type": event.type, "created": event.created_at},
        "data": data,
        "number": _order_number(event, order_id),
        "total": data.get("total", ""),
        "currency": data.get("currency", ""),
        "customer_name": "",
        "tracking_url": selectors.tracking_url(order_id=order_id) if order_id else "",
    }


class _Mailer:
    """One SMTP connection per batch, opened on first use."""

    def __init__(self) -> None:
        self.connection: Any = None

    def __enter__(self) -> "_Mailer":
        return self

    def get(self) -> Any:
        if self.connection is None:
            self.connection = mailers.default
            self.connection.open()
        return self.connection

    def __exit__(self, *exc: object) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self.connection.close()


def _send(delivery: Delivery, mailer: _Mailer) -> senders.SendResult:
    event = delivery.event
    envelope = _envelope(event)
    if delivery.channel == Channel.WEBHOOK:
        if delivery.subscription is None or not delivery.subscription.is_active:
            return senders.SendResult(ok=False, error="the subscription was removed or paused", refused=True)
        sub = delivery.subscription
        return senders.webhook_send(
            envelope=envelope, url=sub.url, secret=sub.secret, delivery_id=delivery.pk
        )
    context = message_context(event)
    message = rendering.render_message(
        channel=delivery.channel,
        event_type=domain.message_key(event.type, event.data),
        language=delivery.language,
        context=context,
    )
    if delivery.channel == Channel.SMS:
        return senders.sms_send(envelope=envelope, to=delivery.recipient, text=message.text)
    return senders.email_send(
        envelope=envelope, to=delivery.recipient, message=message, connection=mailer.get()
    )


@dataclass(frozen=True)
class _Sent:
    delivery: Delivery
    result: senders.SendResult
    started: dt.datetime


def _next_values(sent: _Sent, now: dt.datetime, options: dict[str, Any]) -> dict[str, Any]:
    """Where an attempt leaves its delivery: delivered, failed for good (refused, or out of
    attempts), or pending again after the backoff."""
    result, delivery = sent.result, sent.delivery
    values: dict[str, Any] = {"last_status": result.status, "last_error": result.error}
    if result.ok:
        return {**values, "state": Delivery.State.DELIVERED, "delivered_at": now}
    if result.refused or domain.gives_up(attempts=delivery.attempts, max_attempts=options["MAX_ATTEMPTS"]):
        return {**values, "state": Delivery.State.FAILED}
    delay = domain.retry_delay(
        attempt=delivery.attempts,
        base_seconds=options["BACKOFF_BASE_SECONDS"],
        max_seconds=options["BACKOFF_MAX_SECONDS"],
    )
    return {**values, "state": Delivery.State.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay)}


def _outcome(result: senders.SendResult) -> str:
    if result.ok:
        return AttemptOutcome.DELIVERED
    return AttemptOutcome.REFUSED if result.refused else AttemptOutcome.FAILED


def _finish(batch: Sequence[_Sent], *, manual: bool = False) -> None:
    """Record the attempts of a batch and move each delivery on, in one transaction. Only a
    claim still held counts: if its lease ran out and another worker took it over, the
    takeover's record wins (the message may have gone twice, with the same event id)."""
    now = timezone.now()
    options = _options()
    with transaction.atomic():
        tokens = dict(
            Delivery.objects.filter(pk__in=[s.delivery.pk for s in batch]).values_list("pk", "claim_token")
        )
        held = [s for s in batch if tokens.get(s.delivery.pk) == s.delivery.claim_token]
        groups: dict[tuple[Any, ...], list[int]] = {}
        retry_at: list[dt.datetime] = []
        for sent in held:
            values = _next_values(sent, now, options)
            if "next_attempt_at" in values:
                retry_at.append(values["next_attempt_at"])
            groups.setdefault(tuple(sorted(values.items())), []).append(sent.delivery.pk)
        for key, ids in groups.items():  # one UPDATE per distinct outcome, not per delivery
            Delivery.objects.filter(pk__in=ids).update(**dict(key), lease_until=None, claim_token=None)
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                delivery_id=s.delivery.pk,
                number=s.delivery.attempts,
                started_at=s.started,
                finished_at=now,
                outcome=_outcome(s.result),
                status_code=s.result.status,
                error=s.result.error,
                manual=manual,
            )
            for s in held
        )
        if retry_at:
            pump_request(at=min(retry_at))


def _attempt(delivery: Delivery, mailer: _Mailer) -> _Sent:
    started = timezone.now()
    try:
        result = _send(delivery, mailer)
    except Exception as error:  # a template or adapter bug must not stop the pump
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        result = senders.SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    return _Sent(delivery, result, started)


def delivery_attempt(delivery: Delivery, mailer: _Mailer, *, manual: bool = False) -> None:
    """Send one claimed delivery and record the attempt."""
    _finish([_attempt(delivery, mailer)], manual=manual)


def _batch_size() -> int:
    """As many deliveries as can all time out within one lease, at most 20."""
    options = _options()
    return max(1, min(20, int(options["LEASE_SECONDS"] / (1.5 * options["HTTP_TIMEOUT_SECONDS"]))))


def deliveries_pump(*, budget_seconds: float = 20.0, batch: int | None = None) -> int:
    """Send due deliveries until none is due or the time budget is spent (then another pump
    is enqueued). Each claimed batch is recorded at once. Returns how many attempts were made."""
    batch = batch or _batch_size()
    deadline = time.monotonic() + budget_seconds
    made = 0
    with _Mailer() as mailer:
        while time.monotonic() < deadline:
            claimed = deliveries_claim(batch=batch)
            if not claimed:
                return made
            _finish([_attempt(delivery, mailer) for delivery in claimed])
            made += len(claimed)
    pump_request()
    return made


def deliveries_sweep() -> int:
    """The outbox sweeper: when any delivery is due (a retry, or a claim whose worker died),
    make sure a pump will run."""
    if Delivery.objects.filter(_due(timezone.now())).exists():
        pump_request()
        return 1
    return 0


@transaction.atomic
def delivery_redeliver(*, actor: Actor, delivery_id: int) -> Delivery:
    """Send a delivery again now, whatever its state (an operator's manual redelivery, e.g.
    after the integrator fixed its endpoint); the attempt is sent by the next pump and
    recorded like any other. Raises DeliveryNotFound, DeliveryInProgress (409) while a
    worker holds it."""
    delivery = selectors.delivery_get(delivery_id=delivery_id)
    now = timezone.now()
    moved = Delivery.objects.filter(pk=delivery.pk).exclude(
        state=Delivery.State.SENDING, lease_until__gte=now
    )
    if not moved.update(
        state=Delivery.State.PENDING, next_attempt_at=now, lease_until=None, claim_token=None
    ):
        raise DeliveryInProgress()
    audit_record(
        aggregate_type="delivery",
        aggregate_id=delivery.pk,
        action="redeliver",
        actor=actor,
        before={"state": delivery.state, "attempts": delivery.attempts},
        after={"state": Delivery.State.PENDING},
    )
    pump_request()
    delivery.refresh_from_db()
    return delivery
