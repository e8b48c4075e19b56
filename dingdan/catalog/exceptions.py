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


class PromotionNotFound(NotFound):
    code = "promotion_not_found"
    default_message = _("No such promotion.")


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_message = _("No such coupon.")


class ShippingFeeRuleNotFound(NotFound):
    code = "shipping_fee_rule_not_found"
    default_message = _("No such shipping fee rule.")


class PromotionCodeTaken(Conflict):
    code = "promotion_code_taken"
    default_message = _("A promotion with this code already exists.")


class CouponCodeTaken(Conflict):
    code = "coupon_code_taken"
    default_message = _("A coupon with this code already exists.")


class ShippingFeeRuleCodeTaken(Conflict):
    code = "shipping_fee_rule_code_taken"
    default_message = _("A shipping fee rule with this code already exists.")


class UnknownPromotion(UnknownReference):
    code = "unknown_promotion"
    default_message = _("No promotion has this code.")


class CouponNotUsable(ApplicationError):
    """A presented coupon cannot be used; `code` says why (one of catalog.pricing's
    CouponRejection values), the message names the coupon."""

    status = 422
    code = "coupon_not_usable"
    default_message = _("This coupon cannot be used.")


class CouponExhausted(Conflict):
    code = "coupon_exhausted"
    default_message = _("This coupon has been used up.")


class CouponCustomerLimitReached(Conflict):
    code = "coupon_customer_limit_reached"
    default_message = _("This customer has already used this coupon as often as allowed.")


class CouponAlreadyRedeemed(Conflict):
    code = "coupon_already_redeemed"
    default_message = _("This coupon is already redeemed for this order.")


COUPON_MESSAGES = {
    "coupon_unknown": _("Coupon %(coupon)s does not exist."),
    "coupon_inactive": _("Coupon %(coupon)s is not active."),
    "coupon_not_yet_valid": _("Coupon %(coupon)s is not valid yet."),
    "coupon_expired": _("Coupon %(coupon)s has expired."),
    "coupon_exhausted": _("Coupon %(coupon)s has been used up."),
    "coupon_customer_limit_reached": _(
        "Coupon %(coupon)s was already used by this customer as often as allowed."
    ),
    "coupon_not_applicable": _("Coupon %(coupon)s does not apply to this order."),
    "coupon_duplicate": _("Coupon %(coupon)s unlocks a promotion that another coupon already unlocked."),
}


def coupon_error(coupon: str, reason: str, *, field: str = "coupon_codes") -> ApplicationError:
    """The problem for a coupon that cannot be used: 409 when it is used up (in total or by
    the customer: a retry may see it released), else 422; `code` is the reason."""
    message = COUPON_MESSAGES.get(reason, COUPON_MESSAGES["coupon_unknown"]) % {"coupon": coupon}
    error_class: type[ApplicationError] = {
        "coupon_exhausted": CouponExhausted,
        "coupon_customer_limit_reached": CouponCustomerLimitReached,
    }.get(reason, CouponNotUsable)
    return error_class(message, code=reason, errors=[{"field": field, "message": message, "code": reason}])
