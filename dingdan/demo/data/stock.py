"""The demo's opening stock: one receipt per warehouse, sized by what the demo orders will ask
for. Most SKUs are covered with room to spare, mostly in the first warehouse; a few run short
part-way through the history and a few have no stock at all, so orders wait on hold for them.
Plain data, deterministic from a seed (arguments for dingdan.inventory.services.stock_receive,
with codes instead of ids)."""

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

OUT_OF_STOCK = 0.04  # share of SKUs with no stock at all
RUNS_SHORT = 0.06  # share of SKUs stocked below their demand
REFERENCE = "OPENING"
NOTE = "期初库存"


def _total(units: int, rng: random.Random) -> int:
    """The stock of one SKU that the plans ask `units` of: zero, short, or enough and more."""
    draw = rng.random()
    if draw < OUT_OF_STOCK:
        return 0
    if draw < OUT_OF_STOCK + RUNS_SHORT:
        return math.ceil(units * rng.uniform(0.3, 0.8))
    return max(rng.randint(6, 30), math.ceil(units * rng.uniform(1.3, 2.2)))


def _split(total: int, warehouses: int, rng: random.Random) -> list[int]:
    """`total` over the warehouses: 55-80 % in the first, the rest over one to three others."""
    shares = [0] * warehouses
    first = math.ceil(total * rng.uniform(0.55, 0.8)) if warehouses > 1 else total
    shares[0] = first
    others = rng.sample(range(1, warehouses), rng.randint(1, warehouses - 1)) if warehouses > 1 else []
    rest = total - first
    for position, index in enumerate(others):
        part = rest if position == len(others) - 1 else rest // len(others)
        shares[index] += part
        rest -= part
    return shares


def opening_receipts(
    seed: int, *, skus: Sequence[str], warehouses: Sequence[str], demand: Mapping[str, int]
) -> list[dict[str, Any]]:
    """One receipt per warehouse code (in the given order, the first being the main one):
    {"warehouse", "reference", "note", "lines": [(SKU code, quantity), …]}; warehouses that
    receive nothing are left out."""
    rng = random.Random(seed + 2)  # noqa: S311 (reproducible demo data, not secrets)
    lines: list[list[tuple[str, int]]] = [[] for _ in warehouses]
    for code in sorted(skus):
        shares = _split(_total(demand.get(code, 0), rng), len(warehouses), rng)
        for index, quantity in enumerate(shares):
            if quantity:
                lines[index].append((code, quantity))
    return [
        {"warehouse": warehouse, "reference": f"{REFERENCE}-{warehouse}", "note": NOTE, "lines": rows}
        for warehouse, rows in zip(warehouses, lines, strict=True)
        if rows
    ]
