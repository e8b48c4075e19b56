"""The pricing function: an order's amounts from plain data (no ORM, clock or settings).

`quote_order` takes the lines (list or supplied unit price, tax rate, weight, product and
category), the sale (channel, customer grade, region, moment, currency, whether prices include
tax), the promotions and coupons in force and the shipping fee rules, and returns every amount
with an explanation of each discount and of the shipping fee. All amounts are Decimal; every
rounding goes through `core.money.quantize`; shares of an order discount are split in whole
minor units (no rounding at all).

Rules (the order they apply in is the order of this list):

1. Unit price: a supplied price (a marketplace's) wins over the list price; a line without
   either is priced 0 (the review's products check fails it). Amount = quantity × unit price.
   A manual line discount comes off first, capped at the amount.
2. Promotions in force: active, within their validity (from ≤ moment < to), for the sale's
   channel and customer grade (blank: every one); a promotion that needs a coupon only when a
   valid coupon for it is presented. Lines with a supplied price take no promotion and do not
   count towards any threshold (their price is the channel's own).
3. Line promotions (percentage or amount per unit off each line in scope, buy X get Y) apply
   first, by priority (higher first, then code). A line promotion applies to a line only while
   no exclusive (non-stackable) promotion has been applied to that line; an exclusive one
   applies only to lines no promotion has touched yet.
4. Order promotions (percentage or amount off, spend ≥ N get M off) apply next, by priority
   then code, each on what remains of its scope after line promotions and earlier order
   promotions. An exclusive order promotion applies only when no other order promotion has,
   and stops every later one. Thresholds compare the scope's amount after line promotions.
5. No discount exceeds what it applies to: a line never goes below 0, an order discount never
   exceeds the remaining amount of its lines; shipping is never discounted (but see 6).
6. Shipping: the best applicable rule (priority, then channel and region set beat blank, then
   the older rule): base fee + fee per started kilogram above the included weight; nothing when
   the goods after discounts reach the rule's free-above amount. Without a rule, the fee given
   with the order stands.
7. Tax per line at the line's rate on the line subtotal less its share of the order discounts
   (shares in proportion to what remains of each line): contained in the price when prices
   include tax, added to the total when they do not. Shipping carries no tax here.
8. total = Σ line subtotals + shipping − order discounts (+ tax when prices exclude it).

A presented coupon that is unknown, inactive, outside its validity, used up (in total or by
this customer), for a promotion not in force, or whose promotion gives nothing on this order is
rejected with a reason (`Quote.rejected_coupons`); the caller decides whether that is an error.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from dingdan.core.money import ZERO, quantize


class PromotionKind(StrEnum):
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    BUY_X_GET_Y = "buy_x_get_y"
    THRESHOLD_OFF = "threshold_off"


class PromotionTarget(StrEnum):
    ORDER = "order"
    LINE = "line"


class PromotionScope(StrEnum):
    ALL = "all"
    SKU = "sku"
    PRODUCT = "product"
    CATEGORY = "category"


class CouponRejection(StrEnum):
    UNKNOWN = "coupon_unknown"
    INACTIVE = "coupon_inactive"
    NOT_YET_VALID = "coupon_not_yet_valid"
    EXPIRED = "coupon_expired"
    EXHAUSTED = "coupon_exhausted"
    CUSTOMER_LIMIT = "coupon_customer_limit_reached"
    NOT_APPLICABLE = "coupon_not_applicable"
    DUPLICATE = "coupon_duplicate"


@dataclass(frozen=True)
class QuoteLine:
    key: str  # the caller's reference of the line (e.g. its line number), echoed back
    sku_id: int
    quantity: int
    list_price: Decimal | None
    tax_rate: Decimal = ZERO
    supplied_price: Decimal | None = None
    manual_discount: Decimal = ZERO
    sku_code: str = ""
    product_code: str = ""
    category: str = ""
    weight_grams: int = 0


@dataclass(frozen=True)
class PromotionTerms:
    promotion_id: int
    code: str
    kind: PromotionKind
    target: PromotionTarget
    scope: PromotionScope = PromotionScope.ALL
    scope_codes: frozenset[str] = frozenset()
    percent: Decimal = ZERO  # a fraction: 0.15 is 15 % off
    amount: Decimal = ZERO  # per unit (line target) or per order (order target)
    min_subtotal: Decimal = ZERO
    buy_quantity: int = 0
    get_quantity: int = 0
    priority: int = 0
    stackable: bool = True
    requires_coupon: bool = False
    channel_id: int | None = None
    customer_grade: str = ""
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    is_active: bool = True


@dataclass(frozen=True)
class CouponTerms:
    code: str
    promotion_id: int
    is_active: bool = True
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    usage_limit: int | None = None
    used_count: int = 0
    per_customer_limit: int | None = None
    customer_used_count: int = 0


@dataclass(frozen=True)
class ShippingRuleTerms:
    rule_id: int
    code: str
    channel_id: int | None = None
    regions: frozenset[str] = frozenset()  # provinces; empty: everywhere
    base_fee: Decimal = ZERO
    included_grams: int = 0
    fee_per_kg: Decimal = ZERO
    free_above: Decimal | None = None
    priority: int = 0
    is_active: bool = True


@dataclass(frozen=True)
class SaleTerms:
    channel_id: int | None
    customer_grade: str
    at: dt.datetime
    currency: str = "CNY"
    prices_include_tax: bool = True
    region: str = ""
    shipping_fee: Decimal = ZERO  # the fee given with the order: stands when no rule applies


@dataclass(frozen=True)
class QuotedLine:
    key: str
    sku_id: int
    quantity: int
    unit_price: Decimal
    price_source: str  # price_list | supplied | none
    list_price: Decimal | None
    amount: Decimal  # quantity × unit price
    manual_discount: Decimal
    promotion_discount: Decimal
    subtotal: Decimal  # amount − manual − promotion discounts
    order_discount_share: Decimal
    tax: Decimal

    @property
    def discount(self) -> Decimal:
        return self.manual_discount + self.promotion_discount


@dataclass(frozen=True)
class Explanation:
    """One applied promotion, coupon or shipping rule: `reason` and `params` render its
    localised label (catalog.selectors.explanation_label); `lines` says how much each line got."""

    kind: str  # line_promotion | order_promotion | shipping
    code: str
    reason: str
    params: Mapping[str, str]
    amount: Decimal
    coupon_code: str = ""
    lines: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuotedLine, ...]
    currency: str
    prices_include_tax: bool
    subtotal: Decimal
    line_discount_total: Decimal
    order_discount: Decimal
    shipping_fee: Decimal
    shipping_rule: str | None
    tax_total: Decimal
    total: Decimal
    explanations: tuple[Explanation, ...]
    applied_coupons: tuple[str, ...] = ()
    rejected_coupons: tuple[tuple[str, CouponRejection], ...] = field(default=())


def normalize_coupon_code(code: str) -> str:
    """Coupon codes are compared without case and surrounding blanks."""
    return code.strip().upper()


def in_period(at: dt.datetime, valid_from: dt.datetime | None, valid_to: dt.datetime | None) -> bool:
    return (valid_from is None or valid_from <= at) and (valid_to is None or at < valid_to)


def promotion_in_force(promotion: PromotionTerms, sale: SaleTerms) -> bool:
    return (
        promotion.is_active
        and promotion.channel_id in (None, sale.channel_id)
        and promotion.customer_grade in ("", sale.customer_grade)
        and in_period(sale.at, promotion.valid_from, promotion.valid_to)
    )


def coupon_rejection(
    coupon: CouponTerms | None, promotions: Mapping[int, PromotionTerms], sale: SaleTerms
) -> CouponRejection | None:
    """Why a presented coupon cannot be used on this sale (None: it can, if it gives something)."""
    if coupon is None:
        return CouponRejection.UNKNOWN
    promotion = promotions.get(coupon.promotion_id)
    if not coupon.is_active or promotion is None or not promotion.is_active:
        return CouponRejection.INACTIVE
    if coupon.valid_from is not None and sale.at < coupon.valid_from:
        return CouponRejection.NOT_YET_VALID
    if coupon.valid_to is not None and sale.at >= coupon.valid_to:
        return CouponRejection.EXPIRED
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        return CouponRejection.EXHAUSTED
    if coupon.per_customer_limit is not None and coupon.customer_used_count >= coupon.per_customer_limit:
        return CouponRejection.CUSTOMER_LIMIT
    if not promotion_in_force(promotion, sale):
        return CouponRejection.NOT_APPLICABLE
    return None


def _in_scope(promotion: PromotionTerms, line: QuoteLine) -> bool:
    if line.supplied_price is not None:
        return False
    match promotion.scope:
        case PromotionScope.SKU:
            return line.sku_code in promotion.scope_codes
        case PromotionScope.PRODUCT:
            return line.product_code in promotion.scope_codes
        case PromotionScope.CATEGORY:
            return line.category in promotion.scope_codes
    return True


class _Ledger:
    """The running state of a quote: what remains of each line and who touched it."""

    def __init__(self, lines: Sequence[QuoteLine], currency: str) -> None:
        self.currency = currency
        self.lines = list(lines)
        self.unit_prices = [_unit_price(line) for line in lines]
        prices = self.unit_prices
        self.amounts = [quantize(prices[i] * line.quantity, currency) for i, line in enumerate(lines)]
        self.manual = [
            min(quantize(line.manual_discount, currency), self.amounts[i]) for i, line in enumerate(lines)
        ]
        nothing = quantize(ZERO, currency)  # "0.00", as every amount of the quote
        self.promotion = [nothing] * len(lines)
        self.order_share = [nothing] * len(lines)
        self.touched = [False] * len(lines)
        self.locked = [False] * len(lines)

    def subtotal(self, index: int) -> Decimal:
        return self.amounts[index] - self.manual[index] - self.promotion[index]

    def remaining(self, index: int) -> Decimal:
        return self.subtotal(index) - self.order_share[index]


def _unit_price(line: QuoteLine) -> Decimal:
    if line.supplied_price is not None:
        return line.supplied_price
    return line.list_price if line.list_price is not None else ZERO


def _line_discounts(promotion: PromotionTerms, ledger: _Ledger, indexes: list[int]) -> dict[int, Decimal]:
    """What a line promotion takes off each line of `indexes` (capped at what remains)."""
    currency = ledger.currency
    if promotion.kind == PromotionKind.BUY_X_GET_Y:
        return _free_units(promotion, ledger, indexes)
    discounts = {}
    for index in indexes:
        if promotion.kind == PromotionKind.PERCENT_OFF:
            wanted = quantize(ledger.subtotal(index) * promotion.percent, currency)
        else:
            wanted = quantize(promotion.amount * ledger.lines[index].quantity, currency)
        discounts[index] = min(wanted, ledger.subtotal(index))
    return discounts


def _free_units(promotion: PromotionTerms, ledger: _Ledger, indexes: list[int]) -> dict[int, Decimal]:
    """Buy X get Y: of every X + Y units in scope, the Y cheapest are free."""
    group = promotion.buy_quantity + promotion.get_quantity
    if promotion.buy_quantity < 1 or promotion.get_quantity < 1:
        return {}
    units = sum(ledger.lines[index].quantity for index in indexes)
    free = units // group * promotion.get_quantity
    discounts = {}
    for index in sorted(indexes, key=lambda i: (ledger.unit_prices[i], i)):
        taken = min(free, ledger.lines[index].quantity)
        if taken:
            wanted = quantize(ledger.unit_prices[index] * taken, ledger.currency)
            discounts[index] = min(wanted, ledger.subtotal(index))
        free -= taken
    return discounts


def _label(promotion: PromotionTerms, currency: str) -> tuple[str, dict[str, str]]:
    params = {"code": promotion.code, "currency": currency}
    match promotion.kind:
        case PromotionKind.PERCENT_OFF:
            params["percent"] = f"{(promotion.percent * 100).normalize():f}"
        case PromotionKind.BUY_X_GET_Y:
            params |= {"buy": str(promotion.buy_quantity), "get": str(promotion.get_quantity)}
        case PromotionKind.THRESHOLD_OFF:
            params |= {"threshold": str(promotion.min_subtotal), "amount": str(promotion.amount)}
        case _:
            params["amount"] = str(promotion.amount)
    return f"{promotion.target}_{promotion.kind}", params


def _explain(
    promotion: PromotionTerms, ledger: _Ledger, discounts: Mapping[int, Decimal], coupon: str
) -> Explanation:
    reason, params = _label(promotion, ledger.currency)
    return Explanation(
        kind=f"{promotion.target}_promotion",
        code=promotion.code,
        reason=reason,
        params=params,
        amount=sum(discounts.values(), ZERO),
        coupon_code=coupon,
        lines=tuple((ledger.lines[i].key, amount) for i, amount in sorted(discounts.items()) if amount),
    )


def _eligible(promotion: PromotionTerms, ledger: _Ledger) -> list[int]:
    """Lines the promotion may touch under the stacking rules (3, 4)."""
    in_scope = [i for i, line in enumerate(ledger.lines) if _in_scope(promotion, line)]
    if promotion.target == PromotionTarget.ORDER:
        return in_scope
    if promotion.stackable:
        return [i for i in in_scope if not ledger.locked[i]]
    return [i for i in in_scope if not ledger.touched[i]]


def _apply_line_promotion(promotion: PromotionTerms, ledger: _Ledger, coupon: str) -> Explanation | None:
    indexes = _eligible(promotion, ledger)
    if not indexes or sum((ledger.subtotal(i) for i in indexes), ZERO) < promotion.min_subtotal:
        return None
    discounts = {i: d for i, d in _line_discounts(promotion, ledger, indexes).items() if d > 0}
    if not discounts:
        return None
    for index, amount in discounts.items():
        ledger.promotion[index] += amount
        ledger.touched[index] = True
        ledger.locked[index] = ledger.locked[index] or not promotion.stackable
    return _explain(promotion, ledger, discounts, coupon)


def _order_discount(promotion: PromotionTerms, base: Decimal, currency: str) -> Decimal:
    if promotion.kind == PromotionKind.PERCENT_OFF:
        return min(quantize(base * promotion.percent, currency), base)
    if promotion.kind in (PromotionKind.AMOUNT_OFF, PromotionKind.THRESHOLD_OFF):
        return min(quantize(promotion.amount, currency), base)
    return ZERO


def _apply_order_promotion(promotion: PromotionTerms, ledger: _Ledger, coupon: str) -> Explanation | None:
    indexes = _eligible(promotion, ledger)
    threshold_base = sum((ledger.subtotal(i) for i in indexes), ZERO)
    if not indexes or threshold_base < promotion.min_subtotal:
        return None
    base = sum((ledger.remaining(i) for i in indexes), ZERO)
    discount = _order_discount(promotion, base, ledger.currency)
    if discount <= 0:
        return None
    shares = split(discount, {i: ledger.remaining(i) for i in indexes}, currency=ledger.currency)
    for index, share in shares.items():
        ledger.order_share[index] += share
    return _explain(promotion, ledger, shares, coupon)


def split(amount: Decimal, weights: Mapping[int, Decimal], *, currency: str) -> dict[int, Decimal]:
    """`amount` (≤ Σ weights, all ≥ 0) in shares proportional to `weights`, in whole minor
    units: each share ≤ its weight and the shares add up to `amount` exactly (largest
    remainders get the leftover units)."""
    exponent = int(quantize(ZERO, currency).as_tuple().exponent)
    scale = Decimal(10) ** -exponent
    units = int(amount * scale)
    weight_units = {key: int(weight * scale) for key, weight in weights.items()}
    total = sum(weight_units.values())
    if total == 0 or units == 0:
        return dict.fromkeys(weights, quantize(ZERO, currency))
    floors = {key: units * w // total for key, w in weight_units.items()}
    leftover = units - sum(floors.values())
    by_remainder = sorted(weight_units, key=lambda key: (-(units * weight_units[key] % total), key))
    for key in by_remainder:
        if leftover == 0:
            break
        if floors[key] < weight_units[key]:
            floors[key] += 1
            leftover -= 1
    return {key: Decimal(value).scaleb(exponent) for key, value in floors.items()}


def _ranked(promotions: Iterable[PromotionTerms]) -> list[PromotionTerms]:
    return sorted(promotions, key=lambda p: (-p.priority, p.code, p.promotion_id))


def _apply_promotions(
    promotions: Sequence[PromotionTerms], coupon_of: Mapping[int, str], ledger: _Ledger
) -> list[Explanation]:
    explanations = []
    line_level = [p for p in promotions if p.target == PromotionTarget.LINE]
    for promotion in _ranked(line_level):
        explained = _apply_line_promotion(promotion, ledger, coupon_of.get(promotion.promotion_id, ""))
        if explained:
            explanations.append(explained)
    exclusive_applied = False
    for promotion in _ranked(p for p in promotions if p.target == PromotionTarget.ORDER):
        if exclusive_applied or (not promotion.stackable and _any_order_promotion(explanations)):
            continue
        explained = _apply_order_promotion(promotion, ledger, coupon_of.get(promotion.promotion_id, ""))
        if explained:
            explanations.append(explained)
            exclusive_applied = not promotion.stackable
    return explanations


def _any_order_promotion(explanations: Iterable[Explanation]) -> bool:
    return any(e.kind == "order_promotion" for e in explanations)


def shipping_rule_applies(rule: ShippingRuleTerms, sale: SaleTerms) -> bool:
    return (
        rule.is_active
        and rule.channel_id in (None, sale.channel_id)
        and (not rule.regions or sale.region in rule.regions)
    )


def choose_shipping_rule(rules: Iterable[ShippingRuleTerms], sale: SaleTerms) -> ShippingRuleTerms | None:
    """The applicable rule ranked best: priority, then channel and region set, then the older."""
    applicable = [rule for rule in rules if shipping_rule_applies(rule, sale)]
    return max(
        applicable,
        key=lambda r: (r.priority, r.channel_id is not None, bool(r.regions), -r.rule_id),
        default=None,
    )


def shipping_fee(rule: ShippingRuleTerms, *, weight_grams: int, goods: Decimal, currency: str) -> Decimal:
    """Base fee plus the fee per started kilogram above the included weight; 0 from the
    free-above amount of goods on."""
    if rule.free_above is not None and goods >= rule.free_above:
        return ZERO
    extra_grams = max(0, weight_grams - rule.included_grams)
    started_kg = -(-extra_grams // 1000)
    return quantize(rule.base_fee + rule.fee_per_kg * started_kg, currency)


def _shipping(
    rules: Iterable[ShippingRuleTerms], sale: SaleTerms, ledger: _Ledger
) -> tuple[Decimal, Explanation | None]:
    rule = choose_shipping_rule(rules, sale)
    if rule is None:
        return quantize(sale.shipping_fee, sale.currency), None
    weight = sum(line.weight_grams * line.quantity for line in ledger.lines)
    goods = sum((ledger.remaining(i) for i in range(len(ledger.lines))), ZERO)
    fee = shipping_fee(rule, weight_grams=weight, goods=goods, currency=sale.currency)
    free = rule.free_above is not None and goods >= rule.free_above
    params = {"code": rule.code, "currency": sale.currency, "weight_grams": str(weight)}
    if free:
        params["threshold"] = str(rule.free_above)
    reason = "shipping_free_above" if free else "shipping_fee"
    return fee, Explanation(kind="shipping", code=rule.code, reason=reason, params=params, amount=fee)


def _tax(ledger: _Ledger, index: int, prices_include_tax: bool) -> Decimal:
    taxable = ledger.remaining(index)
    rate = ledger.lines[index].tax_rate
    if prices_include_tax:
        return quantize(taxable * rate / (1 + rate), ledger.currency)
    return quantize(taxable * rate, ledger.currency)


def _coupons(
    presented: Sequence[str],
    coupons: Mapping[str, CouponTerms],
    promotions: Mapping[int, PromotionTerms],
    sale: SaleTerms,
) -> tuple[dict[int, str], list[tuple[str, CouponRejection]]]:
    """The promotions the presented coupons unlock (promotion id → coupon code) and the coupons
    refused before pricing (a code presented twice counts once)."""
    unlocked: dict[int, str] = {}
    rejected: list[tuple[str, CouponRejection]] = []
    for code in dict.fromkeys(normalize_coupon_code(raw) for raw in presented):  # once each
        coupon = coupons.get(code)
        reason = coupon_rejection(coupon, promotions, sale)
        if reason is None and coupon is not None and coupon.promotion_id in unlocked:
            reason = CouponRejection.DUPLICATE
        if reason is not None or coupon is None:
            rejected.append((code, reason or CouponRejection.UNKNOWN))
        else:
            unlocked[coupon.promotion_id] = code
    return unlocked, rejected


def quote_order(
    *,
    lines: Sequence[QuoteLine],
    sale: SaleTerms,
    promotions: Iterable[PromotionTerms] = (),
    coupons: Mapping[str, CouponTerms] | None = None,
    coupon_codes: Sequence[str] = (),
    shipping_rules: Iterable[ShippingRuleTerms] = (),
) -> Quote:
    """Price an order by the rules of the module docstring. `coupons` by normalised code."""
    by_id = {p.promotion_id: p for p in promotions}
    unlocked, rejected = _coupons(coupon_codes, coupons or {}, by_id, sale)
    in_force = [
        p
        for p in by_id.values()
        if promotion_in_force(p, sale) and (not p.requires_coupon or p.promotion_id in unlocked)
    ]
    ledger = _Ledger(lines, sale.currency)
    explanations = _apply_promotions(in_force, unlocked, ledger)
    used = {e.coupon_code for e in explanations if e.coupon_code}
    rejected += [(code, CouponRejection.NOT_APPLICABLE) for code in unlocked.values() if code not in used]
    fee, shipping_explained = _shipping(shipping_rules, sale, ledger)
    quoted = tuple(_quoted_line(ledger, i, sale.prices_include_tax) for i in range(len(lines)))
    subtotal = sum((q.subtotal for q in quoted), ZERO)
    order_discount = sum((q.order_discount_share for q in quoted), ZERO)
    tax = sum((q.tax for q in quoted), ZERO)
    return Quote(
        lines=quoted,
        currency=sale.currency,
        prices_include_tax=sale.prices_include_tax,
        subtotal=subtotal,
        line_discount_total=sum((q.discount for q in quoted), ZERO),
        order_discount=order_discount,
        shipping_fee=fee,
        shipping_rule=shipping_explained.code if shipping_explained else None,
        tax_total=tax,
        total=subtotal + fee - order_discount + (ZERO if sale.prices_include_tax else tax),
        explanations=(*explanations, *([shipping_explained] if shipping_explained else [])),
        applied_coupons=tuple(code for code in unlocked.values() if code in used),
        rejected_coupons=tuple(rejected),
    )


def _quoted_line(ledger: _Ledger, index: int, prices_include_tax: bool) -> QuotedLine:
    line = ledger.lines[index]
    source = "supplied" if line.supplied_price is not None else "price_list"
    if line.supplied_price is None and line.list_price is None:
        source = "none"
    return QuotedLine(
        key=line.key,
        sku_id=line.sku_id,
        quantity=line.quantity,
        unit_price=ledger.unit_prices[index],
        price_source=source,
        list_price=line.list_price,
        amount=ledger.amounts[index],
        manual_discount=ledger.manual[index],
        promotion_discount=ledger.promotion[index],
        subtotal=ledger.subtotal(index),
        order_discount_share=ledger.order_share[index],
        tax=_tax(ledger, index, prices_include_tax),
    )


def promotion_problems(
    *,
    kind: str,
    target: str,
    scope: str,
    scope_codes: Sequence[str],
    percent: Decimal,
    amount: Decimal,
    min_subtotal: Decimal,
    buy_quantity: int,
    get_quantity: int,
) -> list[tuple[str, str]]:
    """What makes a promotion's terms inconsistent, as (field, code) pairs (empty: none).
    Percentage off needs a percentage above 0; amount off an amount; spend N get M off an
    order target, a minimum spend and an amount; buy X get Y a line target and both
    quantities; a scope other than all goods its codes (and all goods none)."""
    problems: list[tuple[str, str]] = []
    if kind == PromotionKind.PERCENT_OFF and not ZERO < percent <= 1:
        problems.append(("percent", "percent_required"))
    if kind in (PromotionKind.AMOUNT_OFF, PromotionKind.THRESHOLD_OFF) and amount <= 0:
        problems.append(("amount", "amount_required"))
    if kind == PromotionKind.THRESHOLD_OFF:
        if min_subtotal <= 0:
            problems.append(("min_subtotal", "min_subtotal_required"))
        if target != PromotionTarget.ORDER:
            problems.append(("target", "order_target_required"))
    if kind == PromotionKind.BUY_X_GET_Y:
        if buy_quantity < 1 or get_quantity < 1:
            problems.append(("buy_quantity", "quantities_required"))
        if target != PromotionTarget.LINE:
            problems.append(("target", "line_target_required"))
    if (scope == PromotionScope.ALL) == bool(scope_codes):
        problems.append(("scope_codes", "scope_codes_mismatch"))
    return problems
