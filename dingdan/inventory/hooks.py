"""The stock-arrival hook (ARCHITECTURE §3): when on_hand rises, registered providers run in
the same transaction (fulfilment allocates backordered lines). Inventory imports none of them."""

from collections.abc import Callable, Sequence

StockKey = tuple[int, int]  # (sku_id, warehouse_id)
StockArrival = Callable[[Sequence[StockKey]], None]

_providers: list[StockArrival] = []


def register_stock_arrival(provider: StockArrival) -> None:
    if provider not in _providers:
        _providers.append(provider)


def stock_arrived(keys: Sequence[StockKey]) -> None:
    for provider in _providers:
        provider(keys)
