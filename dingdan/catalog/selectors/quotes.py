"""The priced order: `order_quote` loads the prices, promotions, coupons and shipping fee
rules in force and calls the pure pricing function (catalog.pricing)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dingdan.channels.exceptions import ChannelNotFound
from dingdan.channels.selectors import channel_get
from dingdan.core.cache import cached
from dingdan.core.money import ZERO

from ..domain import Sale
from ..exceptions import COUPON_MESSAGES, SkuNotFound, UnknownChannel, UnknownSku
from ..models import Coupon, CouponCustomerUsage, CouponRedemption, Promotion, ShippingFeeRule, Sku
from ..pricing import (
    CouponTerms,
    PromotionKind,
    PromotionScope,
    PromotionTarget,
    PromotionTerms,
    Quote,
    QuoteLine,
    SaleTerms,
    ShippingRuleTerms,
    normalize_coupon_code,
    quote_order,
)
from .master_data import sku_prices, skus_with_relations


@dataclass(frozen=True)
class QuoteItem:
    """A line to quote: `key` is echoed in the quote (e.g. the line number)."""

    key: str
    sku_id: int
    quantity: int
    supplied_price: Decimal | None = None
    manual_discount: Decimal = ZERO


def promotion_terms(promotion: Promotion) -> PromotionTerms:
    return PromotionTerms(
        promotion_id=promotion.pk,
        code=promotion.code,
        kind=PromotionKind(promotion.kind),
        target=PromotionTarget(promotion.target),
        scope=PromotionScope(promotion.scope),
        scope_codes=frozenset(promotion.scope_codes),
        percent=promotion.percent,
        amount=promotion.amount,
        min_subtotal=promotion.min_subtotal,
        buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity,
        priority=promotion.priority,
        stackable=promotion.stackable,
        requires_coupon=promotion.requires_coupon,
        channel_id=promotion.channel_id,
        customer_grade=promotion.customer_grade,
        valid_from=promotion.valid_from,
        valid_to=promotion.valid_to,
        is_active=promotion.is_active,
    )


def _promotions_in_force(sale: SaleTerms, coupons: Iterable[Coupon]) -> list[PromotionTerms]:
    """Candidates: the database narrows, the pricing function decides. Coupons' promotions are
    included (inactive or not) so the function can say why a coupon is refused."""
    active = cached(("promotions", sale.channel_id, sale.customer_grade), lambda: _promotions_active(sale))
    found = {
        terms.promotion_id: terms
        for terms in active
        if (terms.valid_from is None or terms.valid_from <= sale.at)
        and (terms.valid_to is None or terms.valid_to > sale.at)
    }
    found.update({c.promotion_id: promotion_terms(c.promotion) for c in coupons})
    return list(found.values())


def _promotions_active(sale: SaleTerms) -> tuple[PromotionTerms, ...]:
    """The active promotions of the sale's channel (or of every channel) and customer grade,
    whenever they are in force (the moment is compared in memory: this is kept as a copy)."""
    candidates = Promotion.objects.filter(
        Q(channel_id=sale.channel_id) | Q(channel__isnull=True),
        is_active=True,
        customer_grade__in={"", sale.customer_grade},
    ).order_by("pk")
    return tuple(promotion_terms(p) for p in candidates)


def _coupon_terms(
    codes: Sequence[str], customer_id: int | None, order_number: str
) -> tuple[list[Coupon], dict[str, CouponTerms]]:
    """The presented coupons (by normalised code) with their use so far: the customer's own
    uses, and none of the uses by `order_number` (an order being repriced keeps its coupon)."""
    wanted = {normalize_coupon_code(code) for code in codes}
    if not wanted:
        return [], {}
    coupons = list(Coupon.objects.select_related("promotion").filter(code__in=wanted))
    usage: dict[int, int] = {}
    if customer_id is not None and coupons:
        rows = CouponCustomerUsage.objects.filter(coupon__in=coupons, customer_id=customer_id)
        usage = dict(rows.values_list("coupon_id", "used_count"))
    own: set[int] = set()
    if order_number and coupons:
        redemptions = CouponRedemption.objects.filter(
            coupon__in=coupons, order_number=order_number, released_at__isnull=True
        )
        own = set(redemptions.values_list("coupon_id", flat=True))
    terms = {
        c.code: CouponTerms(
            code=c.code,
            promotion_id=c.promotion_id,
            is_active=c.is_active,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            usage_limit=c.usage_limit,
            used_count=c.used_count - (c.pk in own),
            per_customer_limit=c.per_customer_limit,
            customer_used_count=usage.get(c.pk, 0) - (c.pk in own),
        )
        for c in coupons
    }
    return coupons, terms


def _shipping_rules(channel_id: int | None) -> list[ShippingRuleTerms]:
    return list(cached(("shipping_rules", channel_id), lambda: _shipping_rules_read(channel_id)))


def _shipping_rules_read(channel_id: int | None) -> tuple[ShippingRuleTerms, ...]:
    rules = ShippingFeeRule.objects.filter(Q(channel_id=channel_id) | Q(channel__isnull=True), is_active=True)
    return tuple(
        ShippingRuleTerms(
            rule_id=r.pk,
            code=r.code,
            channel_id=r.channel_id,
            regions=frozenset(r.regions),
            base_fee=r.base_fee,
            included_grams=r.included_grams,
            fee_per_kg=r.fee_per_kg,
            free_above=r.free_above,
            priority=r.priority,
        )
        for r in rules.order_by("pk")
    )


def _quote_lines(
    items: Sequence[QuoteItem], sale: Sale, known: Mapping[int, Sku] | None
) -> tuple[list[QuoteLine], bool]:
    """The lines with their SKUs' facts and list prices, and whether those prices include tax
    (the first chosen list's flag; default: they do). Raises SkuNotFound."""
    quantities: dict[int, int] = {}
    for item in items:
        quantities[item.sku_id] = quantities.get(item.sku_id, 0) + item.quantity
    skus = dict(known or {})
    if set(quantities) - set(skus):
        skus.update((sku.pk, sku) for sku in skus_with_relations().filter(pk__in=quantities))
    prices = sku_prices(
        sku_ids=quantities,
        channel_id=sale.channel_id,
        customer_grade=sale.customer_grade,
        currency=sale.currency,
        on_date=sale.on_date,
        quantities=quantities,
    )
    if set(quantities) - set(skus):
        raise SkuNotFound()
    lines = []
    for item in items:
        sku, price = skus[item.sku_id], prices.get(item.sku_id)
        lines.append(
            QuoteLine(
                key=item.key,
                sku_id=sku.pk,
                quantity=item.quantity,
                list_price=price.unit_price if price else None,
                tax_rate=sku.tax_rate.rate,
                supplied_price=item.supplied_price,
                manual_discount=item.manual_discount,
                sku_code=sku.code,
                product_code=sku.product.code,
                category=sku.product.category,
                weight_grams=sku.weight_grams or 0,
            )
        )
    return lines, next((price.prices_include_tax for price in prices.values()), True)


def order_quote(
    *,
    items: Sequence[QuoteItem],
    channel_id: int | None,
    customer_grade: str,
    currency: str,
    at: dt.datetime,
    customer_id: int | None = None,
    region: str = "",
    coupon_codes: Sequence[str] = (),
    shipping_fee: Decimal = ZERO,
    order_number: str = "",
    skus: Iterable[Sku] = (),
) -> Quote:
    """The priced order (catalog.pricing.quote_order) with the list prices, promotions, coupons
    and shipping fee rules in force at `at`; list prices are chosen for the business date of
    `at`, at the quantity tier of each SKU's units in the order. Prices include tax as the
    chosen price list says (default: they do). `order_number`: an order that already redeemed
    some of the coupons (its own uses do not count against it). Raises SkuNotFound for an
    unknown SKU id. `skus`: the lines' SKUs (with product and tax rate) when the caller has
    them, which saves a query. At most seven queries, however many lines."""
    sale = Sale(
        channel_id=channel_id,
        customer_grade=customer_grade,
        currency=currency,
        on_date=timezone.localdate(at),
    )
    lines, includes_tax = _quote_lines(items, sale, {sku.pk: sku for sku in skus})
    terms = SaleTerms(
        channel_id=channel_id,
        customer_grade=customer_grade,
        at=at,
        currency=currency,
        prices_include_tax=includes_tax,
        region=region,
        shipping_fee=shipping_fee,
    )
    coupons, coupon_terms = _coupon_terms(coupon_codes, customer_id, order_number)
    return quote_order(
        lines=lines,
        sale=terms,
        promotions=_promotions_in_force(terms, coupons),
        coupons=coupon_terms,
        coupon_codes=coupon_codes,
        shipping_rules=_shipping_rules(channel_id),
    )


EXPLANATION_LABELS = {
    "line_percent_off": _("%(percent)s %% off the line (%(code)s)"),
    "line_amount_off": _("%(amount)s %(currency)s off each unit (%(code)s)"),
    "line_buy_x_get_y": _("Buy %(buy)s, get %(get)s free (%(code)s)"),
    "order_percent_off": _("%(percent)s %% off the order (%(code)s)"),
    "order_amount_off": _("%(amount)s %(currency)s off the order (%(code)s)"),
    "order_threshold_off": _("Spend %(threshold)s %(currency)s, get %(amount)s off (%(code)s)"),
    "shipping_fee": _("Shipping by rule %(code)s (%(weight_grams)s g)"),
    "shipping_free_above": _("Free shipping from %(threshold)s %(currency)s (%(code)s)"),
}


def explanation_label(*, reason: str, params: Mapping[str, Any]) -> str:
    """An explanation's label in the active language (a stored one too: reason and params
    are what the order keeps)."""
    label = EXPLANATION_LABELS.get(reason)
    if label is None:
        return str(params.get("code", reason))
    try:
        return str(label) % params
    except (KeyError, TypeError, ValueError):
        return str(params.get("code", reason))


@dataclass(frozen=True)
class PreviewLine:
    sku_code: str
    quantity: int
    unit_price: Decimal | None = None
    discount: Decimal = ZERO


def _preview_lines(lines: Sequence[PreviewLine]) -> list[QuoteItem]:
    """QuoteItems keyed by line number (1, 2, …). Raises UnknownSku naming each unknown line."""
    skus = {sku.code: sku for sku in Sku.objects.filter(code__in={line.sku_code for line in lines})}
    errors = [
        {"field": f"lines.{index}.sku", "message": str(UnknownSku.default_message), "code": UnknownSku.code}
        for index, line in enumerate(lines)
        if line.sku_code not in skus
    ]
    if errors:
        raise UnknownSku(errors=errors)
    return [
        QuoteItem(
            key=str(index),
            sku_id=skus[line.sku_code].pk,
            quantity=line.quantity,
            supplied_price=line.unit_price,
            manual_discount=line.discount,
        )
        for index, line in enumerate(lines, start=1)
    ]


def quote_preview(
    *,
    channel_code: str,
    lines: Sequence[PreviewLine],
    customer_grade: str = "",
    customer_id: int | None = None,
    region: str = "",
    coupon_codes: Sequence[str] = (),
    shipping_fee: Decimal = ZERO,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What an order of `lines` on the channel would cost (order_quote, in the channel's
    currency, at `at` or now), as QuoteOut: labels and refusals in the active language.
    Writes nothing. Raises UnknownChannel and UnknownSku (422, naming the fields)."""
    try:
        channel = channel_get(code=channel_code)
    except ChannelNotFound:
        error = UnknownChannel()
        error.errors = [{"field": "channel", "message": str(error.message), "code": error.code}]
        raise error from None
    items = _preview_lines(lines)
    quote = order_quote(
        items=items,
        channel_id=channel.pk,
        customer_grade=customer_grade,
        currency=channel.currency,
        at=_utc(at) if at else timezone.now(),
        customer_id=customer_id,
        region=region,
        coupon_codes=coupon_codes,
        shipping_fee=shipping_fee,
    )
    return _preview_out(quote, {item.key: line.sku_code for item, line in zip(items, lines, strict=True)})


def _utc(at: dt.datetime) -> dt.datetime:
    """A time without a zone is UTC (the API's times are)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _preview_out(quote: Quote, sku_codes: Mapping[str, str]) -> dict[str, Any]:
    return {
        **{name: getattr(quote, name) for name in _QUOTE_TOTALS},
        "lines": [
            {**{name: getattr(q, name) for name in _LINE_FIELDS}, "line": int(q.key), "sku": sku_codes[q.key]}
            for q in quote.lines
        ],
        "explanations": [
            {
                "kind": e.kind,
                "code": e.code,
                "coupon_code": e.coupon_code,
                "reason": e.reason,
                "label": explanation_label(reason=e.reason, params=e.params),
                "amount": e.amount,
                "lines": [{"line": int(key), "amount": amount} for key, amount in e.lines],
            }
            for e in quote.explanations
        ],
        "applied_coupons": list(quote.applied_coupons),
        "rejected_coupons": [
            {"code": code, "reason": str(reason), "message": str(COUPON_MESSAGES[reason]) % {"coupon": code}}
            for code, reason in quote.rejected_coupons
        ],
    }


_QUOTE_TOTALS = (
    "currency",
    "prices_include_tax",
    "subtotal",
    "line_discount_total",
    "order_discount",
    "shipping_fee",
    "shipping_rule",
    "tax_total",
    "total",
)
_LINE_FIELDS = (
    "quantity",
    "unit_price",
    "price_source",
    "list_price",
    "amount",
    "manual_discount",
    "promotion_discount",
    "subtotal",
    "order_discount_share",
    "tax",
)
