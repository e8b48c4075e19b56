"""Inventory invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired.

Each counter is compared with its source in ONE statement. A statement reads one snapshot, so
a receipt or an order committing while `verify` runs on a live system cannot look like drift
(two queries would read the ledger before the commit and the counter after it).
"""

from typing import Any

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from dingdan.core.verify import Finding, register

from .models import Reservation, StockLevel, StockMovement

LEDGER = "stock_on_hand_equals_ledger"
RESERVED = "stock_reserved_equals_reservations"


def _key(sku: int, warehouse: int) -> str:
    return f"sku {sku} @ warehouse {warehouse}"


def _total_of_the_stock_row(rows: QuerySet[Any]) -> Coalesce:
    """Sum of `quantity` over `rows` of the outer stock row's SKU and warehouse (0 if none)."""
    per_row = (
        rows.filter(sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id"))
        .order_by()
        .values("sku_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(per_row), Value(0), output_field=IntegerField())


def _without_stock_row(rows: QuerySet[Any]) -> list[tuple[int, int, int]]:
    """(sku, warehouse, total quantity) of `rows` whose SKU and warehouse have no stock row."""
    has_row = Exists(
        StockLevel.objects.filter(sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id"))
    )
    totals = rows.filter(~has_row).order_by().values("sku_id", "warehouse_id").annotate(total=Sum("quantity"))
    return list(totals.exclude(total=0).values_list("sku_id", "warehouse_id", "total"))


@register(LEDGER)
def on_hand_equals_ledger() -> list[Finding]:
    drifted = (
        StockLevel.objects.annotate(ledger=_total_of_the_stock_row(StockMovement.objects.all()))
        .exclude(on_hand=F("ledger"))
        .order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", "on_hand", "ledger")
    )
    findings = [
        Finding(LEDGER, _key(sku, wh), f"on_hand {on_hand} ≠ ledger {ledger}")
        for sku, wh, on_hand, ledger in drifted
    ]
    orphans = _without_stock_row(StockMovement.objects.all())
    return findings + [
        Finding(LEDGER, _key(sku, wh), f"ledger {total} but no stock row") for sku, wh, total in orphans
    ]


@register(RESERVED)
def reserved_equals_reservations() -> list[Finding]:
    open_rows = Reservation.objects.filter(status=Reservation.Status.OPEN)
    drifted = (
        StockLevel.objects.annotate(open=_total_of_the_stock_row(open_rows))
        .filter(~Q(reserved=F("open")) | Q(reserved__lt=0) | Q(reserved__gt=F("on_hand")))
        .order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", "on_hand", "reserved", "open")
    )
    findings = []
    for sku, wh, on_hand, reserved, open_total in drifted:
        if reserved != open_total:
            findings.append(Finding(RESERVED, _key(sku, wh), f"reserved {reserved} ≠ open {open_total}"))
        if not 0 <= reserved <= on_hand:
            findings.append(Finding(RESERVED, _key(sku, wh), f"0 ≤ {reserved} ≤ {on_hand} broken"))
    return findings + [
        Finding(RESERVED, _key(sku, wh), f"{total} reserved but no stock row")
        for sku, wh, total in _without_stock_row(open_rows)
    ]


BINS = "bin_stock_within_on_hand"


@register(BINS)
def bins_within_on_hand() -> list[Finding]:
    """The bins of a (SKU, warehouse) hold no more than its on_hand (one statement)."""
    from .models import BinStock

    binned = (
        BinStock.objects.filter(sku_id=OuterRef("sku_id"), bin__warehouse_id=OuterRef("warehouse_id"))
        .order_by()
        .values("sku_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    drifted = (
        StockLevel.objects.annotate(binned=Coalesce(Subquery(binned), Value(0), output_field=IntegerField()))
        .filter(binned__gt=F("on_hand"))
        .order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", "on_hand", "binned")
    )
    return [
        Finding(BINS, _key(sku, wh), f"bins hold {binned} > on_hand {on_hand}")
        for sku, wh, on_hand, binned in drifted
    ]
