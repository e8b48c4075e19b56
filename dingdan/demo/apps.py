from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`dingdan demo`: migrate, load demo data through the contexts' services, serve."""

    name = "dingdan.demo"
    label = "demo"
    verbose_name = _("Demo")
