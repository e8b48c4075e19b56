"""Indexes for the back office's list and for figures over a period at a large history
(docs/performance.md §4-5): open orders newest first (the staff labels of open orders);
orders by creation time and order lines by order carrying the columns the dashboard and the
reports add up, so those read the index alone; confirmed orders by promised date
(fulfilment's orders at risk, on the dashboard)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_review_exceptions_amendments"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("cancelled", "rejected", "completed", "draft")), _negated=True
                ),
                fields=["-id", "fulfillment_status"],
                name="order_open_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["created_at", "status", "total", "channel", "id"], name="order_created_figures"
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                fields=["order", "sku_code", "quantity", "subtotal"], name="order_line_figures"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status", "confirmed")),
                fields=["promised_date", "id"],
                name="order_confirmed_promised",
            ),
        ),
    ]
