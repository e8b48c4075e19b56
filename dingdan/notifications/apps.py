from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dingdan.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from dingdan.core.outbox import outbox_dispatcher_register, outbox_sweeper_register

        from . import services, tasks  # noqa: F401  (registers the pump task)

        outbox_dispatcher_register("notifications", services.event_fanout)
        outbox_sweeper_register("notifications", services.deliveries_sweep)
