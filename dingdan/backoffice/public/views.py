"""The tracking page: `/track/<signed token>/` shows one order's progress to its customer
without a login, in the customer's language. Personal data is left out: no name, address,
phone or e-mail; just the order number, its status, the items and the shipments."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dingdan.core.exceptions import NotFound
from dingdan.customers import selectors as customers
from dingdan.fulfillment import selectors as fulfillment
from dingdan.notifications import selectors as notifications
from dingdan.orders import selectors as orders

# What a customer is told for each staff label (ARCHITECTURE §4): less detail than staff see.
CUSTOMER_STATUS = {
    "draft": _("Received"),
    "awaiting_review": _("Being processed"),
    "on_hold": _("Being processed"),
    "awaiting_payment": _("Awaiting payment"),
    "awaiting_shipment": _("Being prepared for shipment"),
    "shipped": _("Shipped"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
}
SHIPMENT_STATUS = {
    "shipped": _("Shipped"),
    "in_transit": _("In transit"),
    "out_for_delivery": _("Out for delivery"),
    "delivered": _("Delivered"),
    "failed_attempt": _("Delivery attempt failed"),
    "returned": _("Returned to sender"),
    "lost": _("Lost"),
}


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "backoffice/public/track_invalid.html", status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(order: Any) -> dict[str, Any]:
    label = str(orders.staff_label(order))
    return {
        "number": order.number,
        "placed_at": order.submitted_at or order.created_at,
        "status": CUSTOMER_STATUS.get(label, label),
        "status_code": label,
        "total": order.total,
        "currency": order.currency,
        "lines": [{"name": line.name, "quantity": line.quantity} for line in order.lines.all()],
        "shipments": [
            {"view": s, "status": SHIPMENT_STATUS.get(s.status, s.status)}
            for s in fulfillment.shipment_tracking(order_id=order.pk)
        ],
    }


@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = orders.order_get(order_id=notifications.tracking_order_id(token=token))
        language = customers.customer_notification_profile(customer_id=order.customer_id).language
    except NotFound:
        return _not_found(request)
    with translation.override(language):
        response = render(
            request, "backoffice/public/track.html", {"order": _page(order), "language": language}
        )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to carriers' sites
    return response
