"""Reads the workbench composes from the contexts' selectors: the order list with the staff
labels and free-text search, the dashboard's figures, the order detail. Nothing here decides
anything the contexts own; it narrows their querysets and puts their answers side by side."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dingdan.billing import selectors as billing
from dingdan.catalog import selectors as catalog
from dingdan.channels import selectors as channels
from dingdan.core.exceptions import NotFound
from dingdan.customers import selectors as customers
from dingdan.fulfillment import selectors as fulfillment
from dingdan.inventory import selectors as inventory
from dingdan.orders import selectors as orders

from .models import SavedView, UserPreference

NOT_COUNTED = orders.NOT_COUNTED  # orders that bring no revenue (the orders context says which)


def user_language(*, user_id: int) -> str | None:
    return UserPreference.objects.filter(user_id=user_id).values_list("language", flat=True).first()


def saved_views(*, user_id: int) -> list[SavedView]:
    return list(SavedView.objects.filter(user_id=user_id))


@dataclass(frozen=True)
class OrderListFilters:
    label: str | None = None
    status: str | None = None
    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    customer_id: int | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    text: str | None = None
    warehouse: str | None = None
    at_risk: bool = False


def order_search(*, filters: OrderListFilters, search_personal_data: bool) -> QuerySet[Any]:
    """Orders matching the workbench's filters (with their channel). `text` matches the
    start of the order number, a shipment's tracking number, or the customer (code, name;
    with `search_personal_data` also phone and e-mail, as customers' search does).
    `warehouse`: orders shipped from it; `at_risk`: fulfilment's orders at risk of missing
    their promised date."""
    found = orders.order_list(
        filters=orders.OrderFilters(
            label=filters.label,
            status=filters.status,
            channel=filters.channel,
            customer_id=filters.customer_id,
            created_from=filters.created_from,
            created_to=filters.created_to,
        )
    )
    if filters.type:
        found = found.filter(type=filters.type)
    if filters.priority:
        found = found.filter(priority=filters.priority)
    if filters.warehouse:
        shipped = fulfillment.shipment_list().filter(warehouse__code=filters.warehouse)
        found = found.filter(pk__in=shipped.values("order_id"))
    if filters.at_risk:
        found = found.filter(pk__in=[risk.order_id for risk in fulfillment.orders_at_risk()])
    text = (filters.text or "").strip()
    if text:
        found = found.filter(_text_condition(text, search_personal_data=search_personal_data))
    return found


SEARCH_IDS_MAX = 1000  # more matching customers than this: they stay a subquery


def _text_condition(text: str, *, search_personal_data: bool) -> Q:
    """Orders whose number starts with `text`, whose customer matches it or one of whose
    shipments carries it as tracking number. The customers and shipments are read first
    (two small queries) and passed as values: a list lets PostgreSQL combine the number,
    customer and primary-key indexes, where subqueries inside the OR made it read every
    order (2.1 s at 1,000,000 orders for a phone number matching one customer). A text that
    matches more than SEARCH_IDS_MAX customers keeps the subquery: so many orders match that
    reading the newest first finds a page at once."""
    matching = customers.customer_list(q=text, search_personal_data=search_personal_data)
    customer_ids = list(matching.order_by().values_list("pk", flat=True)[: SEARCH_IDS_MAX + 1])
    by_customer = (
        Q(customer_id__in=customer_ids)
        if len(customer_ids) <= SEARCH_IDS_MAX
        else Q(customer_id__in=matching.values("pk"))
    )
    order_ids = fulfillment.order_ids_with_tracking_number(tracking_number=text, limit=SEARCH_IDS_MAX)
    return Q(number__startswith=text.upper()) | by_customer | Q(pk__in=order_ids)


def customer_names(*, customer_ids: set[int]) -> dict[int, str]:
    """Names of these customers, by id (one query)."""
    if not customer_ids:
        return {}
    return dict(customers.customer_list().filter(pk__in=customer_ids).values_list("pk", "name"))


@dataclass(frozen=True)
class OrderRow:
    order: Any
    customer_name: str
    staff_label: str


def order_rows(order_page: list[Any]) -> list[OrderRow]:
    """The page's orders with their customer's name and staff label (one query)."""
    names = customer_names(customer_ids={order.customer_id for order in order_page})
    return [
        OrderRow(order, names.get(order.customer_id, ""), str(orders.staff_label(order)))
        for order in order_page
    ]


@dataclass(frozen=True)
class DashboardFigures:
    orders_today: int
    revenue_today: Decimal
    awaiting_review: int
    on_hold: int
    low_stock: int
    exceptions_open: int
    exceptions_overdue: int
    at_risk: int
    days: list[str] = field(default_factory=list)
    orders_per_day: list[int] = field(default_factory=list)
    revenue_per_day: list[str] = field(default_factory=list)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def dashboard_figures(*, today: dt.date) -> DashboardFigures:
    """Today's orders and revenue, the queues' sizes, low stock and the last 30 days by day
    (business days in the company's time zone), open and overdue exception cases, orders at
    risk of missing their promised date (fulfilment). A dozen queries; today's figures are
    the last of the 30 days (one read of the orders by creation time, from the index
    order_created_figures alone)."""
    everything = orders.order_list(filters=orders.OrderFilters())
    by_status = dict(
        everything.filter(status__in=("pending_review", "on_hold"))
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    first_day = today - dt.timedelta(days=29)
    tz = timezone.get_default_timezone()
    per_day = {
        row["day"]: row
        for row in everything.filter(created_at__gte=_day_start(first_day))
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"), revenue=Sum("total", filter=~Q(status__in=NOT_COUNTED)))
        .order_by("day")
    }
    today_row = per_day.get(today)
    orders_today: int = today_row["n"] if today_row else 0
    revenue_today: Decimal = (today_row["revenue"] if today_row else None) or Decimal("0.00")
    days = [first_day + dt.timedelta(days=offset) for offset in range(30)]
    low_stock = inventory.stock_low_list().count()
    open_cases = orders.exception_list(filters=orders.ExceptionFilters(is_open=True))
    return DashboardFigures(
        orders_today=orders_today,
        revenue_today=revenue_today,
        awaiting_review=by_status.get("pending_review", 0),
        on_hold=by_status.get("on_hold", 0),
        low_stock=low_stock,
        exceptions_open=open_cases.count(),
        exceptions_overdue=orders.exception_list(filters=orders.ExceptionFilters(is_overdue=True)).count(),
        at_risk=len(fulfillment.orders_at_risk()),
        days=[day.isoformat() for day in days],
        orders_per_day=[per_day[day]["n"] if day in per_day else 0 for day in days],
        revenue_per_day=[str(per_day[day]["revenue"] or 0) if day in per_day else "0" for day in days],
    )


@dataclass(frozen=True)
class LineView:
    line: Any
    reserved: int
    warehouses: str


@dataclass(frozen=True)
class OrderDetail:
    order: Any
    customer_name: str
    staff_label: str
    lines: list[LineView]
    shipping_address: dict[str, Any]
    billing_address: dict[str, Any]
    hold_reasons: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    timeline: list[Any]
    actions: list[str]
    money: Any
    payments: list[Any]
    shipments: list[tuple[Any, str]]
    cases: list[Any]
    revisions: list[Any]


def _line_views(order: Any) -> list[LineView]:
    reserved: dict[int, int] = {}
    warehouses: dict[int, set[str]] = {}
    for reservation in orders.order_reservations(order):
        if reservation.status != "open":
            continue
        line_id = int(reservation.demand_id)
        reserved[line_id] = reserved.get(line_id, 0) + reservation.quantity
        warehouses.setdefault(line_id, set()).add(reservation.warehouse_code)
    return [
        LineView(line, reserved.get(line.pk, 0), ", ".join(sorted(warehouses.get(line.pk, set()))))
        for line in order.lines.all()
    ]


def order_detail(*, order_id: int, unmasked: bool, money: bool, shipments: bool) -> OrderDetail:
    """Everything the order screen shows, addresses masked unless `unmasked`, payments only
    with `money`, shipments only with `shipments` (the caller's scopes). Raises
    OrderNotFound. A fixed number of queries however many lines, entries or shipments."""
    order = orders.order_get(order_id=order_id)
    names = customer_names(customer_ids={order.customer_id})
    return OrderDetail(
        order=order,
        customer_name=names.get(order.customer_id, ""),
        staff_label=str(orders.staff_label(order)),
        lines=_line_views(order),
        shipping_address=customers.address_for_display(address=order.shipping_address, unmasked=unmasked),
        billing_address=customers.address_for_display(address=order.billing_address, unmasked=unmasked),
        hold_reasons=orders.hold_reasons(order),
        checks=orders.latest_check_results(order),
        timeline=orders.order_timeline(order),
        actions=orders.available_actions(order),
        money=billing.order_money(order_id=order.pk) if money else None,
        payments=list(billing.payment_list(filters=billing.Filters(order_id=order.pk)).order_by("pk"))
        if money
        else [],
        shipments=[
            (shipment, fulfillment.tracking_url(shipment))
            for shipment in fulfillment.shipment_list(order_id=order.pk).order_by("pk")
        ]
        if shipments
        else [],
        cases=list(orders.exception_list(filters=orders.ExceptionFilters(order_id=order.pk)).order_by("pk")),
        revisions=list(orders.order_revisions(order_id=order.pk)),
    )


@dataclass(frozen=True)
class SkuHit:
    sku: Any
    available: int


def sku_search(*, text: str, limit: int = 10) -> list[SkuHit]:
    """Sellable SKUs whose code, product code or name contains `text` or whose barcode is
    `text`, each with the units available in active warehouses (two queries)."""
    skus = (
        list(catalog.sku_list(q=text.strip(), is_active=True).order_by("code")[:limit])
        if text.strip()
        else []
    )
    available: dict[int, int] = {}
    for sku_id, _warehouse_id, free in inventory.stock_available(sku_ids=[sku.pk for sku in skus]):
        available[sku_id] = available.get(sku_id, 0) + free
    return [SkuHit(sku, available.get(sku.pk, 0)) for sku in skus]


@dataclass(frozen=True)
class QuoteLine:
    sku_code: str
    name: str
    quantity: int
    unit_price: Decimal | None
    discount: Decimal | None
    subtotal: Decimal | None
    available: int
    known: bool


@dataclass(frozen=True)
class EntryQuote:
    currency: str
    lines: list[QuoteLine]
    quote: Any  # catalog's Quote: totals, shipping, tax
    explanations: list[tuple[str, Decimal]]
    rejected_coupons: list[str]
    complete: bool  # every line known and priced


def entry_quote(
    *,
    channel_id: int,
    customer_id: int | None,
    lines: list[tuple[str, int]],
    coupon_codes: tuple[str, ...] = (),
    region: str = "",
) -> EntryQuote | None:
    """The typed lines priced as the order will be (catalog's order_quote: list prices,
    promotions, coupons, shipping rules, tax), with the stock available; None for an
    unknown channel. Unknown SKUs are listed unpriced."""
    try:
        channel = channels.channel_get(channel_id=channel_id)
    except NotFound:
        return None
    grade = ""
    if customer_id:
        grade = customers.customer_list().filter(pk=customer_id).values_list("grade", flat=True).first() or ""
    skus = catalog.skus_by_codes(codes=[code for code, _quantity in lines])
    items = [
        catalog.QuoteItem(key=str(index), sku_id=skus[code].pk, quantity=quantity)
        for index, (code, quantity) in enumerate(lines)
        if code in skus
    ]
    quote = catalog.order_quote(
        items=items,
        channel_id=channel.pk,
        customer_grade=grade,
        currency=channel.currency,
        at=timezone.now(),
        customer_id=customer_id,
        region=region,
        coupon_codes=coupon_codes,
        skus=skus.values(),
    )
    quoted = {line.key: line for line in quote.lines}
    available: dict[int, int] = {}
    for sku_id, _warehouse_id, free in inventory.stock_available(sku_ids=[sku.pk for sku in skus.values()]):
        available[sku_id] = available.get(sku_id, 0) + free
    rows = [
        _quote_line(code, quantity, skus.get(code), quoted.get(str(index)), available)
        for index, (code, quantity) in enumerate(lines)
    ]
    return EntryQuote(
        currency=channel.currency,
        lines=rows,
        quote=quote,
        explanations=[
            (catalog.explanation_label(reason=e.reason, params=e.params), e.amount)
            for e in quote.explanations
        ],
        rejected_coupons=[code for code, _reason in quote.rejected_coupons],
        complete=all(row.known and row.unit_price is not None for row in rows),
    )


def _quote_line(code: str, quantity: int, sku: Any, quoted: Any, available: dict[int, int]) -> QuoteLine:
    if sku is None or quoted is None:
        return QuoteLine(code, "", quantity, None, None, None, 0, known=False)
    priced = quoted.price_source != "none"
    return QuoteLine(
        sku_code=code,
        name=f"{sku.product.name} {' / '.join(str(v) for v in (sku.specs or {}).values())}".strip(),
        quantity=quantity,
        unit_price=quoted.unit_price if priced else None,
        discount=quoted.discount,
        subtotal=quoted.subtotal,
        available=available.get(sku.pk, 0),
        known=True,
    )


@dataclass(frozen=True)
class PrintedOrder:
    order: Any
    customer_name: str
    staff_label: str
    shipping_address: dict[str, Any]


def orders_for_print(*, order_ids: list[int], unmasked: bool) -> list[PrintedOrder]:
    """The ticked orders with their lines, customer and shipping address (masked unless
    `unmasked`), newest first. Three queries however many orders."""
    found = list(
        orders.order_list(filters=orders.OrderFilters())
        .filter(pk__in=order_ids)
        .prefetch_related("lines")
        .order_by("-pk")
    )
    names = customer_names(customer_ids={order.customer_id for order in found})
    return [
        PrintedOrder(
            order,
            names.get(order.customer_id, ""),
            str(orders.staff_label(order)),
            customers.address_for_display(address=order.shipping_address, unmasked=unmasked),
        )
        for order in found
    ]
