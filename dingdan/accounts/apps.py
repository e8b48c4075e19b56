from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dingdan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from dingdan.core.cache import cached_tables_register

        # user_scopes reads copies of who holds which role and permission (a user's own row,
        # active or not, is read with each request).
        cached_tables_register(
            "auth_user_groups", "auth_user_user_permissions", "auth_group_permissions", "auth_permission"
        )
