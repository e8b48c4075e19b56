"""Submission and re-review: price, reserve, run the checks, decide the status."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.inventory import services as inventory

from .. import checks, domain, events, providers
from ..exceptions import InvalidOrder
from ..models import Order, OrderCheckResult, OrderLine
from .common import audit, emit, order_state, save

DEMAND = "order_line"
S = domain.Status
# The widest amount a line or order column holds (max_digits 14, 2 places).
MAX_AMOUNT = Decimal("999999999999.99")


def _quantities(lines: Sequence[OrderLine]) -> dict[int, int]:
    """Units per SKU over all the order's lines: what picks a price list's quantity tier."""
    quantities: dict[int, int] = {}
    for line in lines:
        quantities[line.sku_id] = quantities.get(line.sku_id, 0) + line.quantity
    return quantities


def _price(order: Order, lines: Sequence[OrderLine], skus: dict[str, Any]) -> None:
    """Unit prices from the price list, at the quantity tier of the SKU's units in the order
    (supplied prices are kept, the list price noted beside them for the review's price check);
    tax rates from each SKU's tax class. Amounts a line or the order cannot hold raise
    InvalidOrder."""
    quotes = catalog.sku_prices(
        sku_ids=[line.sku_id for line in lines],
        channel_id=order.channel_id,
        customer_grade=order.customer_grade,
        currency=order.currency,
        on_date=timezone.localdate(),
        quantities=_quantities(lines),
    )
    for line in lines:
        quote = quotes.get(line.sku_id)
        line.list_price = quote.unit_price if quote else None
        if line.price_source == "price_list":
            line.unit_price = quote.unit_price if quote else line.unit_price
        line.tax_rate = skus[line.sku_code].tax_rate.rate
    order.prices_include_tax = next((q.prices_include_tax for q in quotes.values()), True)
    totals = domain.order_totals(
        [domain.LineInput(line.quantity, line.unit_price, line.tax_rate, line.discount) for line in lines],
        prices_include_tax=order.prices_include_tax,
        currency=order.currency,
        shipping_fee=order.shipping_fee,
    )
    _check_amounts(lines, totals)
    for line, line_totals in zip(lines, totals.lines, strict=True):
        line.subtotal, line.tax_amount = line_totals.subtotal, line_totals.tax
    order.subtotal, order.tax_total, order.total = totals.subtotal, totals.tax, totals.total
    order.discount_total = totals.discount


def _check_amounts(lines: Sequence[OrderLine], totals: domain.OrderTotals) -> None:
    """A line's discount may not exceed its amount (the order total cannot go negative), and
    no amount may outgrow its column (14 digits): InvalidOrder naming the lines, not a
    database error."""
    errors = []
    for line, line_totals in zip(lines, totals.lines, strict=True):
        field = f"lines.{line.line_number - 1}"
        if line_totals.subtotal < 0:
            message = _("The discount exceeds the line's amount.")
            errors.append({"field": f"{field}.discount", "message": message, "code": "discount_too_large"})
        elif max(line_totals.subtotal, abs(line_totals.tax)) > MAX_AMOUNT:
            message = _("The line's amount exceeds %(max)s.") % {"max": MAX_AMOUNT}
            errors.append({"field": field, "message": message, "code": "amount_too_large"})
    if not errors and max(totals.subtotal, totals.tax, totals.total) > MAX_AMOUNT:
        message = _("The order's total exceeds %(max)s.") % {"max": MAX_AMOUNT}
        errors.append({"field": "lines", "message": message, "code": "amount_too_large"})
    if errors:
        raise InvalidOrder(errors=errors)


def reserve(order: Order, lines: Sequence[OrderLine]) -> None:
    """Reserve each of `lines` whole; a line stock cannot cover reserves nothing and records
    its whole quantity as backorder (it waits for a shortage decision or for stock)."""
    allocations = inventory.stock_reserve(
        demands=[inventory.Demand(str(line.pk), line.sku_id, line.quantity) for line in lines],
        demand_type=DEMAND,
        reference=order.number,
    )
    for line, allocation in zip(lines, allocations, strict=True):
        line.backorder_quantity = line.quantity - allocation.quantity


def _known_price(line: OrderLine) -> Any:
    """The line's price, or None when neither the price list nor the caller gave one."""
    return line.unit_price if line.list_price is not None or line.price_source == "supplied" else None


def review(
    order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], customer: Any, *, first: bool = False
) -> list[checks.CheckResult]:
    """Run the checks and store their results as the order's next run (`first`: the caller
    knows there is no earlier run, which saves the query)."""
    context = checks.CheckContext(
        channel_code=order.channel.code,
        customer={"name": customer.name, "phone": customer.phone, "is_active": customer.is_active},
        shipping_address=order.shipping_address,
        lines=tuple(
            checks.CheckLine(
                line_number=line.line_number,
                sku_code=line.sku_code,
                quantity=line.quantity,
                sellable=skus[line.sku_code].is_active and skus[line.sku_code].product.is_active,
                short_quantity=line.backorder_quantity,
                unit_price=_known_price(line),
                list_price=line.list_price,
            )
            for line in lines
        ),
        currency=order.currency,
        total=order.total,
    )
    results = checks.run_checks(context)
    run = 1 if first else (order.check_results.aggregate(last=Max("run"))["last"] or 0) + 1
    OrderCheckResult.objects.bulk_create(
        OrderCheckResult(
            order=order, run=run, check_code=r.check, outcome=r.outcome, reason=r.reason, params=r.params
        )
        for r in results
    )
    return results


def decide(
    order: Order, lines: Sequence[OrderLine], results: Sequence[checks.CheckResult], *, held_from: str = ""
) -> None:
    """Move the order to where its check results and stock send it, with the hold reasons."""
    failures = [r for r in results if r.outcome == checks.FAIL]
    target = domain.status_after_checks(
        has_failures=bool(failures),
        has_shortage=any(line.backorder_quantity for line in lines),
        auto_confirm=order.channel.review_policy == "auto_confirm",
    )
    if target != S.ON_HOLD and held_from == S.CONFIRMED:
        target = S.CONFIRMED  # a manual hold of a confirmed order goes back where it was
    order.status = target
    order.hold_reasons = [{"reason": r.reason, "params": r.params} for r in failures]
    order.held_from = (held_from or S.PENDING_REVIEW) if target == S.ON_HOLD else ""
    if target == S.CONFIRMED and order.confirmed_at is None:
        order.confirmed_at = timezone.now()


def emit_outcome(order: Order) -> None:
    if order.status == S.CONFIRMED:
        emit(events.OrderConfirmed, order)
    elif order.status == S.ON_HOLD:
        emit(events.OrderHeld, order, reasons=[r["reason"] for r in order.hold_reasons])
    else:
        emit(events.OrderSubmittedForReview, order)


def submit_lines(
    *, order: Order, lines: Sequence[OrderLine], skus: dict[str, Any], customer: Any, actor: Actor
) -> None:
    """Submit a draft (new or saved): see the placement module docstring."""
    before = order_state(order)
    _price(order, lines, skus)
    reserve(order, lines)
    OrderLine.objects.bulk_update(
        lines, ["unit_price", "list_price", "tax_rate", "subtotal", "tax_amount", "backorder_quantity"]
    )
    # Checks run at submission and on release only, and a draft is submitted once: first run.
    results = review(order, lines, skus, customer, first=True)
    decide(order, lines, results)
    order.submitted_at = timezone.now()
    order.promised_date = providers.promised_date(
        providers.PromiseFacts(
            channel_sla_hours=order.channel.sla_hours,
            business_date=timezone.localdate(order.submitted_at),
            priority=order.priority,
            shipping_province=str(order.shipping_address.get("province", "")),
        )
    )
    save(
        order,
        [
            "status",
            "held_from",
            "hold_reasons",
            "prices_include_tax",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "submitted_at",
            "confirmed_at",
            "promised_date",
        ],
    )
    audit(order, action="submitted", actor=actor, before=before)
    emit(events.OrderPlaced, order)
    emit_outcome(order)
