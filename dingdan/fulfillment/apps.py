from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfillmentConfig(AppConfig):
    name = "dingdan.fulfillment"
    label = "fulfillment"
    verbose_name = _("Fulfilment")

    def ready(self) -> None:
        import dingdan.fulfillment.verify  # noqa: F401  (registers the checks of `dingdan verify`)

        from .services.providers import register_all

        register_all()
