"""The home page: each role sees its own panels and the day's figures."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..access import principal, staff_view


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    figures = None
    if principal(request).has("orders:read"):
        figures = selectors.dashboard_figures(today=timezone.localdate())
    chart = None
    if figures is not None:
        chart = {"days": figures.days, "orders": figures.orders_per_day, "revenue": figures.revenue_per_day}
    return render(
        request,
        "backoffice/home.html",
        {"figures": figures, "chart": chart, "today": timezone.localdate().isoformat()},
    )
