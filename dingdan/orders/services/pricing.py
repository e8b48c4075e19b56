"""Pricing an order through the catalog's quote (catalog.selectors.order_quote): list prices at
the quantity tier, promotions, coupons, shipping fee rules and tax, computed by the catalog's
pure pricing function and copied onto the order and its lines.

What an order keeps: each line's `discount` is its manual discount plus its line promotions
(the promotions' share per line is in `applied_promotions`, so repricing starts again from
the manual part); `discount_total` is the order-level discounts; `shipping_fee` is the rule's
fee (on a channel without an applicable rule, the fee given with the order stays);
`applied_promotions` the explanations; `coupon_codes` the coupons presented (normalised).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.catalog import exceptions as catalog_errors
from dingdan.catalog import selectors as catalog
from dingdan.catalog import services as catalog_services
from dingdan.core import money
from dingdan.core.actors import Actor
from dingdan.core.money import ZERO

from .. import checks
from ..exceptions import InvalidOrder
from ..models import Order, OrderLine

# The widest amount a line or order column holds (max_digits 14, 2 places), and the widest
# price, discount or shipping fee (max_digits 12).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_PRICE = money.MAX_AMOUNT


def coupon_codes_normalized(codes: Iterable[str]) -> list[str]:
    """The presented codes as the catalog compares them, each once, in the order given."""
    return list(dict.fromkeys(catalog.normalize_coupon_code(code) for code in codes if code.strip()))


def _promotion_shares(applied: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    """What the line promotions of the last pricing took off each line (by line number)."""
    shares: dict[str, Decimal] = {}
    for explained in applied:
        if explained.get("kind") == "line_promotion":
            for key, amount in explained.get("lines", []):
                shares[key] = shares.get(key, ZERO) + Decimal(amount)
    return shares


def _items(order: Order, lines: Sequence[OrderLine]) -> list[catalog.QuoteItem]:
    shares = _promotion_shares(order.applied_promotions or [])
    return [
        catalog.QuoteItem(
            key=str(line.line_number),
            sku_id=line.sku_id,
            quantity=line.quantity,
            supplied_price=line.unit_price if line.price_source == "supplied" else None,
            manual_discount=line.discount - shares.get(str(line.line_number), ZERO),
        )
        for line in lines
    ]


def _check_amounts(items: Sequence[catalog.QuoteItem], quote: catalog.Quote) -> None:
    """A manual discount may not exceed its line's amount, and no amount may outgrow its
    column (14 digits): InvalidOrder naming the lines, not a database error."""
    errors = []
    for index, (item, quoted) in enumerate(zip(items, quote.lines, strict=True)):
        field = f"lines.{index}"
        if item.manual_discount > quoted.amount:
            message = _("The discount exceeds the line's amount.")
            errors.append({"field": f"{field}.discount", "message": message, "code": "discount_too_large"})
        elif max(quoted.amount, quoted.tax) > MAX_AMOUNT or quoted.discount > MAX_PRICE:
            message = _("The line's amount exceeds %(max)s.") % {"max": MAX_AMOUNT}
            errors.append({"field": field, "message": message, "code": "amount_too_large"})
    if not errors and max(quote.subtotal, quote.tax_total, quote.total) > MAX_AMOUNT:
        message = _("The order's total exceeds %(max)s.") % {"max": MAX_AMOUNT}
        errors.append({"field": "lines", "message": message, "code": "amount_too_large"})
    if quote.shipping_fee > MAX_PRICE:  # a fee per kilogram times a huge weight
        message = _("The shipping fee exceeds %(max)s.") % {"max": MAX_PRICE}
        errors.append({"field": "shipping_fee", "message": message, "code": "amount_too_large"})
    if errors:
        raise InvalidOrder(errors=errors)


def _refuse_rejected_coupons(order: Order, quote: catalog.Quote) -> None:
    for code, reason in quote.rejected_coupons:
        index = order.coupon_codes.index(code) if code in order.coupon_codes else 0
        raise catalog_errors.coupon_error(code, reason, field=f"coupon_codes.{index}")


def explanations_stored(quote: catalog.Quote) -> list[dict[str, Any]]:
    """The quote's explanations as the order keeps them (JSON: amounts as decimal strings)."""
    return [
        {
            "kind": e.kind,
            "code": e.code,
            "coupon_code": e.coupon_code,
            "reason": e.reason,
            "params": dict(e.params),
            "amount": str(e.amount),
            "lines": [[key, str(amount)] for key, amount in e.lines],
        }
        for e in quote.explanations
    ]


def price_order(
    order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], *, strict_coupons: bool = False
) -> catalog.Quote:
    """Price the order and its lines in memory, and set the digest of its lines (the caller
    saves). With `strict_coupons` (at submission) a presented coupon that cannot be used
    raises CouponNotUsable (422), CouponExhausted or CouponCustomerLimitReached (409); when
    repricing, such a coupon just gives nothing. Amounts a line or the order cannot hold
    raise InvalidOrder."""
    items = _items(order, lines)
    quote = catalog.order_quote(
        items=items,
        channel_id=order.channel_id,
        customer_grade=order.customer_grade,
        currency=order.currency,
        at=timezone.now(),
        customer_id=order.customer_id,
        region=str((order.shipping_address or {}).get("province", "")),
        coupon_codes=order.coupon_codes or [],
        shipping_fee=order.shipping_fee,
        order_number=order.number,
        skus=skus.values(),
    )
    if strict_coupons:
        _refuse_rejected_coupons(order, quote)
    _check_amounts(items, quote)
    for line, quoted in zip(lines, quote.lines, strict=True):
        line.list_price = quoted.list_price
        line.unit_price = quoted.unit_price
        line.tax_rate = skus[line.sku_code].tax_rate.rate
        line.discount = quoted.discount
        line.subtotal, line.tax_amount = quoted.subtotal, quoted.tax
    order.prices_include_tax = quote.prices_include_tax
    order.subtotal, order.discount_total, order.shipping_fee = (
        quote.subtotal,
        quote.order_discount,
        quote.shipping_fee,
    )
    order.tax_total, order.total = quote.tax_total, quote.total
    order.applied_promotions = explanations_stored(quote)
    # Every change of the lines is priced here, so the digest the duplicate check reads
    # changes with them (the callers save it with the totals).
    order.lines_digest = checks.lines_digest((line.sku_code, line.quantity) for line in lines)
    return quote


def coupons_redeem(order: Order, quote: catalog.Quote, *, actor: Actor) -> None:
    """Count the use of each coupon the quote applied, in the caller's transaction, in code
    order (the lock order of coupons). Raises CouponExhausted or CouponCustomerLimitReached
    (409) when a racing order took the last use meanwhile."""
    for code in sorted(quote.applied_coupons):
        catalog_services.coupon_redeem(
            code=code, order_number=order.number, customer_id=order.customer_id, actor=actor
        )


def coupons_release(order: Order, *, actor: Actor) -> None:
    """Give back the coupon uses of a cancelled or rejected order."""
    if order.coupon_codes:
        catalog_services.coupon_release(order_number=order.number, actor=actor)
