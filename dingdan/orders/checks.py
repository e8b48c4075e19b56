"""Review checks: a registry of pure functions over plain data (ARCHITECTURE §3, §4).

Each check returns pass, warn or fail with a reason code; the localised message is rendered
from the reason when read. The review gathers the facts a check needs (credit exposure,
recent orders, blacklist hits) into the CheckContext first, so checks stay pure. Other
contexts register their checks at app start (`register_check`), so orders never imports
them. A channel may disable a check or override its severity (CheckSetting).
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass(frozen=True)
class CheckLine:
    line_number: int
    sku_code: str
    quantity: int
    sellable: bool
    short_quantity: int
    unit_price: Decimal | None
    list_price: Decimal | None
    discount: Decimal = Decimal("0")


@dataclass(frozen=True)
class RecentOrder:
    """An earlier submitted order of the same customer (for the duplicate check)."""

    number: str
    submitted_at: dt.datetime
    lines: tuple[tuple[str, int], ...]  # (SKU code, quantity), sorted


@dataclass(frozen=True)
class CheckContext:
    channel_code: str
    customer: dict[str, Any]
    shipping_address: dict[str, Any]
    lines: tuple[CheckLine, ...]
    currency: str
    total: Decimal
    pay_first: bool = True
    credit_exposure: Decimal = Decimal("0")  # open exposure without this order
    recent_orders: tuple[RecentOrder, ...] = ()
    blacklist_hits: tuple[tuple[str, str], ...] = ()  # (kind, value) of matching entries
    applied_promotions: tuple[dict[str, Any], ...] = ()
    now: dt.datetime | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per check code


@dataclass(frozen=True)
class CheckResult:
    check: str
    outcome: str
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckSettingView:
    """A channel's setting of one check: enabled, severity ("" | warn | fail), parameters."""

    is_enabled: bool = True
    severity: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[CheckContext], CheckResult]
_CHECKS: dict[str, Check] = {}

REASONS = {
    "customer_inactive": _("The customer is inactive."),
    "customer_incomplete": _("The customer's %(fields)s is missing."),
    "address_incomplete": _("The shipping address lacks %(fields)s."),
    "address_undeliverable": _("The channel does not deliver to %(country)s."),
    "address_postal_code": _("The postal code %(postal_code)s does not look right."),
    "no_lines": _("The order has no lines."),
    "sku_not_sellable": _("SKU %(skus)s is inactive or not for sale."),
    "price_missing": _("No price list price for SKU %(skus)s."),
    "insufficient_stock": _("Not enough stock for %(skus)s."),
    "price_differs": _("Supplied prices differ from the price list for %(skus)s."),
    "discount_unexplained": _("Lines %(lines)s carry a discount no promotion explains."),
    "discount_too_deep": _("Lines %(lines)s are discounted by more than %(percent)s%%."),
    "credit_hold": _("The customer's credit is on hold."),
    "credit_limit_exceeded": _(
        "Exposure %(exposure)s plus this order %(total)s exceeds the credit limit %(limit)s."
    ),
    "credit_limit_missing": _("The customer has no credit limit for an order on account."),
    "possible_duplicate": _("The same customer ordered the same lines in %(numbers)s."),
    "blacklisted": _("The order matches the blacklist: %(entries)s."),
}
CHECK_LABELS = {
    "completeness": _("Customer completeness"),
    "address": _("Address validity and deliverability"),
    "products": _("Products active and sellable on the channel"),
    "stock": _("Stock coverage"),
    "price": _("Prices and discounts"),
    "credit": _("Credit limit"),
    "duplicate": _("Duplicate order"),
    "blacklist": _("Blacklist"),
}
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "address": {"countries": ["CN"]},
    "price": {"max_discount_percent": 50},
    "duplicate": {"window_hours": 24},
}


def register_check(code: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        _CHECKS[code] = check
        return check

    return decorator


def registered_checks() -> list[str]:
    return list(_CHECKS)


def check_label(code: str) -> str:
    return str(CHECK_LABELS.get(code, code))


def _apply_severity(result: CheckResult, severity: str) -> CheckResult:
    if severity == WARN and result.outcome == FAIL:
        return CheckResult(result.check, WARN, result.reason, result.params)
    if severity == FAIL and result.outcome == WARN:
        return CheckResult(result.check, FAIL, result.reason, result.params)
    return result


def run_checks(
    context: CheckContext,
    *,
    disabled: frozenset[str] = frozenset(),
    settings: Mapping[str, CheckSettingView] | None = None,
) -> list[CheckResult]:
    """Every registered check that is enabled, with the channel's severity override."""
    settings = settings or {}
    results = []
    for code, check in _CHECKS.items():
        setting = settings.get(code, CheckSettingView())
        if code in disabled or not setting.is_enabled:
            continue
        results.append(_apply_severity(check(context), setting.severity))
    return results


def render_reason(reason: str, params: dict[str, Any]) -> str:
    template = REASONS.get(reason)
    if template is None:
        return reason
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def _param(context: CheckContext, check: str, name: str) -> Any:
    return context.params.get(check, {}).get(name, DEFAULT_PARAMS[check][name])


def _missing(values: dict[str, Any], names: list[str]) -> list[str]:
    return [name for name in names if not str(values.get(name) or "").strip()]


@register_check("completeness")
def check_completeness(context: CheckContext) -> CheckResult:
    """The customer is active and has a name and a phone (a company also its name)."""
    if not context.customer.get("is_active", True):
        return CheckResult("completeness", FAIL, "customer_inactive")
    names = ["name", "phone"] + (["company_name"] if context.customer.get("kind") == "company" else [])
    missing = _missing(context.customer, names)
    if missing:
        return CheckResult("completeness", FAIL, "customer_incomplete", {"fields": ", ".join(missing)})
    if not context.lines:
        return CheckResult("completeness", FAIL, "no_lines")
    return CheckResult("completeness", PASS)


CN_POSTAL_CODE = re.compile(r"^\d{6}$")


@register_check("address")
def check_address(context: CheckContext) -> CheckResult:
    """The shipping address is complete, in a country the channel delivers to, and its
    postal code (where given) has the country's form."""
    address = context.shipping_address
    missing = _missing(address, ["recipient", "phone", "province", "city", "street"])
    if missing:
        return CheckResult("address", FAIL, "address_incomplete", {"fields": ", ".join(missing)})
    country = str(address.get("country_code") or "CN")
    if country not in _param(context, "address", "countries"):
        return CheckResult("address", FAIL, "address_undeliverable", {"country": country})
    postal_code = str(address.get("postal_code") or "")
    if country == "CN" and postal_code and not CN_POSTAL_CODE.match(postal_code):
        return CheckResult("address", WARN, "address_postal_code", {"postal_code": postal_code})
    return CheckResult("address", PASS)


@register_check("products")
def check_products(context: CheckContext) -> CheckResult:
    """Every SKU is active and priced on the channel's price list."""
    unsellable = [line.sku_code for line in context.lines if not line.sellable]
    if unsellable:
        return CheckResult("products", FAIL, "sku_not_sellable", {"skus": ", ".join(unsellable)})
    unpriced = [line.sku_code for line in context.lines if line.unit_price is None]
    if unpriced:
        return CheckResult("products", FAIL, "price_missing", {"skus": ", ".join(unpriced)})
    return CheckResult("products", PASS)


@register_check("price")
def check_price(context: CheckContext) -> CheckResult:
    """Prices supplied by a marketplace (orders:set_prices) are compared with the price list,
    and line discounts with the promotions applied: a difference, a discount no promotion
    explains or one deeper than the channel allows is a warning for the reviewer."""
    differing = [
        f"{line.sku_code} ({line.unit_price} ≠ {line.list_price})"
        for line in context.lines
        if line.unit_price is not None and line.list_price is not None and line.unit_price != line.list_price
    ]
    if differing:
        return CheckResult("price", WARN, "price_differs", {"skus": ", ".join(differing)})
    percent = Decimal(str(_param(context, "price", "max_discount_percent")))
    deep = [
        str(line.line_number)
        for line in context.lines
        if line.unit_price and line.discount * 100 > line.unit_price * line.quantity * percent
    ]
    if deep:
        return CheckResult(
            "price", WARN, "discount_too_deep", {"lines": ", ".join(deep), "percent": str(percent)}
        )
    unexplained = [str(line.line_number) for line in context.lines if line.discount > 0]
    if unexplained and not context.applied_promotions:
        return CheckResult("price", WARN, "discount_unexplained", {"lines": ", ".join(unexplained)})
    return CheckResult("price", PASS)


@register_check("stock")
def check_stock(context: CheckContext) -> CheckResult:
    short = [f"{line.sku_code} ({line.short_quantity})" for line in context.lines if line.short_quantity]
    if short:
        return CheckResult("stock", FAIL, "insufficient_stock", {"skus": ", ".join(short)})
    return CheckResult("stock", PASS)


@register_check("credit")
def check_credit(context: CheckContext) -> CheckResult:
    """A customer on credit hold fails. An order paid before shipment takes no credit;
    otherwise exposure + this order must not exceed the credit limit (no limit: a warning)."""
    if context.customer.get("credit_hold"):
        return CheckResult("credit", FAIL, "credit_hold")
    if context.pay_first:
        return CheckResult("credit", PASS)
    limit = Decimal(str(context.customer.get("credit_limit") or 0))
    if limit <= 0:
        return CheckResult("credit", WARN, "credit_limit_missing")
    if context.credit_exposure + context.total > limit:
        params = {"exposure": str(context.credit_exposure), "total": str(context.total), "limit": str(limit)}
        return CheckResult("credit", FAIL, "credit_limit_exceeded", params)
    return CheckResult("credit", PASS)


def line_signature(lines: Any) -> tuple[tuple[str, int], ...]:
    """Lines as compared by the duplicate check: (SKU code, total quantity), sorted."""
    totals: dict[str, int] = {}
    for sku_code, quantity in lines:
        totals[sku_code] = totals.get(sku_code, 0) + quantity
    return tuple(sorted(totals.items()))


def lines_digest(lines: Any) -> str:
    """The digest of the lines' signature (`line_signature` of (SKU code, quantity) pairs),
    stored on the order so the duplicate check reads only orders that may repeat it: the MD5
    (not for security; PostgreSQL computes the same) of "code<TAB>quantity" rows joined by
    newlines, in hex."""
    text = "\n".join(f"{sku_code}\t{quantity}" for sku_code, quantity in line_signature(lines))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@register_check("duplicate")
def check_duplicate(context: CheckContext) -> CheckResult:
    """The same customer ordered the same lines within the window (default 24 hours): a
    warning by default (a channel may make it fail). The same external reference on the
    channel is refused at intake by the database."""
    if context.now is None:
        return CheckResult("duplicate", PASS)
    window = dt.timedelta(hours=float(_param(context, "duplicate", "window_hours")))
    signature = line_signature((line.sku_code, line.quantity) for line in context.lines)
    numbers = [
        recent.number
        for recent in context.recent_orders
        if recent.lines == signature and context.now - recent.submitted_at <= window
    ]
    if numbers:
        return CheckResult("duplicate", WARN, "possible_duplicate", {"numbers": ", ".join(numbers)})
    return CheckResult("duplicate", PASS)


@register_check("blacklist")
def check_blacklist(context: CheckContext) -> CheckResult:
    if context.blacklist_hits:
        entries = ", ".join(sorted({kind for kind, _value in context.blacklist_hits}))
        return CheckResult("blacklist", FAIL, "blacklisted", {"entries": entries})
    return CheckResult("blacklist", PASS)
