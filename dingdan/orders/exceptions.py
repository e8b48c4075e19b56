from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = _("No such order.")


class InvalidOrderTransition(Conflict):
    code = "invalid_order_transition"
    default_message = _("This action is not allowed for the order in its current status.")


class DuplicateExternalReference(Conflict):
    code = "duplicate_external_reference"
    default_message = _("An order with this external reference already exists on this channel.")


class InvalidOrder(ValidationFailed):
    code = "invalid_order"
    default_message = _("The order is not valid.")


class ChannelNotAllowed(PermissionDenied):
    code = "channel_not_allowed"
    default_message = _("This token may only create orders on its own channel.")


class PriceOverrideNotAllowed(PermissionDenied):
    code = "price_override_not_allowed"
    default_message = _("Only callers with the orders:set_prices scope may supply unit prices.")


class OrderNotEditable(ApplicationError):
    status = 409
    code = "order_not_editable"
    default_message = _("Only draft orders can be edited; submitted orders change through amendments.")
