"""Order entry for phone and e-mail orders: find the customer as you type, add lines by SKU,
barcode or name with stock shown, see prices live, submit. Works with the keyboard alone."""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dingdan.channels import selectors as channels
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.customers import selectors as customers
from dingdan.orders import services as order_services

from .. import selectors
from ..access import principal, staff_view
from ..forms import AddressForm, LineEntry, OrderEntryForm, line_entries

ENTRY_CHANNEL_KINDS = ("phone", "email")
_LINE_FIELD = re.compile(r"^lines\.(\d+)(?:\.(\w+))?$")
ORDER_FIELDS = {
    "channel": "channel",
    "customer": "customer",
    "priority": "priority",
    "type": "type",
    "coupon_codes": "coupon",
}
ADDRESS_FIELDS = {f"shipping_address.{name}": name for name in AddressForm.base_fields}


def _channel_choices() -> list[tuple[int, str]]:
    """Phone and e-mail channels first, then the other active ones."""
    active = list(channels.channel_list(is_active=True).order_by("name"))
    ordered = sorted(active, key=lambda c: c.kind not in ENTRY_CHANNEL_KINDS)
    return [(c.pk, c.name) for c in ordered]


def _render(
    request: HttpRequest,
    form: OrderEntryForm,
    address: AddressForm,
    lines: list[LineEntry],
    *,
    customer: Any = None,
    general_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The entry form with what was typed (an empty line row when there is none)."""
    context = {
        "form": form,
        "address": address,
        "lines": lines or [LineEntry("", "")],
        "customer": customer,
        "general_errors": general_errors or [],
    }
    return render(request, "backoffice/orders/entry.html", context, status=status)


@staff_view("orders:write", "customers:read", "catalog:read")
def order_entry(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = OrderEntryForm(channels=_channel_choices())
        return _render(request, form, AddressForm(prefix="ship"), [])
    form = OrderEntryForm(request.POST, channels=_channel_choices())
    address = AddressForm(request.POST, prefix="ship")
    lines = line_entries(request.POST)
    customer = _picked_customer(request, request.POST.get("customer", ""))
    if not _shape_ok(form, address, lines):
        return _render(request, form, address, lines, customer=customer, status=422)
    try:
        order = order_services.order_create(
            actor=principal(request).actor, request=_order_request(form, address, lines)
        )
    except ValidationFailed as error:
        general = _place_errors(form, address, lines, error)
        return _render(request, form, address, lines, customer=customer, general_errors=general, status=422)
    except ApplicationError as error:
        return _render(
            request, form, address, lines, customer=customer, general_errors=[str(error.message)], status=422
        )
    messages.success(request, _("Order %(number)s entered.") % {"number": order.number})
    return redirect("backoffice:order_detail", order_id=order.pk)


def _shape_ok(form: OrderEntryForm, address: AddressForm, lines: list[LineEntry]) -> bool:
    ok = form.is_valid() & address.is_valid()
    if not lines:
        form.add_error(None, _("Add at least one line."))
        ok = False
    for line in lines:
        if not line.sku:
            line.errors.append(_("Give a SKU."))
        quantity = line.parsed_quantity()
        if quantity is None or quantity < 1:
            line.errors.append(_("The quantity must be a whole number of at least 1."))
        ok = ok and not line.errors
    return ok


def _order_request(form: OrderEntryForm, address: AddressForm, lines: list[LineEntry]) -> Any:
    data = form.cleaned_data
    return order_services.OrderRequest(
        channel_id=data["channel"],
        customer_id=data["customer"],
        lines=tuple(
            order_services.LineRequest(sku_code=line.sku, quantity=line.parsed_quantity() or 0)
            for line in lines
        ),
        type=data["type"],
        priority=data["priority"],
        shipping_address=address.address(),
        customer_note=data["customer_note"],
        internal_note=data["internal_note"],
        coupon_codes=(data["coupon"],) if data["coupon"] else (),
    )


def _place_errors(
    form: OrderEntryForm, address: AddressForm, lines: list[LineEntry], error: ValidationFailed
) -> list[str]:
    """Each of the service's errors beside the field it names; the others are returned."""
    general = []
    for item in error.errors:
        name, message = str(item.get("field", "")), str(item["message"])
        match = _LINE_FIELD.match(name)
        if match and int(match.group(1)) < len(lines):
            lines[int(match.group(1))].errors.append(message)
        elif name in ORDER_FIELDS:
            form.add_error(ORDER_FIELDS[name], message)
        elif name in ADDRESS_FIELDS:
            address.add_error(ADDRESS_FIELDS[name], message)
        else:
            general.append(message)
    return general if error.errors else [str(error.message)]


def _picked_customer(request: HttpRequest, customer_id: str) -> Any:
    if not customer_id.isdigit():
        return None
    return customers.customer_list().filter(pk=int(customer_id)).first()


@staff_view("orders:write", "customers:read")
def entry_customers(request: HttpRequest) -> HttpResponse:
    """Customers matching what was typed (phone and e-mail only for customers:pii)."""
    text = request.GET.get("q", "").strip()[:100]
    found = []
    if text:
        found = list(
            customers.customer_list(
                q=text, is_active=True, search_personal_data=principal(request).has("customers:pii")
            ).order_by("name", "pk")[:10]
        )
    return render(request, "backoffice/orders/_customer_hits.html", {"hits": found, "q": text})


@staff_view("orders:write", "customers:read")
def entry_customer_pick(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The chosen customer, with the default shipping address filled in for staff who may
    see it (the others leave it empty: the order then takes the customer's default)."""
    snapshot = customers.customer_snapshot(customer_id=customer_id)
    initial = {}
    if principal(request).has("customers:pii") and snapshot.default_shipping_address:
        initial = {name: snapshot.default_shipping_address.get(name, "") for name in AddressForm.base_fields}
    return render(
        request,
        "backoffice/orders/_customer_picked.html",
        {"customer": snapshot, "address": AddressForm(initial=initial, prefix="ship")},
    )


@staff_view("orders:write", "catalog:read")
def entry_skus(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("sku_q", "").strip()[:64]
    return render(request, "backoffice/orders/_sku_hits.html", {"hits": selectors.sku_search(text=text)})


@staff_view("orders:write")
def entry_line(request: HttpRequest) -> HttpResponse:
    """A new line row for the SKU chosen in the search."""
    line = LineEntry(request.GET.get("sku", "")[:64], "1")
    return render(request, "backoffice/orders/_line.html", {"line": line})


@staff_view("orders:write", "catalog:read")
def entry_quote(request: HttpRequest) -> HttpResponse:
    channel = request.POST.get("channel", "")
    customer = request.POST.get("customer", "")
    lines = [
        (line.sku, line.parsed_quantity() or 0)
        for line in line_entries(request.POST)
        if line.sku and (line.parsed_quantity() or 0) > 0
    ][:200]
    coupon = request.POST.get("coupon", "").strip()[:40]
    quote = None
    if channel.isdigit() and lines:
        quote = selectors.entry_quote(
            channel_id=int(channel),
            customer_id=int(customer) if customer.isdigit() else None,
            lines=lines,
            coupon_codes=(coupon,) if coupon else (),
            region=request.POST.get("ship-province", "").strip()[:64],
        )
    return render(request, "backoffice/orders/_quote.html", {"quote": quote})
