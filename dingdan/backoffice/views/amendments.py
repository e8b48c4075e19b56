"""Amendments of a submitted order: stage changed quantities, removed and added lines, see
the preview (totals, payment or refund due, stock, checks), then commit or discard."""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingdan.core.exceptions import ApplicationError, NotFound, ValidationFailed
from dingdan.orders import selectors as orders
from dingdan.orders import services as order_services

from ..access import principal, staff_view

_OPERATION_FIELD = re.compile(r"^operations\.(\d+)")


def _operations(request: HttpRequest, order: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The changes typed on the form: a line's new quantity (0 removes it), added lines.
    Also returns, per operation, the form field it came from (to place its errors)."""
    operations, sources = [], []
    for line in order.lines.all():
        typed = request.POST.get(f"quantity_{line.line_number}", "").strip()
        if typed == "" or typed == str(line.quantity):
            continue
        if typed == "0":
            operations.append({"op": "remove_line", "line_number": line.line_number})
        else:
            new_quantity = int(typed) if typed.isdigit() else -1
            operations.append(
                {"op": "set_quantity", "line_number": line.line_number, "quantity": new_quantity}
            )
        sources.append(f"quantity_{line.line_number}")
    sku, quantity = request.POST.get("add_sku", "").strip(), request.POST.get("add_quantity", "").strip()
    if sku or quantity:
        operations.append(
            {"op": "add_line", "sku": sku, "quantity": int(quantity) if quantity.isdigit() else -1}
        )
        sources.append("add")
    return operations, sources


def _errors_by_field(error: ValidationFailed, sources: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    by_field: dict[str, list[str]] = {}
    general = []
    for item in error.errors:
        match = _OPERATION_FIELD.match(str(item.get("field", "")))
        if match and int(match.group(1)) < len(sources):
            by_field.setdefault(sources[int(match.group(1))], []).append(str(item["message"]))
        else:
            general.append(str(item["message"]))
    return by_field, general if error.errors else [str(error.message)]


@staff_view("orders:write")
def change_form(request: HttpRequest, order_id: int) -> HttpResponse:
    order = orders.order_get(order_id=order_id)
    context: dict[str, Any] = {"order": order, "typed": request.POST, "errors": {}, "general_errors": []}
    if request.method != "POST":
        return render(request, "backoffice/orders/change.html", context)
    operations, sources = _operations(request, order)
    version = request.POST.get("version", "")
    try:
        change = order_services.change_request_stage(
            actor=principal(request).actor,
            order_id=order.pk,
            operations=operations,
            note=request.POST.get("note", "")[:1000],
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        context["errors"], context["general_errors"] = _errors_by_field(error, sources)
        return render(request, "backoffice/orders/change.html", context, status=422)
    except ApplicationError as error:
        context["general_errors"] = [str(error.message)]
        return render(request, "backoffice/orders/change.html", context, status=422)
    return redirect("backoffice:change_preview", order_id=order.pk, change_id=change.pk)


def _change_of(order_id: int, change_id: int) -> Any:
    change = orders.change_request_get(change_request_id=change_id)
    if change.order_id != order_id:
        raise NotFound()
    return change


@staff_view("orders:read")
def change_preview(request: HttpRequest, order_id: int, change_id: int) -> HttpResponse:
    change = _change_of(order_id, change_id)
    context = {
        "change": change,
        "order": change.order,
        "preview": order_services.change_request_preview(change_request_id=change.pk),
        "may_write": principal(request).has("orders:write"),
    }
    return render(request, "backoffice/orders/change_preview.html", context)


@require_POST
@staff_view("orders:write")
def change_decide(request: HttpRequest, order_id: int, change_id: int, decision: str) -> HttpResponseBase:
    """Commit or discard the staged change."""
    change = _change_of(order_id, change_id)
    actor = principal(request).actor
    try:
        if decision == "commit":
            order_services.change_request_commit(actor=actor, change_request_id=change.pk)
            messages.success(request, _("The change is committed."))
        else:
            order_services.change_request_discard(actor=actor, change_request_id=change.pk)
            messages.success(request, _("The change is discarded."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("backoffice:change_preview", order_id=order_id, change_id=change.pk)
    return redirect("backoffice:order_detail", order_id=order_id)
