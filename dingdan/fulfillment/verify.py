"""Fulfilment invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired."""

from django.db.models import F, Sum

from dingdan.core.verify import Finding, register
from dingdan.inventory import selectors as inventory

from .models import PackageLine, ShipmentLine

SHIPPED = "shipped_equals_shipments"
LEDGER = "shipments_equal_ledger"
PACKAGES = "shipped_packages_equal_shipments"


@register(SHIPPED)
def shipped_equals_shipments() -> list[Finding]:
    """Per order line with shipments: shipped = Σ its shipment lines ≤ ordered (one statement)."""
    rows = (
        ShipmentLine.objects.values("order_line_id")
        .annotate(
            total=Sum("quantity"),
            shipped=F("order_line__quantity_shipped"),
            ordered=F("order_line__quantity"),
        )
        .order_by("order_line_id")
        .values_list("order_line_id", "total", "shipped", "ordered")
    )
    return [
        Finding(
            SHIPPED, f"order line {line}", f"shipments {total}, line shipped {shipped}, ordered {ordered}"
        )
        for line, total, shipped, ordered in rows
        if total != shipped or total > ordered
    ]


@register(LEDGER)
def shipments_equal_ledger() -> list[Finding]:
    """Per (SKU, warehouse): units on shipments = units the ledger shipped."""
    rows = ShipmentLine.objects.values("sku_id", "shipment__warehouse_id").annotate(total=Sum("quantity"))
    shipped = {(r["sku_id"], r["shipment__warehouse_id"]): int(r["total"]) for r in rows}
    ledger = inventory.shipped_by_ledger()
    return [
        Finding(
            LEDGER,
            f"sku {sku} @ warehouse {wh}",
            f"shipments {shipped.get((sku, wh), 0)} ≠ ledger {ledger.get((sku, wh), 0)}",
        )
        for sku, wh in sorted(set(shipped) | set(ledger))
        if shipped.get((sku, wh), 0) != ledger.get((sku, wh), 0)
    ]


@register(PACKAGES)
def shipped_packages_equal_shipments() -> list[Finding]:
    """Per shipment: the contents of its packages = its lines (nothing shipped twice or lost)."""
    packed = {
        (r["package__shipment_id"], r["order_line_id"]): int(r["total"])
        for r in PackageLine.objects.filter(package__shipment__isnull=False)
        .values("package__shipment_id", "order_line_id")
        .annotate(total=Sum("quantity"))
    }
    shipped = {
        (r["shipment_id"], r["order_line_id"]): int(r["total"])
        for r in ShipmentLine.objects.values("shipment_id", "order_line_id").annotate(total=Sum("quantity"))
    }
    return [
        Finding(
            PACKAGES,
            f"shipment {shipment} line {line}",
            f"packed {packed.get((shipment, line), 0)} ≠ shipped {shipped.get((shipment, line), 0)}",
        )
        for shipment, line in sorted(set(packed) | set(shipped))
        if packed.get((shipment, line), 0) != shipped.get((shipment, line), 0)
    ]
