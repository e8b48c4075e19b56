"""Inventory invariants for `dingdan verify` (ARCHITECTURE §5); reported, never repaired."""

from django.db.models import Sum

from dingdan.core.verify import Finding, register

from .models import Reservation, StockLevel, StockMovement


def _key(sku: int, warehouse: int) -> str:
    return f"sku {sku} @ warehouse {warehouse}"


@register("stock_on_hand_equals_ledger")
def on_hand_equals_ledger() -> list[Finding]:
    ledger = {
        (row["sku_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.values("sku_id", "warehouse_id").annotate(total=Sum("quantity"))
    }
    findings = []
    for sku, wh, on_hand in StockLevel.objects.values_list("sku_id", "warehouse_id", "on_hand").iterator(
        5000
    ):
        expected = ledger.pop((sku, wh), 0)
        if on_hand != expected:
            findings.append(
                Finding(
                    "stock_on_hand_equals_ledger", _key(sku, wh), f"on_hand {on_hand} ≠ ledger {expected}"
                )
            )
    findings += [
        Finding("stock_on_hand_equals_ledger", _key(sku, wh), f"ledger {total} but no stock row")
        for (sku, wh), total in ledger.items()
        if total
    ]
    return findings


@register("stock_reserved_equals_reservations")
def reserved_equals_reservations() -> list[Finding]:
    open_totals = {
        (row["sku_id"], row["warehouse_id"]): row["total"]
        for row in Reservation.objects.filter(status=Reservation.Status.OPEN)
        .values("sku_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
    }
    findings = []
    rows = StockLevel.objects.values_list("sku_id", "warehouse_id", "on_hand", "reserved").iterator(5000)
    for sku, wh, on_hand, reserved in rows:
        expected = open_totals.pop((sku, wh), 0)
        if reserved != expected:
            findings.append(
                Finding(
                    "stock_reserved_equals_reservations",
                    _key(sku, wh),
                    f"reserved {reserved} ≠ open {expected}",
                )
            )
        if not 0 <= reserved <= on_hand:
            findings.append(
                Finding(
                    "stock_reserved_equals_reservations", _key(sku, wh), f"0 ≤ {reserved} ≤ {on_hand} broken"
                )
            )
    findings += [
        Finding("stock_reserved_equals_reservations", _key(sku, wh), f"{total} reserved but no stock row")
        for (sku, wh), total in open_totals.items()
    ]
    return findings
