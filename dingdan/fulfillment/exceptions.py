from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import ApplicationError, Conflict, NotFound, ValidationFailed


class CarrierNotFound(NotFound):
    code = "carrier_not_found"
    default_message = _("No such carrier.")


class PickListNotFound(NotFound):
    code = "pick_list_not_found"
    default_message = _("No such pick list.")


class PackageNotFound(NotFound):
    code = "package_not_found"
    default_message = _("No such package.")


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"
    default_message = _("No such shipment.")


class NothingToPick(Conflict):
    code = "nothing_to_pick"
    default_message = _("None of these orders has reserved units in this warehouse left to pick.")


class PickListNotOpen(Conflict):
    code = "pick_list_not_open"
    default_message = _("This pick list has already been confirmed or cancelled.")


class PickListNotPicked(Conflict):
    code = "pick_list_not_picked"
    default_message = _("Confirm the picks before packing.")


class PackingMismatch(ValidationFailed):
    code = "packing_mismatch"
    default_message = _("The packed contents differ from what was picked for the order.")


class NothingToPack(Conflict):
    code = "nothing_to_pack"
    default_message = _("Everything picked for this order on this pick list is already packed.")


class PackageAlreadyShipped(Conflict):
    code = "package_already_shipped"
    default_message = _("A package has already shipped.")


class InvalidTrackingNumber(ValidationFailed):
    code = "invalid_tracking_number"
    default_message = _("The tracking number does not match the carrier's format.")


class TrackingNumberTaken(Conflict):
    code = "tracking_number_taken"
    default_message = _("Another shipment of this carrier has this tracking number.")


class SourcingLocked(Conflict):
    code = "sourcing_locked"
    default_message = _("Units of this order are already on a pick list; source it before picking.")


class InvalidSourcing(ValidationFailed):
    code = "invalid_sourcing"
    default_message = _("The sourcing does not cover the order's reserved units.")


class InvalidSignature(ApplicationError):
    status = 401
    code = "invalid_signature"
    default_message = _("The webhook signature is missing, wrong or too old.")


class InvalidTrackingFile(ValidationFailed):
    code = "invalid_tracking_file"
    default_message = _("The tracking file could not be read.")
