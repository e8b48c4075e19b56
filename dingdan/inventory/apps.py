from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "dingdan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from dingdan.core.cache import cached_tables_register

        from . import verify  # noqa: F401  (registers the stock invariants with `dingdan verify`)

        cached_tables_register("inventory_warehouse")  # promised dates read its copies
