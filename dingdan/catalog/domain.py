"""Pure decisions of this context (no ORM, clock or settings).

Pricing: for each SKU, the price comes from the best price list that applies to the sale (its
channel, customer grade, currency and date) and has a price for the SKU at the quantity sold.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_SPECS = 20
MAX_SPEC_TEXT = 100


def specs_are_valid(specs: Any) -> bool:
    """Specs are an object of short texts to short texts, e.g. {"颜色": "黑色", "尺寸": "M"}."""
    if not isinstance(specs, dict) or len(specs) > MAX_SPECS:
        return False
    return all(
        isinstance(name, str)
        and isinstance(value, str)
        and 0 < len(name.strip()) <= MAX_SPEC_TEXT
        and len(value) <= MAX_SPEC_TEXT
        for name, value in specs.items()
    )


@dataclass(frozen=True)
class Sale:
    """What is being priced: who buys, through which channel, in what currency, on which day."""

    channel_id: int | None
    customer_grade: str
    currency: str
    on_date: dt.date


@dataclass(frozen=True)
class PriceListTerms:
    """The terms of a price list that decide whether and how strongly it applies."""

    price_list_id: int
    channel_id: int | None
    customer_grade: str
    currency: str
    prices_include_tax: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    priority: int
    is_active: bool = True


@dataclass(frozen=True)
class PricePoint:
    """One price of a SKU on a price list, from a minimum quantity on."""

    price_list_id: int
    sku_id: int
    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PriceQuote:
    """The chosen unit price of a SKU and where it came from."""

    sku_id: int
    price_list_id: int
    unit_price: Decimal
    prices_include_tax: bool
    tax_rate: Decimal


def price_list_applies(terms: PriceListTerms, sale: Sale) -> bool:
    """An active list applies when its channel and grade are the sale's or blank (every channel,
    every grade), its currency is the sale's, and the sale's date lies within its validity."""
    return (
        terms.is_active
        and terms.currency == sale.currency
        and terms.channel_id in (None, sale.channel_id)
        and terms.customer_grade in ("", sale.customer_grade)
        and (terms.valid_from is None or terms.valid_from <= sale.on_date)
        and (terms.valid_to is None or sale.on_date <= terms.valid_to)
    )


def price_list_rank(terms: PriceListTerms) -> tuple[int, int, int, int, dt.date, int]:
    """Sort key, larger is better: priority; then specificity (channel and grade set beats one of
    them, a channel beats a grade, either beats neither); then the later start; then the older
    list (lower id), so the choice is always deterministic."""
    has_channel = int(terms.channel_id is not None)
    has_grade = int(terms.customer_grade != "")
    return (
        terms.priority,
        has_channel + has_grade,
        has_channel,
        has_grade,
        terms.valid_from or dt.date.min,
        -terms.price_list_id,
    )


def tier_price(points: Iterable[PricePoint], quantity: int) -> PricePoint | None:
    """The price of the highest quantity tier reached by `quantity` (None when none is)."""
    reached = [p for p in points if p.min_quantity <= quantity]
    return max(reached, key=lambda p: p.min_quantity, default=None)


def choose_prices(
    *,
    sale: Sale,
    price_lists: Iterable[PriceListTerms],
    points: Iterable[PricePoint],
    tax_rates: Mapping[int, Decimal],
    quantities: Mapping[int, int] | None = None,
) -> dict[int, PriceQuote]:
    """Per SKU of `tax_rates`, the quote of the best-ranked applicable list that prices the SKU
    at its quantity (default 1). SKUs no applicable list prices are absent from the result."""
    ranked = sorted(
        (t for t in price_lists if price_list_applies(t, sale)), key=price_list_rank, reverse=True
    )
    by_list_and_sku: dict[tuple[int, int], list[PricePoint]] = {}
    for point in points:
        by_list_and_sku.setdefault((point.price_list_id, point.sku_id), []).append(point)
    quotes: dict[int, PriceQuote] = {}
    for sku_id, tax_rate in tax_rates.items():
        quantity = (quantities or {}).get(sku_id, 1)
        for terms in ranked:
            chosen = tier_price(by_list_and_sku.get((terms.price_list_id, sku_id), ()), quantity)
            if chosen is not None:
                quotes[sku_id] = PriceQuote(
                    sku_id=sku_id,
                    price_list_id=terms.price_list_id,
                    unit_price=chosen.unit_price,
                    prices_include_tax=terms.prices_include_tax,
                    tax_rate=tax_rate,
                )
                break
    return quotes
