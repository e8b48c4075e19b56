"""Printable documents as PDF (WeasyPrint, HTML templates, a CJK font): the delivery note
(出库单/送货单) and packing slip in the order's language, the pick list in the reader's."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from dingdan.customers import selectors as customers
from dingdan.orders import selectors as order_selectors

from . import selectors
from .exceptions import ShipmentNotFound
from .models import ShipmentLine

LANGUAGES = ("zh-hans", "zh-hant", "en")


def _language(code: str | None) -> str:
    code = (code or "").lower()
    return code if code in LANGUAGES else "zh-hans"


def _pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML  # heavy: imported when a document is made

    with translation.override(language):
        html = render_to_string(template, {**context, "language": language})
        return HTML(string=html).write_pdf()


def order_language(order: Any) -> str:
    return _language(customers.customer_snapshot(customer_id=order.customer_id).language)


def delivery_note_pdf(*, order_id: int, shipment_id: int | None = None) -> bytes:
    """The delivery note of an order (or of one of its shipments), in the order's language."""
    order = order_selectors.order_get(order_id=order_id)
    shipments = list(selectors.shipment_list(order_id=order.pk).order_by("pk"))
    if shipment_id is not None:
        shipments = [s for s in shipments if s.pk == shipment_id]
        if not shipments:
            raise ShipmentNotFound()
    delivered: dict[int, int] = {}
    for line_id, units in ShipmentLine.objects.filter(shipment__in=shipments).values_list(
        "order_line_id", "quantity"
    ):
        delivered[line_id] = delivered.get(line_id, 0) + units
    lines = [
        {
            "line_number": line.line_number,
            "sku_code": line.sku_code,
            "name": line.name,
            "quantity": line.quantity,
            "delivered": delivered.get(line.pk, 0),
        }
        for line in order.lines.all()
    ]
    context = {
        "order": order,
        "lines": lines,
        "shipments": shipments,
        "address": order.shipping_address,
        "warehouse_names": "、".join(sorted({s.warehouse.name for s in shipments})),
        "today": timezone.localdate(),
    }
    return _pdf("fulfillment/delivery_note.html", context, order_language(order))


def pick_list_pdf(*, pick_list_id: int, language: str | None = None) -> bytes:
    """The pick list in walk order (bins by code), in the reader's language."""
    pick_list = selectors.pick_list_get(pick_list_id=pick_list_id)
    return _pdf(
        "fulfillment/pick_list.html",
        {"pick_list": pick_list, "lines": list(pick_list.lines.all())},
        _language(language),
    )


def packing_slip_pdf(*, package_id: int) -> bytes:
    """What one package holds, in the order's language."""
    package = selectors.package_get(package_id=package_id)
    context = {"package": package, "address": package.order.shipping_address}
    return _pdf("fulfillment/packing_slip.html", context, order_language(package.order))
