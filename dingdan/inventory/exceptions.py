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


class NotReserved(Conflict):
    code = "not_reserved"
    default_message = _("These units are not reserved for this demand in this warehouse.")


class BinNotFound(NotFound):
    code = "bin_not_found"
    default_message = _("No such bin location.")


class BinCodeTaken(Conflict):
    code = "bin_code_taken"
    default_message = _("This warehouse already has a bin with this code.")


class BinStockExceeded(Conflict):
    code = "bin_stock_exceeded"
    default_message = _("The bins would hold more units than are on hand, or a bin fewer than none.")


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    default_message = _("No such transfer.")


class TransferNotInTransit(Conflict):
    code = "transfer_not_in_transit"
    default_message = _("This transfer has already been received.")


class StockCountNotFound(NotFound):
    code = "stock_count_not_found"
    default_message = _("No such stock count.")


class StockCountPosted(Conflict):
    code = "stock_count_posted"
    default_message = _("This stock count has already been posted.")
