from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import Conflict, NotFound, ValidationFailed


class WebhookTargetRefused(ValidationFailed):
    """The URL is malformed or points where webhooks may not go (SSRF guard)."""

    code = "webhook_target_refused"
    default_message = _("The webhook URL is not allowed.")


class SubscriptionNotFound(NotFound):
    code = "webhook_subscription_not_found"
    default_message = _("No such webhook subscription.")


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"
    default_message = _("No such delivery.")


class DeliveryInProgress(Conflict):
    code = "delivery_in_progress"
    default_message = _("This delivery is being sent right now; try again when it has finished.")


class TemplateNotFound(NotFound):
    code = "message_template_not_found"
    default_message = _("No such message template.")


class InvalidTemplate(ValidationFailed):
    code = "invalid_message_template"
    default_message = _("The message template is not valid.")


class InvalidTrackingLink(NotFound):
    code = "tracking_link_invalid"
    default_message = _("This tracking link is not valid.")
