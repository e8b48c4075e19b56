"""Stock by SKU and warehouse (on hand, reserved, available), the movement ledger, and the
receipt and adjustment forms."""

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.pagination import paginate
from dingdan.inventory import selectors as inventory
from dingdan.inventory import services as inventory_services

from ..access import principal, staff_view
from ..forms import AdjustmentForm, ReceiptForm, apply_errors

PAGE_SIZE = 50
STOCK_FIELDS = {
    "warehouse": "warehouse",
    "sku": "sku",
    "sku_id": "sku",
    "quantity": "quantity",
    "reason": "reason",
}


def _warehouses() -> list[tuple[str, str]]:
    return [
        (w.code, f"{w.code} · {w.name}") for w in inventory.warehouse_list(is_active=True).order_by("code")
    ]


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


@staff_view("inventory:read")
def stock(request: HttpRequest) -> HttpResponse:
    sku = request.GET.get("sku", "").strip()[:64]
    warehouse = request.GET.get("warehouse", "").strip()[:32]
    low = request.GET.get("low") == "1"
    levels = inventory.stock_list(
        filters=inventory.StockFilters(
            sku_code=sku or None, warehouse=warehouse or None, below_reorder_point=low
        )
    )
    page, cursor = paginate(
        levels, limit=PAGE_SIZE, cursor=request.GET.get("cursor") or None, ordering=("pk",)
    )
    context = {
        "levels": page,
        "next_cursor": cursor,
        "query": _query(request),
        "sku": sku,
        "warehouse": warehouse,
        "low": low,
        "warehouses": _warehouses(),
        "may_write": principal(request).has("inventory:write"),
    }
    return render(request, "backoffice/inventory/stock.html", context)


@staff_view("inventory:read")
def movements(request: HttpRequest) -> HttpResponse:
    sku = request.GET.get("sku", "").strip()[:64]
    warehouse = request.GET.get("warehouse", "").strip()[:32]
    rows = inventory.movement_list(sku_code=sku or None, warehouse=warehouse or None)
    page, cursor = paginate(
        rows, limit=PAGE_SIZE, cursor=request.GET.get("cursor") or None, ordering=("-pk",)
    )
    context = {
        "movements": page,
        "next_cursor": cursor,
        "query": _query(request),
        "sku": sku,
        "warehouse": warehouse,
        "warehouses": _warehouses(),
    }
    return render(request, "backoffice/inventory/movements.html", context)


def _resolve(form: Form) -> tuple[int, int]:
    warehouse_id, [sku_id] = inventory.stock_codes_resolve(
        warehouse=form.cleaned_data["warehouse"], skus=[("sku", form.cleaned_data["sku"])]
    )
    return warehouse_id, sku_id


def _stock_form(request: HttpRequest, form_class: Any, template: str, write: Any) -> HttpResponse:
    """GET: the empty form; POST: resolve the codes and call `write(form, warehouse_id,
    sku_id)`; errors go beside their fields, and what was typed stays."""
    form = form_class(request.POST or None, warehouses=_warehouses())
    general: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            warehouse_id, sku_id = _resolve(form)
            write(form, warehouse_id, sku_id)
        except ValidationFailed as error:
            general = apply_errors(form, error.errors, STOCK_FIELDS) or (
                [] if error.errors else [str(error.message)]
            )
        except ApplicationError as error:
            general = [str(error.message)]
        else:
            messages.success(request, _("Stock updated."))
            return redirect(f"{request.path}")
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, "general_errors": general}, status=status)


@staff_view("inventory:write")
def receipt(request: HttpRequest) -> HttpResponse:
    def write(form: Form, warehouse_id: int, sku_id: int) -> None:
        data = form.cleaned_data
        inventory_services.stock_receive(
            actor=principal(request).actor,
            warehouse_id=warehouse_id,
            lines=[inventory_services.StockLine(sku_id, data["quantity"])],
            reference=data["reference"],
            note=data["note"],
        )

    return _stock_form(request, ReceiptForm, "backoffice/inventory/receipt.html", write)


@staff_view("inventory:write")
def adjustment(request: HttpRequest) -> HttpResponse:
    def write(form: Form, warehouse_id: int, sku_id: int) -> None:
        data = form.cleaned_data
        inventory_services.stock_adjust(
            actor=principal(request).actor,
            warehouse_id=warehouse_id,
            sku_id=sku_id,
            quantity=data["quantity"],
            reason=data["reason"],
            note=data["note"],
        )

    return _stock_form(request, AdjustmentForm, "backoffice/inventory/adjustment.html", write)
