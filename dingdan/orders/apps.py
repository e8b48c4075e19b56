from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "dingdan.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from dingdan.core.cache import cached_tables_register

        from . import checks, verify  # noqa: F401  (registers the review checks and `dingdan verify` checks)
        from .services.shortage import register_builtin_options

        register_builtin_options()
        cached_tables_register("orders_checksetting", "orders_blacklistentry")  # review reads copies
