from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.money import is_currency
from dingdan.core.validation import full_clean_or_raise, snapshot

from .exceptions import ChannelCodeTaken
from .models import Channel

AUDITED = [
    "code",
    "name",
    "kind",
    "number_prefix",
    "review_policy",
    "payment_policy",
    "payment_terms_days",
    "sla_hours",
    "review_sla_hours",
    "currency",
    "is_active",
]


def _validate(channel: Channel) -> None:
    if not is_currency(channel.currency):
        raise ValidationFailed(
            errors=[{"field": "currency", "message": _("Unknown currency code."), "code": "invalid_currency"}]
        )
    full_clean_or_raise(channel, validate_unique=False)


@transaction.atomic
def channel_create(*, actor: Actor, **fields: Any) -> Channel:
    """A new sales channel. Raises ValidationFailed for bad fields and ChannelCodeTaken
    when the code is in use."""
    channel = Channel(**fields)
    _validate(channel)
    if Channel.objects.filter(code=channel.code).exists():
        raise ChannelCodeTaken()
    channel.save(force_insert=True)
    audit_record(
        aggregate_type="channel",
        aggregate_id=channel.pk,
        action="created",
        actor=actor,
        after=snapshot(channel, AUDITED),
    )
    return channel


@transaction.atomic
def channel_update(*, channel: Channel, actor: Actor, **changes: Any) -> Channel:
    """Change a channel's settings; the code is its identity and cannot change."""
    before = snapshot(channel, AUDITED)
    for name, value in changes.items():
        setattr(channel, name, value)
    _validate(channel)
    changed = [name for name in changes if before.get(name) != getattr(channel, name)]
    if changed:
        channel.save(update_fields=[*changed, "updated_at"])
        audit_record(
            aggregate_type="channel",
            aggregate_id=channel.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(channel, changed),
        )
    return channel
