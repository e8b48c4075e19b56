"""The stock.low event: emitted in the transaction that takes available stock below the
reorder point (a crossing, not every change while it stays below)."""

from collections.abc import Mapping

from django.db.models import F

from dingdan.core.outbox import outbox_emit

from ..events import StockLow
from ..models import StockLevel

StockKey = tuple[int, int]  # (sku_id, warehouse_id)


def low_stock_emit(decreases: Mapping[StockKey, int]) -> int:
    """`decreases`: how much available fell per (SKU, warehouse) in this transaction. Emits
    stock.low for each whose available is now below its reorder point but was not before.
    One query; returns the number of events."""
    keys = {key: amount for key, amount in decreases.items() if amount > 0}
    if not keys:
        return 0
    rows = (
        StockLevel.objects.filter(
            sku_id__in={sku for sku, _wh in keys},
            warehouse_id__in={wh for _sku, wh in keys},
            reorder_point__isnull=False,
            on_hand__lt=F("reserved") + F("reorder_point"),
        )
        .order_by("sku_id", "warehouse_id")
        .values_list(
            "sku_id", "warehouse_id", "on_hand", "reserved", "reorder_point", "sku__code", "warehouse__code"
        )
    )
    emitted = 0
    for sku, wh, on_hand, reserved, reorder_point, sku_code, warehouse_code in rows:
        available = on_hand - reserved
        if reorder_point is None or not _crossed(available, keys.get((sku, wh)), reorder_point):
            continue  # not touched here, or already below before
        outbox_emit(
            StockLow(
                aggregate_id=f"{sku}:{wh}",
                warehouse_id=wh,
                warehouse_code=warehouse_code,
                sku_id=sku,
                sku_code=sku_code,
                available=available,
                reorder_point=reorder_point,
            )
        )
        emitted += 1
    return emitted


def _crossed(available: int, decrease: int | None, reorder_point: int | None) -> bool:
    """Available fell by `decrease` to below the reorder point, from at or above it."""
    if decrease is None or decrease <= 0 or reorder_point is None:
        return False
    return available < reorder_point <= available + decrease


def low_stock_crossed(
    decreases: Mapping[StockKey, int], levels: Mapping[StockKey, tuple[int, int, int | None]]
) -> bool:
    """Whether low_stock_emit(decreases) would emit anything, judged from the rows as they
    are now, (on_hand, reserved, reorder_point) per key (e.g. returned by the UPDATEs that
    changed them, which hold their locks): a caller that has them saves its query."""
    return any(
        _crossed(on_hand - reserved, decreases.get(key), reorder_point)
        for key, (on_hand, reserved, reorder_point) in levels.items()
    )
