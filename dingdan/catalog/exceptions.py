"""Failures of the catalog, each with a stable code (the API's problem `code`)."""

from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import ApplicationError, Conflict, NotFound


class TaxRateNotFound(NotFound):
    code = "tax_rate_not_found"
    default_message = _("No such tax rate.")


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = _("No such product.")


class SkuNotFound(NotFound):
    code = "sku_not_found"
    default_message = _("No such SKU.")


class PriceListNotFound(NotFound):
    code = "price_list_not_found"
    default_message = _("No such price list.")


class TaxRateCodeTaken(Conflict):
    code = "tax_rate_code_taken"
    default_message = _("A tax rate with this code already exists.")


class ProductCodeTaken(Conflict):
    code = "product_code_taken"
    default_message = _("A product with this code already exists.")


class SkuCodeTaken(Conflict):
    code = "sku_code_taken"
    default_message = _("A SKU with this code already exists.")


class SkuBarcodeTaken(Conflict):
    code = "sku_barcode_taken"
    default_message = _("A SKU with this barcode already exists.")


class PriceListCodeTaken(Conflict):
    code = "price_list_code_taken"
    default_message = _("A price list with this code already exists.")


class UnknownReference(ApplicationError):
    """The request names something that does not exist (422: the request is wrong, not the URL)."""

    status = 422


class UnknownTaxRate(UnknownReference):
    code = "unknown_tax_rate"
    default_message = _("No tax rate has this code.")


class TaxRateInactive(ApplicationError):
    status = 422
    code = "tax_rate_inactive"
    default_message = _("This tax rate is inactive; choose an active one.")


class UnknownSku(UnknownReference):
    code = "unknown_sku"
    default_message = _("No SKU has this code.")


class UnknownChannel(UnknownReference):
    code = "unknown_channel"
    default_message = _("No sales channel has this code.")


class DuplicatePriceListItem(ApplicationError):
    status = 422
    code = "duplicate_price_list_item"
    default_message = _("The same SKU and minimum quantity appear more than once.")


class PriceListItemsChanged(Conflict):
    code = "price_list_items_changed"
    default_message = _("The price list's items changed at the same time. Reload and try again.")
