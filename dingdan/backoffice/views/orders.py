"""Order list (filters, saved views, keyset pages, bulk actions, Excel export) and detail."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingdan.accounts import selectors as accounts
from dingdan.channels import selectors as channels
from dingdan.core.exceptions import ApplicationError, NotFound
from dingdan.core.pagination import paginate
from dingdan.customers import services as customer_services
from dingdan.inventory import selectors as inventory
from dingdan.orders import services as order_services

from .. import excel, selectors, services
from ..access import denied, principal, staff_view
from ..forms import NoteForm, OrderFilterForm, ReasonForm, SavedViewForm
from ..labels import ACTION_LABELS, ACTION_SCOPES, REASON_ACTIONS, STAFF_LABELS, STATUS_LABELS

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
SERVICES: dict[str, Callable[..., Any]] = {
    "submit": order_services.order_submit,
    "approve": order_services.order_approve,
    "hold": order_services.order_hold,
    "release": order_services.order_release,
    "reject": order_services.order_reject,
    "cancel": order_services.order_cancel,
}
BULK_SERVICES: dict[str, Callable[..., Any]] = {**SERVICES, "assign": order_services.order_assign}


def _channel_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in channels.channel_list().order_by("name")]


def _filter_form(request: HttpRequest) -> OrderFilterForm:
    warehouses = [(w.code, w.name) for w in inventory.warehouse_list().order_by("code")]
    return OrderFilterForm(request.GET or None, channels=_channel_choices(), warehouses=warehouses)


def _searched(request: HttpRequest, form: OrderFilterForm) -> Any:
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.OrderListFilters()
    return selectors.order_search(
        filters=filters, search_personal_data=principal(request).has("customers:pii")
    )


def _list_url(query: str) -> str:
    return f"{reverse('backoffice:order_list')}?{QueryDict(query).urlencode()}"


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


@staff_view("orders:read")
def order_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    found = _searched(request, form)
    cursor = form.cleaned_data.get("cursor") if form.is_bound and form.is_valid() else None
    page, next_cursor = paginate(found, limit=PAGE_SIZE, cursor=cursor or None, ordering=("-pk",))
    query = _query_without_cursor(request)
    context = {
        "form": form,
        "rows": selectors.order_rows(page),
        "next_cursor": next_cursor,
        "query": query,
        "saved_views": selectors.saved_views(user_id=principal(request).user_id),
        "reviewers": accounts.users_with_role("reviewer") if principal(request).has("orders:review") else [],
        "save_form": SavedViewForm(initial={"query": query}),
        "staff_labels": STAFF_LABELS,
        "status_labels": STATUS_LABELS,
    }
    template = (
        "backoffice/orders/_rows.html"
        if request.headers.get("HX-Request") == "true" and cursor
        else "backoffice/orders/list.html"
    )
    return render(request, template, context)


EXPORT_HEADER = (
    "number",
    "created",
    "channel",
    "customer",
    "status",
    "payment status",
    "fulfilment status",
    "currency",
    "total",
)


def _export_response(rows: list[selectors.OrderRow]) -> HttpResponse:
    header = [_("Number"), _("Created"), _("Channel"), _("Customer"), _("Status")]
    header += [_("Order status"), _("Payment"), _("Fulfilment"), _("Currency"), _("Total")]
    data = [
        (
            row.order.number,
            timezone.localtime(row.order.created_at).strftime("%Y-%m-%d %H:%M"),
            row.order.channel.code,
            row.customer_name,
            str(STAFF_LABELS.get(row.staff_label, row.staff_label)),
            row.order.get_status_display(),
            row.order.get_payment_status_display(),
            row.order.get_fulfillment_status_display(),
            row.order.currency,
            row.order.total,
        )
        for row in rows
    ]
    content = excel.workbook_bytes(title=_("Orders"), header=header, rows=data)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
    return response


@staff_view("orders:read")
def order_export(request: HttpRequest) -> HttpResponse:
    """The filtered list (newest first, at most EXPORT_LIMIT rows) as an Excel workbook."""
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters first."))
        return redirect(_list_url(request.GET.urlencode()))
    found = _searched(request, form).order_by("-pk")[:EXPORT_LIMIT]
    return _export_response(selectors.order_rows(list(found)))


def _selected_ids(request: HttpRequest) -> list[int]:
    return sorted({int(value) for value in request.POST.getlist("ids") if value.isdigit()})[:500]


@require_POST
@staff_view("orders:read")
def order_bulk(request: HttpRequest) -> HttpResponseBase:
    """Approve, hold or export the ticked orders; each order is its own transaction."""
    action = request.POST.get("action", "")
    ids = _selected_ids(request)
    back = _list_url(request.POST.get("query", ""))
    if not ids:
        messages.warning(request, _("Tick at least one order."))
        return redirect(back)
    if action == "print":
        printed = selectors.orders_for_print(order_ids=ids, unmasked=principal(request).has("customers:pii"))
        return render(request, "backoffice/orders/print.html", {"printed": printed})
    if action == "export":
        found = selectors.order_search(filters=selectors.OrderListFilters(), search_personal_data=False)
        return _export_response(selectors.order_rows(list(found.filter(pk__in=ids).order_by("-pk"))))
    if action not in {"approve", "hold", "assign"}:
        messages.error(request, _("Choose an action."))
        return redirect(back)
    if not principal(request).has(ACTION_SCOPES[action]):
        return denied(request, [ACTION_SCOPES[action]])
    if action == "assign":
        owner = request.POST.get("owner", "")
        _report(request, action, *_run_each(request, action, ids, owner))
        return redirect(back)
    form = (ReasonForm if action in REASON_ACTIONS else NoteForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect(back)
    _report(request, action, *_run_each(request, action, ids, form.cleaned_data["reason"]))
    return redirect(back)


def _report(request: HttpRequest, action: str, done: int, failed: list[tuple[Any, str]]) -> None:
    if done:
        messages.success(
            request, _("%(action)s: %(count)d orders.") % {"action": ACTION_LABELS[action], "count": done}
        )
    for order_id, message in failed:
        messages.error(request, f"{order_id}: {message}")


def _arguments(action: str, text: str) -> dict[str, Any]:
    """The service's argument: a required reason, an optional note, an owner (assign: a user
    id, or nobody), or none (submit)."""
    if action == "assign":
        return {"owner_id": int(text) if text.isdigit() else None}
    if action in REASON_ACTIONS:
        return {"reason": text}
    return {} if action == "submit" else {"note": text}


def _run_each(
    request: HttpRequest, action: str, ids: list[int], text: str
) -> tuple[int, list[tuple[Any, str]]]:
    done, failed = 0, []
    for order_id in ids:
        try:
            BULK_SERVICES[action](
                actor=principal(request).actor, order_id=order_id, **_arguments(action, text)
            )
            done += 1
        except ApplicationError as error:
            failed.append((order_id, str(error.message)))
    return done, failed


@require_POST
@staff_view("orders:read")
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            services.saved_view_create(
                user_id=principal(request).user_id, name=form.cleaned_data["name"], query=query
            )
            messages.success(request, _("View saved."))
        except ApplicationError as error:
            messages.error(request, "; ".join(str(e["message"]) for e in error.errors) or str(error.message))
    else:
        messages.error(request, _("Give the view a name."))
    return redirect(_list_url(query))


@require_POST
@staff_view("orders:read")
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    services.saved_view_delete(user_id=principal(request).user_id, view_id=view_id)
    messages.success(request, _("View deleted."))
    return redirect("backoffice:order_list")


@staff_view("orders:read")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    who = principal(request)
    unmasked = who.has("customers:pii")
    detail = selectors.order_detail(
        order_id=order_id,
        unmasked=unmasked,
        money=who.has("billing:read"),
        shipments=who.has("fulfillment:read"),
    )
    order = detail.order
    if unmasked and (order.shipping_address or order.billing_address):
        customer_services.personal_data_access_record(
            actor=who.actor, subject_ids=[order.customer_id], purpose="backoffice.order_detail"
        )
    actions = [name for name in detail.actions if name in SERVICES and who.has(ACTION_SCOPES[name])]
    context: dict[str, Any] = {
        "detail": detail,
        "order": order,
        "actions": [(name, ACTION_LABELS[name], name in REASON_ACTIONS) for name in actions],
        "staff_labels": STAFF_LABELS,
        "status_labels": STATUS_LABELS,
        "masked": not unmasked,
    }
    return render(request, "backoffice/orders/detail.html", context)


@require_POST
@staff_view("orders:read")
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponseBase:
    """One transition of the order, with the scope the API requires for it."""
    if action not in SERVICES:
        raise NotFound()
    scope = ACTION_SCOPES[action]
    if not principal(request).has(scope):
        return denied(request, [scope])
    form = (ReasonForm if action in REASON_ACTIONS else NoteForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("backoffice:order_detail", order_id=order_id)
    version = request.POST.get("version", "")
    try:
        SERVICES[action](
            actor=principal(request).actor,
            order_id=order_id,
            expected_version=int(version) if version.isdigit() else None,
            **_arguments(action, form.cleaned_data["reason"]),
        )
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]})
    except NotFound:
        raise
    except ApplicationError as error:
        messages.error(request, str(error.message))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("backoffice:order_detail", order_id=order_id)
