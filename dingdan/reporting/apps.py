from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Read models over the other contexts (their selectors and events), kept exact."""

    name = "dingdan.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from dingdan.core.outbox import outbox_dispatcher_register

        from . import services, tasks, verify  # noqa: F401  (registers the tasks and `dingdan verify` check)

        outbox_dispatcher_register("reporting", services.event_consume)
