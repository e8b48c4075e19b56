"""The sales channel of the order an outbox event concerns, as a plain id: a token bound to a
channel reads the event feed from the index outbox_channel_feed instead of casting every
row's payload. Adding a nullable column rewrites no rows; notifications/0002 fills in the
events written before it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_cacheversion"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="channel_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(fields=["channel_id", "id"], name="outbox_channel_feed"),
        ),
    ]
