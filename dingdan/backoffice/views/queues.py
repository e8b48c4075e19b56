"""The review queue and the exception queue: owners, due times, overdue flags; take, assign,
approve; resolve a case with one of its options."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingdan.accounts import selectors as accounts
from dingdan.core.exceptions import ApplicationError
from dingdan.orders import selectors as orders
from dingdan.orders import services as order_services

from .. import selectors
from ..access import principal, staff_view
from ..forms import ResolveForm

QUEUE_SIZE = 100


def _owner_choice(request: HttpRequest) -> int | None:
    """The owner posted: "me", a user id, or nobody."""
    value = request.POST.get("owner", "")
    if value == "me":
        return principal(request).user_id
    return int(value) if value.isdigit() else None


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _flag(request: HttpRequest, name: str) -> bool | None:
    return True if request.GET.get(name) == "1" else None


@staff_view("orders:read")
def review_queue(request: HttpRequest) -> HttpResponse:
    who = principal(request)
    filters = orders.QueueFilters(
        status=request.GET.get("status")
        if request.GET.get("status") in ("pending_review", "on_hold")
        else None,
        owner_id=who.user_id if request.GET.get("mine") == "1" else None,
        is_overdue=_flag(request, "overdue"),
        is_unassigned=_flag(request, "unassigned"),
    )
    queue = list(orders.review_queue(filters=filters).order_by(*orders.QUEUE_ORDERING)[:QUEUE_SIZE])
    now = timezone.now()
    rows = [
        (row, orders.queue_reasons(row.order), orders.is_overdue(row.order.review_due_at, now))
        for row in selectors.order_rows(queue)
    ]
    may_review = who.has("orders:review")
    context = {
        "rows": rows,
        "may_review": may_review,
        "reviewers": accounts.users_with_role("reviewer") if may_review else [],
        "filters": request.GET,
    }
    return render(request, "backoffice/queues/review.html", context)


@require_POST
@staff_view("orders:review")
def review_assign(request: HttpRequest, order_id: int) -> HttpResponseBase:
    try:
        order_services.order_assign(
            actor=principal(request).actor, order_id=order_id, owner_id=_owner_choice(request)
        )
        messages.success(request, _("Assigned."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return _back(request, "backoffice:review_queue")


@staff_view("orders:read")
def exception_queue(request: HttpRequest) -> HttpResponse:
    who = principal(request)
    filters = orders.ExceptionFilters(
        is_open=request.GET.get("closed") != "1",
        owner_id=who.user_id if request.GET.get("mine") == "1" else None,
        is_overdue=_flag(request, "overdue"),
        kind=request.GET.get("kind") or None,
    )
    now = timezone.now()
    cases = list(orders.exception_list(filters=filters, now=now).order_by("due_at", "pk")[:QUEUE_SIZE])
    context = {
        "cases": [(case, orders.exception_is_overdue(case, now)) for case in cases],
        "may_work": who.has("orders:exceptions"),
        "filters": request.GET,
    }
    return render(request, "backoffice/queues/exceptions.html", context)


@staff_view("orders:read")
def exception_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = orders.exception_get(case_id=case_id)
    options = orders.exception_options(case)
    form = ResolveForm(options=[(option["code"], option["label"]) for option in options])
    return _case_page(request, case, options, form)


def _case_page(
    request: HttpRequest, case: Any, options: list[dict[str, Any]], form: forms.Form, status: int = 200
) -> HttpResponse:
    context = {
        "case": case,
        "options": options,
        "form": form,
        "overdue": orders.exception_is_overdue(case),
        "may_work": principal(request).has("orders:exceptions"),
        "staff_users": accounts.users_with_role(case.owner_role) if case.owner_role else [],
    }
    return render(request, "backoffice/queues/exception_detail.html", context, status=status)


@require_POST
@staff_view("orders:exceptions")
def exception_assign(request: HttpRequest, case_id: int) -> HttpResponseBase:
    try:
        order_services.exception_assign(
            case_id=case_id, actor=principal(request).actor, owner_id=_owner_choice(request)
        )
        messages.success(request, _("Assigned."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return _back(request, "backoffice:exception_queue")


@require_POST
@staff_view("orders:exceptions")
def exception_resolve(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = orders.exception_get(case_id=case_id)
    options = orders.exception_options(case)
    form = ResolveForm(request.POST, options=[(option["code"], option["label"]) for option in options])
    if not form.is_valid():
        return _case_page(request, case, options, form, status=422)
    try:
        order_services.exception_resolve(
            case_id=case_id,
            resolution=form.cleaned_data["resolution"],
            note=form.cleaned_data["note"],
            actor=principal(request).actor,
        )
    except ApplicationError as error:
        for item in error.errors:
            form.add_error("resolution" if item.get("field") == "resolution" else None, str(item["message"]))
        if not error.errors:
            form.add_error(None, str(error.message))
        return _case_page(request, case, options, form, status=422)
    messages.success(request, _("Case resolved."))
    return redirect("backoffice:exception_queue")
