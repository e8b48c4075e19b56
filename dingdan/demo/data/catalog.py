"""The demo catalog: tax rates, a few hundred products with SKUs, and price lists.

Plain dicts in the shape of dingdan.catalog.services (tax_rate_create, product_create,
price_list_create); generated deterministically from a seed.
"""

import itertools
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .codes import ean13
from .templates import CATEGORIES, Axis, Category, Option, Template

TAX: dict[str, Decimal] = {"vat13": Decimal("0.1300"), "vat9": Decimal("0.0900")}
TAX_RATES = [
    {"code": "vat13", "name": "增值税 13%", "rate": TAX["vat13"]},
    {"code": "vat9", "name": "增值税 9%（农产品）", "rate": TAX["vat9"]},
]
CENT = Decimal("0.01")

# How each channel's retail list relates to the base price: marketplaces run a standing
# shop discount; the other channels sell at the list price.
CHANNEL_FACTORS = {"tmall": Decimal("0.95"), "jd": Decimal("0.95")}
VIP_FACTOR = Decimal("0.88")
WHOLESALE_FACTOR = Decimal("0.62")  # of the tax-inclusive retail price, before taking tax out
BULK_QUANTITY, BULK_FACTOR = 50, Decimal("0.95")  # wholesale: a further 5 % from 50 units


@dataclass
class CatalogData:
    tax_rates: list[dict[str, Any]]
    products: list[dict[str, Any]]
    base_prices: dict[str, Decimal] = field(default_factory=dict)  # SKU code -> retail, tax incl.
    sku_tax: dict[str, str] = field(default_factory=dict)  # SKU code -> tax rate code


def charm_price(amount: float | Decimal) -> Decimal:
    """Shop prices: 129.00 or 199.00 above 20 yuan, 9.90 or 15.90 below."""
    value = Decimal(str(amount))
    if value >= 20:
        return Decimal(int((value / 10).to_integral_value(ROUND_HALF_UP)) * 10 - 1).quantize(CENT)
    return (Decimal(int(value)) + Decimal("0.90")).quantize(CENT)


def _picked(axis: Axis, rng: random.Random) -> tuple[Option, ...]:
    count = rng.randint(*axis.pick)
    if axis.contiguous:
        start = rng.randrange(len(axis.options) - count + 1)
        return axis.options[start : start + count]
    return tuple(sorted(rng.sample(axis.options, count), key=axis.options.index))


class _Barcodes:
    """EAN-13 per brand: GS1 China company prefix 69xxxxx, then a running item number."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._prefixes: dict[str, str] = {}

    def next(self, brand: str) -> str:
        prefix = self._prefixes.setdefault(brand, f"69{21000 + 137 * len(self._prefixes):05d}")
        self._next[brand] = self._next.get(brand, 0) + 1
        return ean13(prefix, self._next[brand])


def _skus(
    code: str, template: Template, base: Decimal, rng: random.Random, barcodes: _Barcodes, brand: str
) -> list[tuple[dict[str, Any], Decimal]]:
    axes = [(axis, _picked(axis, rng)) for axis in template.axes]
    rows = []
    for combination in itertools.product(*(options for _axis, options in axes)) if axes else [()]:
        factor, weight = Decimal(1), float(template.weight_grams)
        for (axis, _options), option in zip(axes, combination, strict=True):
            factor *= Decimal(str(option.factor))
            weight *= option.factor if axis.scales_weight else 1
        sku = {
            "code": "-".join([code, *(option.code for option in combination)]),
            "barcode": barcodes.next(brand),
            "specs": {axis.name: option.label for (axis, _o), option in zip(axes, combination, strict=True)},
            "tax_rate": template.tax_rate,
            "weight_grams": round(weight),
        }
        rows.append((sku, charm_price(base * factor)))
    return rows


def _product(
    code: str, template: Template, brand: tuple[str, str], edition: tuple[str, str]
) -> dict[str, Any]:
    name = " ".join(part for part in (brand[0], template.name, edition[0]) if part)
    name_en = " ".join(part for part in (brand[1], template.name_en) if part)
    return {
        "code": code,
        "name": name,
        "name_en": f"{name_en}, {edition[1]}" if edition[1] else name_en,
        "category": template.category,
        "brand": brand[0],
        "unit": template.unit,
        "description": f"{name}：{template.feature}。" if template.feature else name,
    }


def _category_products(
    category: Category, rng: random.Random, data: CatalogData, barcodes: _Barcodes
) -> None:
    combos = list(itertools.product(category.templates, category.brands, category.editions))
    chosen = sorted(rng.sample(range(len(combos)), category.count))
    for number, index in enumerate(chosen, start=1):
        template, brand, edition = combos[index]
        code = f"{category.prefix}{number:04d}"
        product = _product(code, template, brand, edition)
        base = Decimal(str(round(rng.uniform(*template.price), 2)))
        skus = _skus(code, template, base, rng, barcodes, brand[0])
        product["skus"] = [sku for sku, _price in skus]
        data.products.append(product)
        for sku, price in skus:
            data.base_prices[sku["code"]] = price
            data.sku_tax[sku["code"]] = sku["tax_rate"]


def catalog(seed: int) -> CatalogData:
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    data = CatalogData(tax_rates=[dict(row) for row in TAX_RATES], products=[])
    barcodes = _Barcodes()
    for category in CATEGORIES:
        _category_products(category, rng, data, barcodes)
    return data


def _items(prices: dict[str, Decimal], *, bulk: bool = False) -> list[dict[str, Any]]:
    items = [{"sku_code": code, "price": price} for code, price in prices.items()]
    if bulk:
        items += [
            {"sku_code": code, "price": (price * BULK_FACTOR).quantize(CENT), "min_quantity": BULK_QUANTITY}
            for code, price in prices.items()
        ]
    return items


def _retail(data: CatalogData, channel: dict[str, Any]) -> dict[str, Any]:
    factor = CHANNEL_FACTORS.get(channel["code"], Decimal(1))
    prices = {code: charm_price(price * factor) for code, price in data.base_prices.items()}
    name = f"{channel['name']} 零售价"
    return _price_list(f"retail-{channel['code']}", name, channel["code"], "", _items(prices))


def _vip(data: CatalogData) -> dict[str, Any]:
    prices = {
        code: (price * VIP_FACTOR).quantize(Decimal("0.1")).quantize(CENT)
        for code, price in data.base_prices.items()
    }
    return _price_list("vip", "VIP 会员价", None, "vip", _items(prices), priority=20)


def _wholesale(data: CatalogData) -> dict[str, Any]:
    prices = {
        code: (price * WHOLESALE_FACTOR / (1 + TAX[data.sku_tax[code]])).quantize(CENT, ROUND_HALF_UP)
        for code, price in data.base_prices.items()
    }
    items = _items(prices, bulk=True)
    return _price_list(
        "wholesale", "批发价（不含税）", "wholesale", "wholesale", items, priority=30, tax=False
    )


def price_lists(data: CatalogData, channels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A tax-inclusive retail list per channel (priority 10), a VIP list for every channel
    (20), and a tax-exclusive wholesale list with a 50-unit tier (30); the highest wins."""
    return [*(_retail(data, channel) for channel in channels), _vip(data), _wholesale(data)]


def _price_list(
    code: str,
    name: str,
    channel: str | None,
    grade: str,
    items: list[dict[str, Any]],
    *,
    priority: int = 10,
    tax: bool = True,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "channel": channel,  # a channel code; None: every channel
        "customer_grade": grade,
        "currency": "CNY",
        "prices_include_tax": tax,
        "priority": priority,
        "items": items,
    }
