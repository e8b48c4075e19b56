"""The back office's search by tracking number (any carrier): the unique constraint leads with
the carrier, so a search by the number alone read every shipment. With the order id beside it
the search reads this index alone (fulfillment.selectors.order_ids_with_tracking_number)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0002_seed_carriers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="shipment",
            index=models.Index(fields=["tracking_number", "order"], name="shipment_tracking_number"),
        ),
    ]
