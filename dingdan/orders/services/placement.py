"""Order intake: create (and by default submit) an order in one transaction.

Submitting prices the order through the catalog's quote (price lists, promotions, coupons,
shipping fee rules, tax: services/pricing.py), redeems its coupons, reserves stock for each
line that stock can cover, and runs the review checks; a coupon that cannot be used refuses
the order (422, or 409 when used up) and nothing is written; any failed check or short line puts the order on
hold with the reasons (ARCHITECTURE §4).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Model
from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.channels import selectors as channels
from dingdan.core.actors import Actor
from dingdan.core.audit import audit_batch
from dingdan.core.cache import cache_scope
from dingdan.core.exceptions import NotFound, ValidationFailed
from dingdan.core.models import AuditEntry
from dingdan.core.money import ZERO
from dingdan.core.numbering import number_and_pk_next
from dingdan.core.outbox import outbox_batch
from dingdan.core.rows import rows_insert
from dingdan.customers import selectors as customers
from dingdan.inventory.services import Allocation

from .. import domain
from ..checks import CheckResult
from ..exceptions import (
    DuplicateExternalReference,
    InvalidOrder,
    InvalidOrderTransition,
    OrderNotEditable,
    PriceOverrideNotAllowed,
)
from ..lock_objects import order_for_update
from ..models import Order, OrderLine
from .common import audit, check_version, save
from .pricing import coupon_codes_normalized
from .review import submit_lines

MAX_LINES = 200
MAX_QUANTITY = 100_000
ADDRESS_FIELDS = ("shipping_address", "billing_address")
DRAFT_FIELDS = frozenset(
    {"priority", "type", "shipping_fee", "customer_note", "internal_note", *ADDRESS_FIELDS}
)


@dataclass(frozen=True)
class LineRequest:
    sku_code: str
    quantity: int
    unit_price: Decimal | None = None
    discount: Decimal = ZERO


@dataclass(frozen=True)
class OrderRequest:
    channel_id: int
    customer_id: int
    lines: tuple[LineRequest, ...]
    external_reference: str = ""
    type: str = Order.Type.NORMAL
    priority: str = Order.Priority.NORMAL
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    shipping_fee: Decimal = ZERO
    customer_note: str = ""
    internal_note: str = ""
    coupon_codes: tuple[str, ...] = ()  # checked and redeemed when the order is submitted


def _error(field_name: str, message: str, code: str) -> dict[str, str]:
    return {"field": field_name, "message": message, "code": code}


def _negative_fee(fee: Decimal) -> list[dict[str, str]]:
    if fee < 0:
        return [_error("shipping_fee", _("Prices and discounts cannot be negative."), "negative")]
    return []


def _validate_lines(
    lines: Sequence[LineRequest], *, may_set_prices: bool, shipping_fee: Decimal = ZERO
) -> None:
    if any(line.unit_price is not None for line in lines) and not may_set_prices:
        raise PriceOverrideNotAllowed()
    errors = _negative_fee(shipping_fee)
    if not 1 <= len(lines) <= MAX_LINES:
        errors.append(
            _error("lines", _("An order has 1 to %(max)d lines.") % {"max": MAX_LINES}, "line_count")
        )
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            message = _("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
            errors.append(_error(f"lines.{index}.quantity", message, "invalid_quantity"))
        if line.discount < 0 or (line.unit_price is not None and line.unit_price < 0):
            errors.append(_error(f"lines.{index}", _("Prices and discounts cannot be negative."), "negative"))
    if errors:
        raise InvalidOrder(errors=errors)


def _resolve(request: OrderRequest, known_channel: Any = None) -> tuple[Any, Any, dict[str, Any]]:
    """The channel, customer snapshot and SKUs an order refers to, or one 422 naming each
    unknown reference. `known_channel`: the request's channel when the caller has read it."""
    errors = []
    channel = customer = None
    try:
        if known_channel is not None and known_channel.pk == request.channel_id:
            channel = known_channel
        else:
            channel = channels.channel_get_shared(channel_id=request.channel_id)
        if not channel.is_active:
            errors.append(_error("channel", _("This sales channel is inactive."), "channel_inactive"))
    except NotFound:
        errors.append(_error("channel", _("No such sales channel."), "unknown_channel"))
    try:
        customer = customers.customer_snapshot(customer_id=request.customer_id)
    except NotFound:
        errors.append(_error("customer", _("No such customer."), "unknown_customer"))
    skus = catalog.skus_by_codes_shared(codes={line.sku_code for line in request.lines})
    for index, line in enumerate(request.lines):
        if line.sku_code not in skus:
            errors.append(
                _error(
                    f"lines.{index}.sku", _("No such SKU: %(sku)s") % {"sku": line.sku_code}, "unknown_sku"
                )
            )
    if errors:
        raise InvalidOrder(errors=errors)
    return channel, customer, skus


def _addresses(request: OrderRequest, customer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shipping and billing addresses the order keeps: those given, checked and normalised
    like a customer's (errors name `shipping_address.*` / `billing_address.*`), else the
    customer's defaults. Raises ValidationFailed listing every problem of both."""
    errors: list[dict[str, Any]] = []
    given: dict[str, dict[str, Any] | None] = {}
    for name in ADDRESS_FIELDS:
        address = getattr(request, name)
        try:
            given[name] = customers.address_normalize(address=address, prefix=f"{name}.") if address else None
        except ValidationFailed as error:
            errors += error.errors
    if errors:
        raise ValidationFailed(errors=errors)
    shipping = given["shipping_address"] or customer.default_shipping_address or {}
    billing = given["billing_address"] or customer.default_billing_address or shipping
    return shipping, billing


def _new_order(request: OrderRequest, channel: Any, customer: Any, actor: Actor, *, submit: bool) -> Order:
    """The order, inserted now, or (`submit`, on PostgreSQL, with no external reference) with
    its pk taken and written once when submission saves it complete (common.save): one
    INSERT instead of an INSERT and an UPDATE that touches each of the order table's indexes."""
    shipping, billing = _addresses(request, customer)
    if (
        request.external_reference
        and Order.objects.filter(channel=channel, external_reference=request.external_reference).exists()
    ):
        raise DuplicateExternalReference()
    number, pk = number_and_pk_next(series="order", prefix=channel.number_prefix, model=Order)
    order = Order(
        id=pk,
        number=number,
        channel=channel,
        external_reference=request.external_reference,
        type=request.type,
        priority=request.priority,
        currency=channel.currency,
        customer_id=customer.id,
        customer_grade=customer.grade,
        pay_first=channel.payment_policy == "prepaid",
        shipping_fee=request.shipping_fee,
        shipping_address=shipping,
        billing_address=billing,
        customer_note=request.customer_note,
        internal_note=request.internal_note,
        coupon_codes=coupon_codes_normalized(request.coupon_codes),
        created_by=str(actor),
    )
    if not request.external_reference:  # nothing else unique can collide: the number is fresh
        if pk is None or not submit:
            rows_insert([order])
        return order
    try:
        with transaction.atomic():
            rows_insert([order])
    except IntegrityError as error:  # a concurrent intake of the same reference won the race
        raise DuplicateExternalReference() from error
    return order


def _line_name(sku: Any) -> str:
    specs = " / ".join(str(value) for value in (sku.specs or {}).values())
    return f"{sku.product.name} {specs}".strip()[:200]


def _new_lines(order: Order, requests: Sequence[LineRequest], skus: dict[str, Any]) -> list[OrderLine]:
    """The order's lines, not saved yet (submission saves them priced, in one INSERT)."""
    lines = []
    for number, request in enumerate(requests, start=1):
        sku = skus[request.sku_code]
        lines.append(
            OrderLine(
                order=order,
                line_number=number,
                sku_id=sku.pk,
                sku_code=sku.code,
                name=_line_name(sku),
                specs=sku.specs,
                quantity=request.quantity,
                unit_price=request.unit_price if request.unit_price is not None else ZERO,
                price_source="supplied" if request.unit_price is not None else "price_list",
                discount=request.discount,
            )
        )
    return lines


@dataclass(frozen=True)
class Placement:
    """An order just taken in with everything placing it wrote, as its detail shows them
    (so the response needs no re-read): its lines in line order, the check results in the
    order stored, the stock allocations (one per line; those with a warehouse are its open
    reservations, in the order stored) and its audit entries."""

    order: Order
    lines: list[OrderLine]
    checks: list[CheckResult]
    allocations: list[Allocation]
    timeline: list[AuditEntry]


def _as_stored(instance: Model) -> None:
    """Decimals in memory as the database gives them back (to their field's places), so the
    placement reads like the stored order (`Decimal("0")` is stored and read as `0.00`)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, DecimalField):
            value = getattr(instance, field.attname)
            if value is not None:
                setattr(
                    instance, field.attname, Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
                )


def order_place(
    *,
    actor: Actor,
    request: OrderRequest,
    submit: bool = True,
    may_set_prices: bool = False,
    channel: Any = None,
    savepoint: bool = True,
) -> Placement:
    """Take an order in. Unknown channel, customer or SKU, bad quantities: InvalidOrder (422);
    unit prices without the right: PriceOverrideNotAllowed (403); a reference already used
    on the channel: DuplicateExternalReference (409). Nothing is written on any of them.
    With `submit` the order is submitted in the same transaction. `channel`: the request's
    channel when the caller has already read it (saves a query). `savepoint=False`: a caller
    inside a transaction that rolls it all back on any error (the API does) saves the
    savepoint a nested placement takes otherwise; the transaction cannot be used after an error."""
    with (
        transaction.atomic(savepoint=savepoint),
        cache_scope(),  # one read of the master-data version for the whole placement
        audit_batch(),  # its two audit entries in one INSERT
        outbox_batch(),  # its events in one INSERT, with one delivery task
    ):
        return _place(actor, request, submit=submit, may_set_prices=may_set_prices, channel=channel)


def _place(
    actor: Actor, request: OrderRequest, *, submit: bool, may_set_prices: bool, channel: Any
) -> Placement:
    _validate_lines(request.lines, may_set_prices=may_set_prices, shipping_fee=request.shipping_fee)
    channel, customer, skus = _resolve(request, channel)
    order = _new_order(request, channel, customer, actor, submit=submit)
    created = audit(order, action="created", actor=actor, before=None, first=True)
    lines = _new_lines(order, request.lines, skus)
    if not submit:
        rows_insert(lines)
        for instance in (order, *lines):
            _as_stored(instance)
        return Placement(order, lines, [], [], [created])
    submitted = submit_lines(
        order=order, lines=lines, skus=skus, customer=customer, actor=actor, previous=created, new_lines=True
    )
    for instance in (order, *lines):
        _as_stored(instance)
    return Placement(order, lines, submitted.results, submitted.allocations, [created, submitted.entry])


def order_create(
    *, actor: Actor, request: OrderRequest, submit: bool = True, may_set_prices: bool = False
) -> Order:
    """The order `order_place` takes in (see there)."""
    return order_place(actor=actor, request=request, submit=submit, may_set_prices=may_set_prices).order


@transaction.atomic
def order_submit(*, actor: Actor, order_id: int, expected_version: int | None = None) -> Order:
    """Submit a draft: price, reserve, review (see the module docstring)."""
    order = order_for_update(order_id)
    check_version(order, expected_version)
    if order.status != domain.Status.DRAFT:
        raise InvalidOrderTransition()
    lines = list(order.lines.order_by("line_number"))
    skus = catalog.skus_by_codes(codes=sorted({line.sku_code for line in lines}))
    customer = customers.customer_snapshot(customer_id=order.customer_id)
    submit_lines(order=order, lines=lines, skus=skus, customer=customer, actor=actor)
    return order


def _draft_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` checked: only draft fields, none set to None, addresses normalised (errors
    name `shipping_address.*` / `billing_address.*`). Raises ValidationFailed."""
    errors = [
        _error(name, _("This field cannot be changed or cleared."), "invalid")
        for name, value in changes.items()
        if name not in DRAFT_FIELDS or value is None
    ]
    if changes.get("shipping_fee") is not None:
        errors += _negative_fee(changes["shipping_fee"])
    checked = dict(changes)
    for name in ADDRESS_FIELDS:
        if changes.get(name):
            try:
                checked[name] = customers.address_normalize(address=changes[name], prefix=f"{name}.")
            except ValidationFailed as error:
                errors += error.errors
    if errors:
        raise ValidationFailed(errors=errors)
    return checked


@transaction.atomic
def order_update_draft(
    *, actor: Actor, order_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Order:
    """Change a draft's notes, priority, type, shipping fee or addresses. Submitted orders
    change through amendments only (OrderNotEditable); a field that is not a draft field or a
    None value (a NOT NULL column) raises ValidationFailed, changing nothing."""
    order = order_for_update(order_id)
    check_version(order, expected_version)
    if order.status != domain.Status.DRAFT:
        raise OrderNotEditable()
    checked = _draft_changes(changes)
    before = {name: getattr(order, name) for name in checked}
    for name, value in checked.items():
        setattr(order, name, value)
    save(order, list(changes))
    audit(order, action="draft_updated", actor=actor, before=before)
    return order
