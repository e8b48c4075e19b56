from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "dingdan.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from dingdan.core.cache import cached_tables_register

        cached_tables_register("channels_channel")  # order placement reads its copies
