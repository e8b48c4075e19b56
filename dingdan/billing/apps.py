from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "dingdan.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from dingdan.orders.providers import register_credit_exposure_provider

        from . import selectors, tasks, verify  # noqa: F401  (registers tasks and `dingdan verify` checks)

        # The review's credit check asks billing for a customer's open receivables.
        register_credit_exposure_provider(selectors.open_receivables)
