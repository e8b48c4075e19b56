import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.money import is_currency
from dingdan.core.validation import snapshot

from ..exceptions import (
    DuplicatePriceListItem,
    PriceListCodeTaken,
    PriceListItemsChanged,
    UnknownSku,
)
from ..models import PriceList, PriceListItem, Sku
from ..selectors import price_list_get
from ._common import (
    apply_changes,
    changed_fields,
    channel_id_for,
    clean,
    field_error,
    insert,
    raise_if_taken,
    update,
)

AUDITED = [
    "code",
    "name",
    "channel",
    "customer_grade",
    "currency",
    "prices_include_tax",
    "valid_from",
    "valid_to",
    "priority",
    "is_active",
]
CHANGEABLE = AUDITED[1:]


def _code_taken(code: str) -> ApplicationError | None:
    return PriceListCodeTaken() if PriceList.objects.filter(code=code).exists() else None


def _channel_id(channel: str | None) -> int | None:
    return channel_id_for(channel)


def _validate(price_list: PriceList) -> None:
    if not is_currency(price_list.currency):
        raise ValidationFailed(
            errors=[{"field": "currency", "message": _("Unknown currency code."), "code": "invalid_currency"}]
        )
    clean(price_list, exclude=["channel"])


@transaction.atomic
def price_list_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    currency: str = "CNY",
    channel: str | None = None,
    customer_grade: str = "",
    prices_include_tax: bool = True,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    priority: int = 0,
    is_active: bool = True,
    items: Sequence[Mapping[str, Any]] = (),
) -> PriceList:
    """A new price list for the channel with code `channel` (None: every channel) and a customer
    grade code ("" = every grade), with its items (see price_list_items_set). Raises
    ValidationFailed (bad fields, unknown currency, valid_to before valid_from), UnknownChannel,
    UnknownSku, DuplicatePriceListItem and PriceListCodeTaken."""
    price_list = PriceList(
        code=code,
        name=name,
        currency=currency,
        channel_id=_channel_id(channel),
        customer_grade=customer_grade,
        prices_include_tax=prices_include_tax,
        valid_from=valid_from,
        valid_to=valid_to,
        priority=priority,
        is_active=is_active,
    )
    _validate(price_list)
    tiers = _tiers(items)
    raise_if_taken(_code_taken(code))
    insert(price_list, conflict=lambda: _code_taken(code))
    _write(price_list, _ItemsChange(new=tiers, repriced=[], removed=[]))
    after: dict[str, Any] = {**snapshot(price_list, AUDITED), "items": {t.key: t.price for t in tiers}}
    audit_record(
        aggregate_type="price_list", aggregate_id=price_list.pk, action="created", actor=actor, after=after
    )
    return price_list_get(price_list_id=price_list.pk)


@transaction.atomic
def price_list_update(*, actor: Actor, price_list: PriceList, **changes: Any) -> PriceList:
    """Change a price list's terms (all fields but the code and the items; `channel` is a channel
    code or None). Raises ValidationFailed and UnknownChannel."""
    before = snapshot(price_list, AUDITED)
    if "channel" in changes:
        channel_id = _channel_id(changes["channel"])
        changes = {name: value for name, value in changes.items() if name != "channel"}
        changes["channel_id"] = channel_id
    apply_changes(price_list, changes, [*CHANGEABLE, "channel_id"])
    _validate(price_list)
    changed = changed_fields(before, price_list, CHANGEABLE)
    if changed:
        update(price_list, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="price_list",
            aggregate_id=price_list.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(price_list, changed),
        )
    return price_list


@dataclass(frozen=True)
class _Tier:
    sku: Sku
    min_quantity: int
    price: Decimal

    @property
    def key(self) -> str:
        return f"{self.sku.code}/{self.min_quantity}"


def _skus(items: Sequence[Mapping[str, Any]]) -> list[Sku]:
    """Each item's SKU (given as `sku` or `sku_code`), codes looked up in one query."""
    codes = {item["sku_code"] for item in items if "sku" not in item}
    found = {sku.code: sku for sku in Sku.objects.filter(code__in=codes)} if codes else {}
    skus = []
    for index, item in enumerate(items):
        sku = item["sku"] if "sku" in item else found.get(item["sku_code"])
        if sku is None:
            raise field_error(UnknownSku(), f"items.{index}.sku_code")
        skus.append(sku)
    return skus


def _tiers(items: Sequence[Mapping[str, Any]]) -> list[_Tier]:
    """Validated tiers of `items`. Raises UnknownSku, ValidationFailed, DuplicatePriceListItem."""
    tiers: dict[str, _Tier] = {}
    for index, (item, sku) in enumerate(zip(items, _skus(items), strict=True)):
        row = PriceListItem(sku=sku, price=item["price"], min_quantity=item.get("min_quantity", 1))
        clean(row, exclude=["price_list", "sku"], prefix=f"items.{index}.")
        tier = _Tier(sku=sku, min_quantity=row.min_quantity, price=row.price)
        if tier.key in tiers:
            raise field_error(DuplicatePriceListItem(), f"items.{index}")
        tiers[tier.key] = tier
    return list(tiers.values())


@dataclass(frozen=True)
class _ItemsChange:
    new: list[_Tier]
    repriced: list[tuple[PriceListItem, _Tier]]
    removed: list[PriceListItem]

    @classmethod
    def of(cls, existing: list[PriceListItem], tiers: list[_Tier], *, replace: bool) -> "_ItemsChange":
        rows = {_key(row): row for row in existing}
        given = {tier.key: tier for tier in tiers}
        return cls(
            new=[tier for key, tier in given.items() if key not in rows],
            repriced=[
                (rows[key], tier)
                for key, tier in given.items()
                if key in rows and rows[key].price != tier.price
            ],
            removed=[row for key, row in rows.items() if replace and key not in given],
        )

    def audited(self) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        before = {_key(row): row.price for row in [*(row for row, _tier in self.repriced), *self.removed]}
        after = {tier.key: tier.price for tier in [*self.new, *(tier for _row, tier in self.repriced)]}
        return before, after


def _key(row: PriceListItem) -> str:
    return f"{row.sku.code}/{row.min_quantity}"


@transaction.atomic
def price_list_items_set(
    *, actor: Actor, price_list: PriceList, items: Sequence[Mapping[str, Any]], replace: bool = False
) -> PriceList:
    """Set the prices of `items` (each {sku or sku_code, price, min_quantity=1}) on the list:
    new tiers are added, existing ones repriced; with `replace`, tiers not given are removed.
    Returns the list with its items. Raises UnknownSku, ValidationFailed, DuplicatePriceListItem,
    and PriceListItemsChanged when a concurrent change added the same tier first."""
    tiers = _tiers(items)
    # Touching the list first holds its row, so concurrent edits of its items run one at a time.
    PriceList.objects.filter(pk=price_list.pk).update(updated_at=timezone.now())
    existing = list(PriceListItem.objects.filter(price_list=price_list).select_related("sku"))
    change = _ItemsChange.of(existing, tiers, replace=replace)
    before, after = change.audited()
    _write(price_list, change)
    if before or after:
        audit_record(
            aggregate_type="price_list",
            aggregate_id=price_list.pk,
            action="items_set",
            actor=actor,
            before={"items": before},
            after={"items": after},
        )
    return price_list_get(price_list_id=price_list.pk)


def _write(price_list: PriceList, change: _ItemsChange) -> None:
    now = timezone.now()
    if change.removed:
        PriceListItem.objects.filter(pk__in=[row.pk for row in change.removed]).delete()
    for row, tier in change.repriced:
        row.price, row.updated_at = tier.price, now
    PriceListItem.objects.bulk_update([row for row, _tier in change.repriced], ["price", "updated_at"])
    try:
        with transaction.atomic():
            PriceListItem.objects.bulk_create(
                PriceListItem(price_list=price_list, sku=t.sku, min_quantity=t.min_quantity, price=t.price)
                for t in change.new
            )
    except IntegrityError:
        raise PriceListItemsChanged() from None
