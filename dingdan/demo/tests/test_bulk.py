"""`dingdan demo --orders N`: bulk history that keeps every invariant `dingdan verify` checks."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, F, Sum

from dingdan.core.audit import audit_verify
from dingdan.core.verify import verify_all

pytestmark = pytest.mark.django_db(transaction=True)


def _count(label: str) -> int:
    return apps.get_model(label)._base_manager.count()


def test_demo_with_orders_adds_bulk_history_that_verifies_clean(record_property):
    out = io.StringIO()

    call_command("demo", "--no-serve", "--orders", "1500", stdout=out)

    order, line = apps.get_model("orders.Order"), apps.get_model("orders.OrderLine")
    statuses = Counter(order.objects.values_list("status", flat=True))
    lines = _count("orders.OrderLine")
    findings = {name: found for name, found in verify_all().items() if found}
    record_property(
        "figures",
        f"bulk demo: 1500 orders, {lines} lines, statuses {dict(statuses)}, verify findings {findings}",
    )
    assert _count("orders.Order") == 1500
    assert 1500 * 3 < lines < 1500 * 7  # 1 to 9 lines, 5 on average
    assert statuses["completed"] > 1000
    assert statuses["cancelled"] > 30
    assert findings == {}
    assert audit_verify(aggregate_type="order") == []
    chains = apps.get_model("core.AuditEntry").objects.filter(aggregate_type="order")
    assert chains.values("aggregate_id").distinct().count() == 1500
    assert order.objects.values("number").distinct().count() == 1500
    # each order's total is the sum of its lines; completed orders shipped every unit
    mismatched = [
        o.pk for o in order.objects.annotate(lines_total=Sum("lines__subtotal")) if o.total != o.lines_total
    ]
    assert mismatched == []
    assert not line.objects.filter(order__status="completed").exclude(quantity_shipped=F("quantity")).exists()
    open_lines = line.objects.filter(order__status__in=["confirmed", "pending_review"]).aggregate(
        units=Sum("quantity"), n=Count("id")
    )
    reservation = apps.get_model("inventory.Reservation")
    assert (
        reservation.objects.filter(status="open").aggregate(units=Sum("quantity"))["units"]
        == open_lines["units"]
    )
    assert "orders: 1,500 of 1,500" in out.getvalue()
