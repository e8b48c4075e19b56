import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dingdan.backoffice import excel, selectors
from dingdan.core.actors import SYSTEM
from dingdan.inventory.models import StockLevel
from dingdan.orders.models import ExceptionCase, Order
from dingdan.orders.services import exception_open


def test_the_workbench_label_filter_is_the_orders_one(shop, place):
    held = place(lines={"RARE-01": 1})
    unpaid = place()  # the web shop wants payment before shipment

    def searched(label: str) -> list[int]:
        found = selectors.order_search(
            filters=selectors.OrderListFilters(label=label), search_personal_data=False
        )
        return list(found.order_by("pk").values_list("pk", flat=True))

    assert searched("on_hold") == [held.pk]
    assert searched("awaiting_payment") == [unpaid.pk]
    assert searched("awaiting_shipment") == []
    assert searched("shipped") == []


def test_the_dashboard_counts_today_the_queues_and_low_stock_and_charts_30_days(shop, place):
    place(channel=shop.review_channel)
    place(lines={"RARE-01": 1})
    confirmed = place(lines={"MUG-01": 2})
    old = place()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    Order.objects.filter(pk=confirmed.pk).update(promised_date=timezone.localdate() - dt.timedelta(days=1))
    late_case = exception_open(order_id=old.pk, kind="address_problem", actor=SYSTEM)
    ExceptionCase.objects.filter(pk=late_case.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    exception_open(order_id=old.pk, kind="payment_problem", actor=SYSTEM)
    StockLevel.objects.filter(sku=shop.mug).update(reorder_point=5)

    figures = selectors.dashboard_figures(today=timezone.localdate())

    assert (figures.orders_today, figures.awaiting_review, figures.on_hold) == (3, 1, 1)
    assert (figures.exceptions_open, figures.exceptions_overdue, figures.at_risk, figures.low_stock) == (
        2,
        1,
        1,
        1,
    )
    # the held order's RARE-01 line is priced too; revenue counts every placed order
    expected_today = sum(o.total for o in Order.objects.exclude(pk=old.pk))
    assert figures.revenue_today == expected_today
    assert confirmed.total == Decimal("71.00")
    assert len(figures.days) == 30
    assert figures.days[-1] == timezone.localdate().isoformat()
    assert figures.orders_per_day[-1] == 3
    assert figures.orders_per_day[-4] == 1
    assert sum(figures.orders_per_day) == 4


def test_text_a_spreadsheet_would_run_is_escaped_and_other_values_kept():
    assert [
        excel.cell_safe(v) for v in ["=1+1", "+86 138", "-5", "@SUM(A1)", "\t=x", "张伟", 5, Decimal("-1.5")]
    ] == [
        "'=1+1",
        "'+86 138",
        "'-5",
        "'@SUM(A1)",
        "'\t=x",
        "张伟",
        5,
        Decimal("-1.5"),
    ]
