"""Keeps the role groups equal to ROLES. Called by migrations (with historical models)."""

from typing import Any

from .scopes import ROLES, permission_codename


def roles_sync(apps: Any, schema_editor: Any = None) -> None:
    from django.contrib.auth.management import create_permissions

    accounts = apps.get_app_config("accounts")
    if not getattr(accounts, "models_module", None):  # historical app configs have none
        accounts.models_module = True
    create_permissions(accounts, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    by_codename = {p.codename: p for p in permission_model.objects.filter(content_type__app_label="accounts")}
    for role, (_label, scopes) in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=role)
        # An earlier migration's historical model lacks later scopes; the migration that adds
        # them runs this again.
        codenames = [permission_codename(scope) for scope in scopes]
        group.permissions.set([by_codename[code] for code in codenames if code in by_codename])
