from django.db import migrations

from dingdan.accounts.roles import roles_sync


class Migration(migrations.Migration):
    """Scopes for review overrides, exceptions, fulfilment, billing, notifications and reports."""

    dependencies = [("accounts", "0003_capability_scopes")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
