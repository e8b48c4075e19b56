"""Events of the catalog: products and SKUs created or changed (integrations sync from them)."""

from dataclasses import dataclass, field
from typing import ClassVar

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ProductCreated(Event):
    type: ClassVar[str] = "product.created"
    aggregate_type: ClassVar[str] = "product"
    code: str
    name: str
    sku_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(Event):
    type: ClassVar[str] = "product.updated"
    aggregate_type: ClassVar[str] = "product"
    code: str
    changed: list[str]


@dataclass(frozen=True, kw_only=True)
class SkuCreated(Event):
    type: ClassVar[str] = "sku.created"
    aggregate_type: ClassVar[str] = "sku"
    code: str
    product_id: int
    barcode: str


@dataclass(frozen=True, kw_only=True)
class SkuUpdated(Event):
    type: ClassVar[str] = "sku.updated"
    aggregate_type: ClassVar[str] = "sku"
    code: str
    product_id: int
    changed: list[str]


@dataclass(frozen=True, kw_only=True)
class PromotionChanged(Event):
    """A promotion was created ("created" in `changed`) or its terms changed: shops that show
    promotions refresh them."""

    type: ClassVar[str] = "promotion.changed"
    aggregate_type: ClassVar[str] = "promotion"
    code: str
    changed: list[str]
