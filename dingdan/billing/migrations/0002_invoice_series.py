"""The invoice and credit note series, each gapless from 1."""

from django.db import migrations


def create_series(apps, schema_editor):  # type: ignore[no-untyped-def]
    series = apps.get_model("billing", "InvoiceSeries")
    for code in ("INV", "CN"):
        series.objects.get_or_create(code=code, defaults={"prefix": code})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_payments_refunds_invoices_statements")]

    operations = [migrations.RunPython(create_series, migrations.RunPython.noop)]
