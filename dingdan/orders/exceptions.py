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


class OverrideNotAllowed(PermissionDenied):
    code = "override_not_allowed"
    default_message = _("Approving an order whose checks failed needs the orders:override scope.")


class OverrideNoteRequired(ValidationFailed):
    code = "override_note_required"
    default_message = _("Say why you approve an order whose checks failed (an override note).")


class ExceptionCaseNotFound(NotFound):
    code = "exception_case_not_found"
    default_message = _("No such exception case.")


class InvalidExceptionTransition(Conflict):
    code = "invalid_exception_transition"
    default_message = _("This action is not allowed for the exception case in its current status.")


class ShortageOptionUnavailable(Conflict):
    code = "shortage_option_unavailable"
    default_message = _("This option is not available for the short line (any more).")


class ChangeRequestNotFound(NotFound):
    code = "change_request_not_found"
    default_message = _("No such change request.")


class ChangeRequestClosed(Conflict):
    code = "change_request_closed"
    default_message = _("This change request was already committed or discarded.")


class OrderNotAmendable(Conflict):
    code = "order_not_amendable"
    default_message = _("Only orders waiting for review, on hold or confirmed can be amended.")


class AmendmentRefused(Conflict):
    code = "amendment_refused"
    default_message = _("The change cannot be made.")


class ShippedQuantityLocked(Conflict):
    code = "shipped_quantity_locked"
    default_message = _("What has shipped cannot be changed.")


class UnknownCheck(NotFound):
    code = "unknown_check"
    default_message = _("No such review check.")
