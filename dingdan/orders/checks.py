"""Review checks: a registry of pure functions over plain data (ARCHITECTURE §3, §4).

Each check returns pass, warn or fail with a reason code; the localised message is rendered
from the reason when read. Other contexts register their checks at app start
(`register_check`), so orders never imports them.
"""

from collections.abc import Callable
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


@dataclass(frozen=True)
class CheckContext:
    channel_code: str
    customer: dict[str, Any]
    shipping_address: dict[str, Any]
    lines: tuple[CheckLine, ...]
    currency: str
    total: Decimal


@dataclass(frozen=True)
class CheckResult:
    check: str
    outcome: str
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)


Check = Callable[[CheckContext], CheckResult]
_CHECKS: dict[str, Check] = {}

REASONS = {
    "customer_inactive": _("The customer is inactive."),
    "customer_incomplete": _("The customer's %(fields)s is missing."),
    "address_incomplete": _("The shipping address lacks %(fields)s."),
    "no_lines": _("The order has no lines."),
    "sku_not_sellable": _("SKU %(skus)s is inactive or not for sale."),
    "price_missing": _("No price list price for SKU %(skus)s."),
    "insufficient_stock": _("Not enough stock for %(skus)s."),
    "price_differs": _("Supplied prices differ from the price list for %(skus)s."),
}


def register_check(code: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        _CHECKS[code] = check
        return check

    return decorator


def registered_checks() -> list[str]:
    return list(_CHECKS)


def run_checks(context: CheckContext, *, disabled: frozenset[str] = frozenset()) -> list[CheckResult]:
    return [check(context) for code, check in _CHECKS.items() if code not in disabled]


def render_reason(reason: str, params: dict[str, Any]) -> str:
    template = REASONS.get(reason)
    if template is None:
        return reason
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def _missing(values: dict[str, Any], names: list[str]) -> list[str]:
    return [name for name in names if not str(values.get(name) or "").strip()]


@register_check("completeness")
def check_completeness(context: CheckContext) -> CheckResult:
    if not context.customer.get("is_active", True):
        return CheckResult("completeness", FAIL, "customer_inactive")
    missing = _missing(context.customer, ["name", "phone"])
    if missing:
        return CheckResult("completeness", FAIL, "customer_incomplete", {"fields": ", ".join(missing)})
    address_missing = _missing(context.shipping_address, ["recipient", "phone", "province", "city", "street"])
    if address_missing:
        return CheckResult("completeness", FAIL, "address_incomplete", {"fields": ", ".join(address_missing)})
    if not context.lines:
        return CheckResult("completeness", FAIL, "no_lines")
    return CheckResult("completeness", PASS)


@register_check("products")
def check_products(context: CheckContext) -> CheckResult:
    unsellable = [line.sku_code for line in context.lines if not line.sellable]
    if unsellable:
        return CheckResult("products", FAIL, "sku_not_sellable", {"skus": ", ".join(unsellable)})
    unpriced = [line.sku_code for line in context.lines if line.unit_price is None]
    if unpriced:
        return CheckResult("products", FAIL, "price_missing", {"skus": ", ".join(unpriced)})
    return CheckResult("products", PASS)


@register_check("price")
def check_price(context: CheckContext) -> CheckResult:
    """Prices supplied by a marketplace (orders:set_prices) are compared with the price list;
    a difference is a warning for the reviewer, not a failure (promotions come later)."""
    differing = [
        f"{line.sku_code} ({line.unit_price} ≠ {line.list_price})"
        for line in context.lines
        if line.unit_price is not None and line.list_price is not None and line.unit_price != line.list_price
    ]
    if differing:
        return CheckResult("price", WARN, "price_differs", {"skus": ", ".join(differing)})
    return CheckResult("price", PASS)


@register_check("stock")
def check_stock(context: CheckContext) -> CheckResult:
    short = [f"{line.sku_code} ({line.short_quantity})" for line in context.lines if line.short_quantity]
    if short:
        return CheckResult("stock", FAIL, "insufficient_stock", {"skus": ", ".join(short)})
    return CheckResult("stock", PASS)
