"""Warehouse operations: bin locations and stock per bin, transfers between warehouses,
stock counts, reorder points. Stock rows change in ascending (SKU, warehouse) order."""

from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.numbering import number_next
from dingdan.core.validation import full_clean_or_raise

from .. import hooks
from ..exceptions import (
    BinCodeTaken,
    BinNotFound,
    BinStockExceeded,
    InsufficientStock,
    StockCountNotFound,
    StockCountPosted,
    TransferNotFound,
    TransferNotInTransit,
)
from ..models import (
    BinLocation,
    BinStock,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
)
from .low import low_stock_emit
from .outbound import bins_after_outbound
from .stock import MAX_ON_HAND, StockLine, _active_warehouse, _check_lines, _ensure_levels, _record, _too_much


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


# Bins ---------------------------------------------------------------------------------------


@transaction.atomic
def bin_create(*, actor: Actor, warehouse_id: int, code: str) -> BinLocation:
    """A bin location in a warehouse. Raises ValidationFailed for a bad code, BinCodeTaken."""
    warehouse = _active_warehouse(warehouse_id)
    location = BinLocation(warehouse=warehouse, code=code)
    full_clean_or_raise(location, validate_unique=False)
    if BinLocation.objects.filter(warehouse=warehouse, code=code).exists():
        raise BinCodeTaken()
    try:
        with transaction.atomic():
            location.save(force_insert=True)
    except IntegrityError as error:
        raise BinCodeTaken() from error
    audit_record(
        aggregate_type="warehouse",
        aggregate_id=warehouse.pk,
        action="bin_created",
        actor=actor,
        after={"bin": code},
    )
    return location


@transaction.atomic
def bin_stock_put(*, actor: Actor, bin_id: int, sku_id: int, quantity: int) -> BinStock:
    """Put units away into a bin (positive) or take them out to no bin (negative). The bins of
    a SKU never hold more than its on_hand, nor a bin fewer than none: BinStockExceeded."""
    location = BinLocation.objects.filter(pk=bin_id).first()
    if location is None:
        raise BinNotFound()
    if quantity == 0:
        raise ValidationFailed(
            errors=[_error("quantity", _("The quantity must not be 0."), "invalid_quantity")]
        )
    _check_lines([StockLine(sku_id, quantity)], signed=True)
    # Touch the stock row first: its lock serialises every bin change of the pair.
    level = StockLevel.objects.filter(sku_id=sku_id, warehouse_id=location.warehouse_id)
    if not level.update(updated_at=timezone.now()):
        raise BinStockExceeded()
    on_hand = level.values_list("on_hand", flat=True).get()
    binned = (
        BinStock.objects.filter(sku_id=sku_id, bin__warehouse_id=location.warehouse_id).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    row, _created = BinStock.objects.get_or_create(bin=location, sku_id=sku_id)
    if binned + quantity > on_hand or row.quantity + quantity < 0:
        raise BinStockExceeded()
    BinStock.objects.filter(pk=row.pk).update(quantity=F("quantity") + quantity)
    row.refresh_from_db()
    audit_record(
        aggregate_type="warehouse",
        aggregate_id=location.warehouse_id,
        action="bin_stock_put",
        actor=actor,
        after={"bin": location.code, "sku_id": sku_id, "quantity": quantity},
    )
    return row


# Transfers ----------------------------------------------------------------------------------


@transaction.atomic
def transfer_create(
    *, actor: Actor, source_id: int, destination_id: int, lines: Sequence[StockLine], note: str = ""
) -> Transfer:
    """Ship stock to another warehouse: on_hand of the source falls now (ledger
    `transfer_out`), the units are in transit until received. Only unreserved units move:
    InsufficientStock otherwise, and nothing changes."""
    if source_id == destination_id:
        message = _("Source and destination must be different warehouses.")
        raise ValidationFailed(errors=[_error("destination", message, "same_warehouse")])
    source, destination = _active_warehouse(source_id), _active_warehouse(destination_id)
    merged = _check_lines(lines)
    for line in merged:  # ascending SKU
        changed = StockLevel.objects.filter(
            sku_id=line.sku_id, warehouse_id=source.pk, on_hand__gte=F("reserved") + line.quantity
        ).update(on_hand=F("on_hand") - line.quantity, updated_at=timezone.now())
        if not changed:
            raise InsufficientStock()
        bins_after_outbound(line.sku_id, source.pk, line.quantity, None)
    transfer = Transfer.objects.create(
        number=number_next(series="document", prefix="TR"),
        source=source,
        destination=destination,
        note=note,
        shipped_at=timezone.now(),
    )
    TransferLine.objects.bulk_create(
        TransferLine(transfer=transfer, sku_id=line.sku_id, quantity=line.quantity) for line in merged
    )
    _record(
        [StockLine(line.sku_id, -line.quantity) for line in merged],
        warehouse_id=source.pk,
        kind=StockMovement.Kind.TRANSFER_OUT,
        actor=actor,
        reference=transfer.number,
        note=note,
    )
    low_stock_emit({(line.sku_id, source.pk): line.quantity for line in merged})
    audit_record(
        aggregate_type="transfer",
        aggregate_id=transfer.pk,
        action="shipped",
        actor=actor,
        after={"status": transfer.status},
    )
    return transfer


@transaction.atomic
def transfer_receive(*, actor: Actor, transfer_id: int) -> Transfer:
    """The destination receives a transfer in transit: its on_hand rises (ledger
    `transfer_in`) and the stock-arrival hook runs. Raises TransferNotInTransit."""
    transfer = Transfer.objects.filter(pk=transfer_id).first()
    if transfer is None:
        raise TransferNotFound()
    if not Transfer.objects.filter(pk=transfer_id, status=Transfer.Status.IN_TRANSIT).update(
        status=Transfer.Status.RECEIVED, received_at=timezone.now()
    ):
        raise TransferNotInTransit()
    lines = [
        StockLine(sku, quantity)
        for sku, quantity in transfer.lines.order_by("sku_id").values_list("sku_id", "quantity")
    ]
    _ensure_levels((line.sku_id, transfer.destination_id) for line in lines)
    for line in lines:
        rows = StockLevel.objects.filter(
            sku_id=line.sku_id, warehouse_id=transfer.destination_id, on_hand__lte=MAX_ON_HAND - line.quantity
        )
        if not rows.update(on_hand=F("on_hand") + line.quantity, updated_at=timezone.now()):
            raise _too_much()
    _record(
        lines,
        warehouse_id=transfer.destination_id,
        kind=StockMovement.Kind.TRANSFER_IN,
        actor=actor,
        reference=transfer.number,
    )
    transfer.refresh_from_db()
    audit_record(
        aggregate_type="transfer",
        aggregate_id=transfer.pk,
        action="received",
        actor=actor,
        before={"status": Transfer.Status.IN_TRANSIT},
        after={"status": transfer.status},
    )
    hooks.stock_arrived([(line.sku_id, transfer.destination_id) for line in lines])
    return transfer


# Stock counts -------------------------------------------------------------------------------


@transaction.atomic
def stock_count_open(
    *, actor: Actor, warehouse_id: int, kind: str, reason: str, sku_ids: Sequence[int] = ()
) -> StockCount:
    """Open a count: `full` lists every SKU the warehouse has a stock row for, `cycle` the
    given SKUs; each line expects the on_hand of the moment."""
    errors = []
    if not reason.strip():
        errors.append(_error("reason", _("Give a reason."), "required"))
    if kind not in StockCount.Kind.values:
        errors.append(_error("kind", _("Not a kind of stock count."), "invalid"))
    if kind == StockCount.Kind.CYCLE and not sku_ids:
        errors.append(_error("skus", _("A cycle count names at least one SKU."), "required"))
    if errors:
        raise ValidationFailed(errors=errors)
    warehouse = _active_warehouse(warehouse_id)
    if kind == StockCount.Kind.CYCLE:
        _check_lines([StockLine(sku, 1) for sku in sku_ids])
        _ensure_levels((sku, warehouse.pk) for sku in sku_ids)
    levels = StockLevel.objects.filter(warehouse=warehouse)
    if kind == StockCount.Kind.CYCLE:
        levels = levels.filter(sku_id__in=list(sku_ids))
    count = StockCount.objects.create(
        number=number_next(series="document", prefix="SC"),
        warehouse=warehouse,
        kind=kind,
        reason=reason.strip(),
    )
    StockCountLine.objects.bulk_create(
        StockCountLine(count=count, sku_id=sku, expected=on_hand)
        for sku, on_hand in levels.order_by("sku_id").values_list("sku_id", "on_hand")
    )
    audit_record(
        aggregate_type="stock_count",
        aggregate_id=count.pk,
        action="opened",
        actor=actor,
        after={"status": count.status},
    )
    return count


def _open_count(count_id: int) -> StockCount:
    count = StockCount.objects.filter(pk=count_id).first()
    if count is None:
        raise StockCountNotFound()
    if count.status != StockCount.Status.OPEN:
        raise StockCountPosted()
    return count


@transaction.atomic
def stock_count_record(*, actor: Actor, count_id: int, counted: Mapping[int, int]) -> StockCount:
    """Record counted units per SKU of the count's lines (ValidationFailed for a SKU not on
    the count or a negative number)."""
    count = _open_count(count_id)
    known = set(count.lines.values_list("sku_id", flat=True))
    errors = [
        _error(f"lines.{sku}", _("This SKU is not on the count, or the number is negative."), "invalid")
        for sku, units in counted.items()
        if sku not in known or units < 0 or units > MAX_ON_HAND
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    for sku, units in sorted(counted.items()):
        StockCountLine.objects.filter(count=count, sku_id=sku).update(counted=units)
    audit_record(
        aggregate_type="stock_count",
        aggregate_id=count.pk,
        action="recorded",
        actor=actor,
        after={str(k): v for k, v in counted.items()},
    )
    return count


@transaction.atomic
def stock_count_post(*, actor: Actor, count_id: int) -> list[StockMovement]:
    """Post the differences (counted − expected) of the counted lines as ledger rows of kind
    `count` with the count's reason. A loss may not take on_hand below what is reserved:
    InsufficientStock, and nothing is posted."""
    count = _open_count(count_id)
    diffs = [
        StockLine(sku, (counted or 0) - expected)
        for sku, expected, counted in count.lines.filter(counted__isnull=False)
        .order_by("sku_id")
        .values_list("sku_id", "expected", "counted")
        if counted != expected
    ]
    for line in diffs:  # ascending SKU
        rows = StockLevel.objects.filter(sku_id=line.sku_id, warehouse_id=count.warehouse_id)
        rows = (
            rows.filter(on_hand__gte=F("reserved") - line.quantity)
            if line.quantity < 0
            else rows.filter(on_hand__lte=MAX_ON_HAND - line.quantity)
        )
        if not rows.update(on_hand=F("on_hand") + line.quantity, updated_at=timezone.now()):
            raise InsufficientStock() if line.quantity < 0 else _too_much()
        if line.quantity < 0:
            bins_after_outbound(line.sku_id, count.warehouse_id, 0, None)
    StockCount.objects.filter(pk=count.pk).update(status=StockCount.Status.POSTED, posted_at=timezone.now())
    movements = _record(
        diffs,
        warehouse_id=count.warehouse_id,
        kind=StockMovement.Kind.COUNT,
        actor=actor,
        reason=count.reason,
        reference=count.number,
    )
    low_stock_emit({(line.sku_id, count.warehouse_id): -line.quantity for line in diffs if line.quantity < 0})
    gains = [(line.sku_id, count.warehouse_id) for line in diffs if line.quantity > 0]
    if gains:
        hooks.stock_arrived(gains)
    audit_record(
        aggregate_type="stock_count",
        aggregate_id=count.pk,
        action="posted",
        actor=actor,
        before={"status": StockCount.Status.OPEN},
        after={"status": StockCount.Status.POSTED, "differences": len(diffs)},
    )
    count.refresh_from_db()
    return movements


# Reorder points -----------------------------------------------------------------------------


@transaction.atomic
def stock_reorder_point_set(
    *, actor: Actor, warehouse_id: int, sku_id: int, reorder_point: int | None
) -> StockLevel:
    """Set (or clear, with None) the reorder point of a SKU in a warehouse; when available
    stock later falls below it, stock.low is emitted."""
    if reorder_point is not None and not 0 <= reorder_point <= MAX_ON_HAND:
        message = _("The reorder point must be between 0 and %(max)d.") % {"max": MAX_ON_HAND}
        raise ValidationFailed(errors=[_error("reorder_point", message, "invalid")])
    warehouse = _active_warehouse(warehouse_id)
    _check_lines([StockLine(sku_id, 1)])
    _ensure_levels([(sku_id, warehouse.pk)])
    level = StockLevel.objects.get(sku_id=sku_id, warehouse_id=warehouse.pk)
    before = level.reorder_point
    StockLevel.objects.filter(pk=level.pk).update(reorder_point=reorder_point, updated_at=timezone.now())
    level.refresh_from_db()
    audit_record(
        aggregate_type="warehouse",
        aggregate_id=warehouse.pk,
        action="reorder_point_set",
        actor=actor,
        before={"sku_id": sku_id, "reorder_point": before},
        after={"sku_id": sku_id, "reorder_point": reorder_point},
    )
    return level


@transaction.atomic
def warehouse_owners_set(*, actor: Actor, warehouse_id: int, user_ids: Sequence[int]) -> list[int]:
    """The staff users who own a warehouse (they hear of its low stock). Unknown or inactive
    users raise ValidationFailed."""
    from django.contrib.auth import get_user_model

    warehouse = _active_warehouse(warehouse_id)
    wanted = sorted(set(user_ids))
    found = set(get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationFailed(
            errors=[
                _error("owners", _("No such active user: %(id)s") % {"id": pk}, "unknown_user")
                for pk in missing
            ]
        )
    before = sorted(warehouse.owners.values_list("pk", flat=True))
    warehouse.owners.set(wanted)
    audit_record(
        aggregate_type="warehouse",
        aggregate_id=warehouse.pk,
        action="owners_set",
        actor=actor,
        before={"owners": before},
        after={"owners": wanted},
    )
    return wanted
