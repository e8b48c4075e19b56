import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from dingdan.backoffice import excel, selectors
from dingdan.core.actors import SYSTEM
from dingdan.inventory.models import StockLevel
from dingdan.orders import selectors as order_selectors
from dingdan.orders.models import ExceptionCase, Order
from dingdan.orders.services import exception_open

STATUSES = ["draft", "pending_review", "confirmed", "on_hold", "completed", "rejected", "cancelled"]
PAYMENTS = ["unpaid", "authorized", "partially_paid", "paid", "partially_refunded", "refunded"]
FULFILMENTS = ["unfulfilled", "partially_shipped", "shipped", "delivered", "partially_returned", "returned"]


def test_every_staff_label_filter_selects_exactly_the_orders_that_carry_that_label(shop):
    common = {"channel": shop.channel, "customer": shop.customer, "currency": "CNY", "shipping_address": {}}
    rows = []
    for index, (status, payment, fulfilment, pay_first) in enumerate(
        itertools.product(STATUSES, PAYMENTS, FULFILMENTS, [True, False])
    ):
        rows.append(
            Order(
                **common,
                number=f"X{index:05d}",
                status=status,
                payment_status=payment,
                fulfillment_status=fulfilment,
                pay_first=pay_first,
            )
        )
    Order.objects.bulk_create(rows)
    everything = list(Order.objects.all())
    assert len(everything) == 504

    for label, condition in selectors.STAFF_LABEL_CONDITIONS.items():
        selected = set(Order.objects.filter(condition).values_list("number", flat=True))
        carrying = {order.number for order in everything if order_selectors.staff_label(order) == label}
        assert selected == carrying, label


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
