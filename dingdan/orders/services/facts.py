"""What the review checks need to know, gathered before they run (the checks are pure):
the channel's check settings, the customer's credit exposure, recent orders of the same
customer, and blacklist hits. Used by submission, release and the amendment preview."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dingdan.core.cache import cached
from dingdan.core.rows import fields_of, rows_select, value_for

from .. import checks, domain, selectors
from ..models import BlacklistEntry, CheckSetting, Order, OrderLine

CENT = Decimal("0.01")


def check_settings(channel_id: int) -> dict[str, checks.CheckSettingView]:
    """The channel's check settings (from the process's copies: core.cache)."""
    return dict(cached(("check_settings", channel_id), lambda: _check_settings_read(channel_id)))


def _check_settings_read(channel_id: int) -> dict[str, checks.CheckSettingView]:
    return {
        row.check_code: checks.CheckSettingView(row.is_enabled, row.severity, row.params)
        for row in CheckSetting.objects.filter(channel_id=channel_id)
    }


def _enabled(settings: dict[str, checks.CheckSettingView], code: str) -> bool:
    return code in checks.registered_checks() and settings.get(code, checks.CheckSettingView()).is_enabled


_RECENT_FIELDS = [
    *fields_of(OrderLine, "order"),
    *fields_of(Order, "number", "submitted_at"),
    *fields_of(OrderLine, "sku_code", "quantity"),
]
_RECENT_STATUSES = [*domain.RESERVING, domain.Status.COMPLETED]
# Written once: placement reads it for every order (the ORM's query building cost more
# than the query). Only orders with the same lines digest can repeat the lines (found
# through the index order_customer_lines, however many orders the customer placed), and
# orders placed before the digest was kept (digest ""), of which only those with the
# order's first SKU. The lines read are compared exactly: a digest only narrows.
_RECENT_SQL = (
    'SELECT l."order_id", o."number", o."submitted_at", l."sku_code", l."quantity"'  # noqa: S608
    ' FROM "orders_orderline" l JOIN "orders_order" o ON o."id" = l."order_id"'
    ' WHERE o."customer_id" = %s AND o."lines_digest" IN (%s, \'\') AND o."submitted_at" >= %s'
    ' AND o."status" IN (' + ", ".join(["%s"] * len(_RECENT_STATUSES)) + ') AND l."order_id" <> %s'
    ' AND EXISTS (SELECT 1 FROM "orders_orderline" f WHERE f."order_id" = o."id" AND f."sku_code" = %s)'
    ' ORDER BY l."order_id", l."id"'
)


def _recent_orders(
    order: Order, lines: Sequence[OrderLine], window_hours: float, now: dt.datetime
) -> tuple[checks.RecentOrder, ...]:
    """The customer's other orders submitted within the window that could repeat `lines`,
    with their lines' signature: one query over their lines (an order's lines are all the
    duplicate check compares)."""
    if not lines:
        return ()
    since = value_for(_RECENT_FIELDS[2], now - dt.timedelta(hours=window_hours))
    first_sku = min(line.sku_code for line in lines)
    digest = checks.lines_digest((line.sku_code, line.quantity) for line in lines)
    rows = rows_select(
        _RECENT_SQL,
        [order.customer_id, digest, since, *[str(s) for s in _RECENT_STATUSES], order.pk or 0, first_sku],
        _RECENT_FIELDS,
    )
    found: dict[int, tuple[str, dt.datetime | None, list[tuple[str, int]]]] = {}
    for order_id, number, submitted_at, sku_code, quantity in rows:
        found.setdefault(order_id, (number, submitted_at, []))[2].append((sku_code, quantity))
    return tuple(
        checks.RecentOrder(number=number, submitted_at=submitted_at, lines=checks.line_signature(lines))
        for number, submitted_at, lines in found.values()
        if submitted_at is not None
    )


def blacklist_hits(customer: Any, address: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The active blacklist entries the customer, its phone and e-mail, or the shipping
    address (and its phone) match (from the process's copy of the blacklist: core.cache)."""
    keys = {
        ("customer", str(customer.id)),
        ("phone", domain.blacklist_key("phone", customer.phone)),
        ("phone", domain.blacklist_key("phone", address.get("phone"))),
        ("email", domain.blacklist_key("email", customer.email)),
        ("address", domain.blacklist_key("address", address)),
    }
    active = cached("blacklist", _blacklist_active)
    return tuple(sorted(key for key in keys if key[1] and key in active))


def _blacklist_active() -> frozenset[tuple[str, str]]:
    """Every active entry as (kind, value): a short list staff keep, copied per process."""
    return frozenset(BlacklistEntry.objects.filter(is_active=True).values_list("kind", "value"))


def _needs_credit(order: Order, customer: Any) -> bool:
    return not order.pay_first and not customer.credit_hold and customer.credit_limit > 0


def check_context(
    order: Order,
    lines: Sequence[OrderLine],
    skus: dict[str, Any],
    customer: Any,
    settings: dict[str, checks.CheckSettingView],
    known_price: Any,
) -> checks.CheckContext:
    """The context the checks run on; facts a disabled check would use are not fetched."""
    now = timezone.now()
    params = {code: dict(setting.params) for code, setting in settings.items()}
    window = params.get("duplicate", {}).get(
        "window_hours", checks.DEFAULT_PARAMS["duplicate"]["window_hours"]
    )
    return checks.CheckContext(
        channel_code=order.channel.code,
        customer={
            "name": customer.name,
            "phone": customer.phone,
            "email": customer.email,
            "kind": customer.kind,
            "company_name": customer.company_name,
            "is_active": customer.is_active,
            "credit_limit": customer.credit_limit,
            "credit_hold": customer.credit_hold,
        },
        shipping_address=order.shipping_address,
        lines=tuple(
            checks.CheckLine(
                line_number=line.line_number,
                sku_code=line.sku_code,
                quantity=line.quantity,
                sellable=skus[line.sku_code].is_active and skus[line.sku_code].product.is_active,
                short_quantity=line.backorder_quantity,
                unit_price=known_price(line),
                list_price=line.list_price,
                discount=line.discount,
            )
            for line in lines
        ),
        currency=order.currency,
        total=order.total,
        pay_first=order.pay_first,
        credit_exposure=(
            Decimal(
                selectors.credit_exposure(customer_id=order.customer_id, excluding_order_id=order.pk)
            ).quantize(CENT)
            if _enabled(settings, "credit") and _needs_credit(order, customer)
            else Decimal("0")
        ),
        recent_orders=_recent_orders(order, lines, float(window), now)
        if _enabled(settings, "duplicate")
        else (),
        blacklist_hits=blacklist_hits(customer, order.shipping_address)
        if _enabled(settings, "blacklist")
        else (),
        applied_promotions=tuple(order.applied_promotions or ()),
        now=now,
        params=params,
    )


def evaluate(
    order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], customer: Any, known_price: Any
) -> list[checks.CheckResult]:
    """Run the checks on the order as it stands in memory (nothing is stored)."""
    settings = check_settings(order.channel_id)
    context = check_context(order, lines, skus, customer, settings, known_price)
    return checks.run_checks(context, settings=settings)
