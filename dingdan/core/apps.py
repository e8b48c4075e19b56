from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dingdan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import cache, numbering, tasks  # noqa: F401  (registers post_migrate and tasks)
