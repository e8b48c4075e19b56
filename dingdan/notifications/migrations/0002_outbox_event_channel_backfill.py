"""Fill in the sales channel of the outbox events written before core/0003 gave them one
(the events emitted since carry it): an order's events name it by their aggregate id, the
events of its exception cases, shipments, payments, refunds and invoices by their payload's
order_id. One UPDATE … FROM per batch of ids, each committed on its own (the migration is not
atomic: a stopped run resumes where it left off, and no lock is held across batches); rows
written while it runs are picked up by a last pass. Events that concern no order keep none."""

from typing import Any

from django.db import connection as default_connection
from django.db import migrations
from django.db.models import Max, Min

BATCH = 20_000

# The id of the order an event concerns, as SQL over the event row `e`.
ORDER_REF = {
    "postgresql": (
        "CASE WHEN e.aggregate_type = 'order' THEN CAST(e.aggregate_id AS bigint)"
        " ELSE CAST(e.data ->> 'order_id' AS bigint) END"
    ),
    "sqlite": (
        "CASE WHEN e.aggregate_type = 'order' THEN CAST(e.aggregate_id AS integer)"
        " ELSE json_extract(e.data, '$.order_id') END"
    ),
}


def backfill(apps: Any, schema_editor: Any, batch: int = BATCH) -> int:
    """Set the channel of every event without one that concerns an order; returns how many
    statements it ran (one per batch of `batch` ids)."""
    outbox = apps.get_model("core", "OutboxEvent")
    order = apps.get_model("orders", "Order")
    connection = schema_editor.connection if schema_editor is not None else default_connection
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(outbox._meta.db_table)} AS e SET channel_id = o.channel_id"
        f" FROM {quote(order._meta.db_table)} AS o"
        f" WHERE e.id > %s AND e.id <= %s AND e.channel_id IS NULL"
        f" AND o.id = {ORDER_REF[connection.vendor]}"
    )
    done = (outbox.objects.aggregate(low=Min("pk"))["low"] or 1) - 1
    statements = 0
    while (last := outbox.objects.aggregate(high=Max("pk"))["high"] or 0) > done:
        with connection.cursor() as cursor:
            while done < last:
                cursor.execute(sql, [done, done + batch])
                done, statements = done + batch, statements + 1
    return statements


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0001_deliveries_webhooks_templates"),
        ("core", "0003_outbox_event_channel"),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
