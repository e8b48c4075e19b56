"""Refusals of reporting (problem+json through core's handler)."""

from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import ValidationFailed


class InvalidPeriod(ValidationFailed):
    code = "invalid_period"
    default_message = _("The period must end on or after its first day and span at most %(days)d days.")
