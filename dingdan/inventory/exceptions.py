from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import Conflict, NotFound, ValidationFailed


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
    default_message = _("No such warehouse.")


class WarehouseCodeTaken(Conflict):
    code = "warehouse_code_taken"
    default_message = _("A warehouse with this code already exists.")


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = _("Not enough stock: the quantity would fall below what is reserved.")


class ReservationConflict(Conflict):
    code = "reservation_conflict"
    default_message = _("The reservations changed while they were being released. Retry.")


class UnknownSku(ValidationFailed):
    code = "unknown_sku"
    default_message = _("No such SKU.")


class WarehouseInactive(ValidationFailed):
    code = "warehouse_inactive"
    default_message = _("This warehouse is inactive.")
