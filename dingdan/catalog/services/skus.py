from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.outbox import outbox_emit
from dingdan.core.validation import snapshot

from ..events import SkuCreated, SkuUpdated
from ..exceptions import SkuBarcodeTaken, SkuCodeTaken, TaxRateInactive, UnknownTaxRate
from ..models import Product, Sku, TaxRate
from ._common import apply_changes, changed_fields, clean, field_error, insert, raise_if_taken, update

AUDITED = ["product", "code", "barcode", "specs", "unit", "tax_rate", "weight_grams", "is_active"]
CHANGEABLE = ["barcode", "specs", "unit", "tax_rate", "weight_grams", "is_active"]
CREATABLE = {"code", *CHANGEABLE}

TaxRateRef = TaxRate | str


def _required(field: str) -> ValidationFailed:
    return ValidationFailed(
        errors=[{"field": field, "message": _("This field is required."), "code": "required"}]
    )


def resolve_tax_rates(refs: Sequence[TaxRateRef | None], fields: Sequence[str]) -> list[TaxRate]:
    """Tax rates given as objects or codes (codes looked up in one query).
    Raises ValidationFailed when one is missing, UnknownTaxRate for an unknown code."""
    codes = {ref for ref in refs if isinstance(ref, str)}
    found = {t.code: t for t in TaxRate.objects.filter(code__in=codes)} if codes else {}
    resolved = []
    for ref, field in zip(refs, fields, strict=True):
        if ref is None:
            raise _required(field)
        tax_rate = found.get(ref) if isinstance(ref, str) else ref
        if tax_rate is None:
            raise field_error(UnknownTaxRate(), field)
        resolved.append(tax_rate)
    return resolved


def require_active(tax_rate: TaxRate, field: str) -> None:
    if not tax_rate.is_active:
        raise field_error(TaxRateInactive(), field)


def build_skus(product: Product, rows: Sequence[Mapping[str, Any]], prefixes: Sequence[str]) -> list[Sku]:
    """Unsaved, validated SKUs of `product`; the unit defaults to the product's.
    Raises ValidationFailed, UnknownTaxRate or TaxRateInactive naming the input field."""
    tax_rates = resolve_tax_rates([row.get("tax_rate") for row in rows], [p + "tax_rate" for p in prefixes])
    skus = []
    for row, tax_rate, prefix in zip(rows, tax_rates, prefixes, strict=True):
        unknown = sorted(set(row) - CREATABLE)
        if unknown:
            raise TypeError(f"SKU fields {', '.join(unknown)} are not known")
        require_active(tax_rate, prefix + "tax_rate")
        values = {**row, "tax_rate": tax_rate}
        values["unit"] = values.get("unit") or product.unit
        values["barcode"] = values.get("barcode") or ""
        values["specs"] = values.get("specs") if values.get("specs") is not None else {}
        sku = Sku(product=product, **values)
        clean(sku, exclude=["product", "tax_rate"], prefix=prefix)
        skus.append(sku)
    _raise_if_repeated(skus, prefixes)
    return skus


def _raise_if_repeated(skus: Sequence[Sku], prefixes: Sequence[str]) -> None:
    seen: set[tuple[str, str]] = set()
    for sku, prefix in zip(skus, prefixes, strict=True):
        for name, value in (("code", sku.code), ("barcode", sku.barcode)):
            if value and (name, value) in seen:
                message = _("This value appears more than once in the request.")
                raise ValidationFailed(
                    errors=[{"field": prefix + name, "message": message, "code": "duplicate"}]
                )
            seen.add((name, value))


def sku_conflict(skus: Sequence[Sku], prefixes: Sequence[str]) -> ApplicationError | None:
    """SkuCodeTaken or SkuBarcodeTaken when another SKU holds a code or barcode of `skus`."""
    barcodes = [sku.barcode for sku in skus if sku.barcode]
    rows = list(
        Sku.objects.filter(Q(code__in=[sku.code for sku in skus]) | Q(barcode__in=barcodes))
        .exclude(pk__in=[sku.pk for sku in skus if sku.pk])
        .values_list("code", "barcode")
    )
    taken_codes = {code for code, _barcode in rows}
    taken_barcodes = {barcode for _code, barcode in rows if barcode}
    for sku, prefix in zip(skus, prefixes, strict=True):
        if sku.code in taken_codes:
            return field_error(SkuCodeTaken(), prefix + "code")
        if sku.barcode and sku.barcode in taken_barcodes:
            return field_error(SkuBarcodeTaken(), prefix + "barcode")
    return None


def insert_sku(sku: Sku, *, actor: Actor, prefix: str = "") -> None:
    """Insert a built SKU, audit it and announce it."""
    insert(sku, conflict=lambda: sku_conflict([sku], [prefix]))
    audit_record(
        aggregate_type="sku", aggregate_id=sku.pk, action="created", actor=actor, after=snapshot(sku, AUDITED)
    )
    outbox_emit(
        SkuCreated(aggregate_id=str(sku.pk), code=sku.code, product_id=sku.product_id, barcode=sku.barcode)
    )


@transaction.atomic
def sku_create(*, actor: Actor, product: Product, code: str, tax_rate: TaxRateRef, **fields: Any) -> Sku:
    """A new SKU of `product`. Optional fields: barcode, specs, unit (default the product's),
    weight_grams, is_active. The code and a non-empty barcode are unique among all SKUs.
    Raises ValidationFailed, UnknownTaxRate, TaxRateInactive, SkuCodeTaken, SkuBarcodeTaken."""
    sku = build_skus(product, [{"code": code, "tax_rate": tax_rate, **fields}], [""])[0]
    raise_if_taken(sku_conflict([sku], [""]))
    insert_sku(sku, actor=actor)
    return sku


def _resolved_changes(sku: Sku, changes: dict[str, Any]) -> dict[str, Any]:
    if "tax_rate" in changes:
        tax_rate = resolve_tax_rates([changes["tax_rate"]], ["tax_rate"])[0]
        if tax_rate.pk != sku.tax_rate_id:
            require_active(tax_rate, "tax_rate")
        changes = {**changes, "tax_rate": tax_rate}
    if "barcode" in changes:
        changes = {**changes, "barcode": changes["barcode"] or ""}
    if "specs" in changes and changes["specs"] is None:
        changes = {**changes, "specs": {}}
    return changes


@transaction.atomic
def sku_update(*, actor: Actor, sku: Sku, **changes: Any) -> Sku:
    """Change a SKU's barcode, specs, unit, tax rate, weight or active flag; its code and product
    are its identity and cannot change. Raises ValidationFailed, UnknownTaxRate, TaxRateInactive
    (only when switching to an inactive rate) and SkuBarcodeTaken."""
    before = snapshot(sku, AUDITED)
    apply_changes(sku, _resolved_changes(sku, changes), CHANGEABLE)
    clean(sku, exclude=["product", "tax_rate"])
    changed = changed_fields(before, sku, CHANGEABLE)
    if not changed:
        return sku
    if "barcode" in changed:
        raise_if_taken(sku_conflict([sku], [""]))
    update(sku, changed, conflict=lambda: sku_conflict([sku], [""]))
    audit_record(
        aggregate_type="sku",
        aggregate_id=sku.pk,
        action="updated",
        actor=actor,
        before={k: before[k] for k in changed},
        after=snapshot(sku, changed),
    )
    outbox_emit(
        SkuUpdated(aggregate_id=str(sku.pk), code=sku.code, product_id=sku.product_id, changed=changed)
    )
    return sku
