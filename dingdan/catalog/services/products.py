from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError
from dingdan.core.outbox import outbox_emit
from dingdan.core.validation import snapshot

from ..events import ProductCreated, ProductUpdated
from ..exceptions import ProductCodeTaken
from ..models import Product, Unit
from ..selectors import product_get
from ._common import apply_changes, changed_fields, clean, insert, raise_if_taken, update
from .skus import build_skus, insert_sku, sku_conflict

AUDITED = ["code", "name", "name_en", "description", "category", "brand", "unit", "is_active"]
CHANGEABLE = AUDITED[1:]


def _code_taken(code: str) -> ApplicationError | None:
    return ProductCodeTaken() if Product.objects.filter(code=code).exists() else None


@transaction.atomic
def product_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    name_en: str = "",
    description: str = "",
    category: str = "",
    brand: str = "",
    unit: str = Unit.PIECE,
    is_active: bool = True,
    skus: Sequence[Mapping[str, Any]] = (),
) -> Product:
    """A new product with its SKUs (each a mapping of sku_create's fields), all or nothing.
    Codes and non-empty barcodes are unique. Raises ValidationFailed (bad or repeated fields),
    UnknownTaxRate, TaxRateInactive, ProductCodeTaken, SkuCodeTaken and SkuBarcodeTaken."""
    product = Product(
        code=code,
        name=name,
        name_en=name_en,
        description=description,
        category=category,
        brand=brand,
        unit=unit,
        is_active=is_active,
    )
    clean(product)
    prefixes = [f"skus.{index}." for index in range(len(skus))]
    new_skus = build_skus(product, skus, prefixes)
    raise_if_taken(_code_taken(code))
    if new_skus:
        raise_if_taken(sku_conflict(new_skus, prefixes))
    insert(product, conflict=lambda: _code_taken(code))
    _record_created(product, actor=actor, sku_codes=[sku.code for sku in new_skus])
    for sku, prefix in zip(new_skus, prefixes, strict=True):
        sku.product = product
        insert_sku(sku, actor=actor, prefix=prefix)
    return product_get(product_id=product.pk)


def _record_created(product: Product, *, actor: Actor, sku_codes: list[str]) -> None:
    audit_record(
        aggregate_type="product",
        aggregate_id=product.pk,
        action="created",
        actor=actor,
        after=snapshot(product, AUDITED),
    )
    outbox_emit(
        ProductCreated(
            aggregate_id=str(product.pk), code=product.code, name=product.name, sku_codes=sku_codes
        )
    )


@transaction.atomic
def product_update(*, actor: Actor, product: Product, **changes: Any) -> Product:
    """Change a product's names, description, category, brand, unit or active flag; the code is
    its identity and cannot change. A deactivated product's SKUs are no longer sellable.
    Raises ValidationFailed for bad fields."""
    before = snapshot(product, AUDITED)
    apply_changes(product, changes, CHANGEABLE)
    clean(product)
    changed = changed_fields(before, product, CHANGEABLE)
    if changed:
        update(product, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="product",
            aggregate_id=product.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(product, changed),
        )
        outbox_emit(ProductUpdated(aggregate_id=str(product.pk), code=product.code, changed=changed))
    return product
