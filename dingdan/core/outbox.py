"""The outbox: an event row written in the caller's transaction, and its delivery task
enqueued in the same transaction (database task backend), so both commit or neither does."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from .events import Event
from .models import OutboxEvent


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
