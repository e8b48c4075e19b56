"""Pick lists: one order or a wave, per warehouse, walked in bin order; confirming the picks
records what was found, and a short pick opens an exception case on the order line."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.numbering import number_next
from dingdan.inventory import selectors as inventory_selectors
from dingdan.orders import services as orders

from ..exceptions import NothingToPick, PickListNotFound, PickListNotOpen
from ..models import PickList, PickListLine
from .common import DEMAND, audit, field_error

MAX_WAVE = 1000


def _outstanding(line_ids: Sequence[int], warehouse_id: int) -> dict[int, int]:
    """Per order line, units on this warehouse's live pick lists not yet shipped."""
    rows = (
        PickListLine.objects.filter(order_line_id__in=list(line_ids), pick_list__warehouse_id=warehouse_id)
        .exclude(pick_list__status=PickList.Status.CANCELLED)
        .values("order_line_id")
        .annotate(units=Sum(Coalesce(F("picked"), F("quantity")) - F("shipped")))
        .values_list("order_line_id", "units")
    )
    return {line: int(units or 0) for line, units in rows}


def _pick_rows(order_list: Sequence[Any], warehouse_id: int) -> list[dict[str, Any]]:
    lines = [line for order in order_list for line in order.fulfilment_lines]
    by_id = {line.pk: line for line in lines}
    reserved: dict[int, int] = {}
    for demand_id, _sku, wh, units in inventory_selectors.open_reservations(
        demand_type=DEMAND, demand_ids=[str(pk) for pk in by_id]
    ):
        if wh == warehouse_id:
            reserved[int(demand_id)] = reserved.get(int(demand_id), 0) + units
    outstanding = _outstanding(list(by_id), warehouse_id)
    bins = inventory_selectors.bins_for_picking(
        warehouse_id=warehouse_id, sku_ids={line.sku_id for line in lines}
    )
    rows = []
    for line_id, units in reserved.items():
        pickable = units - outstanding.get(line_id, 0)
        if pickable > 0:
            line = by_id[line_id]
            bin_id, bin_code = bins.get(line.sku_id, (None, ""))
            rows.append({"line": line, "quantity": pickable, "bin_id": bin_id, "bin_code": bin_code})
    # The walk: bins in code order (units in no bin last), then SKU, then order.
    rows.sort(
        key=lambda r: (
            r["bin_code"] == "",
            r["bin_code"],
            r["line"].sku_code,
            r["line"].order_id,
            r["line"].line_number,
        )
    )
    return rows


@transaction.atomic
def pick_list_create(*, actor: Actor, warehouse_id: int, order_ids: Sequence[int]) -> PickList:
    """A pick list of the units reserved in the warehouse for these confirmed orders and not
    on another live pick list, sorted by bin location. One order: `single`; more: a `wave`.
    Raises OrderNotFound, OrderNotShippable, WarehouseNotFound, NothingToPick."""
    if not 1 <= len(set(order_ids)) <= MAX_WAVE:
        message = _("A pick list has 1 to %(max)d orders.") % {"max": MAX_WAVE}
        raise ValidationFailed(errors=[field_error("orders", message, "order_count")])
    warehouse = inventory_selectors.warehouse_get(warehouse_id=warehouse_id)
    order_list = orders.orders_for_fulfilment(order_ids=order_ids)
    rows = _pick_rows(order_list, warehouse.pk)
    if not rows:
        raise NothingToPick()
    pick_list = PickList.objects.create(
        number=number_next(series="document", prefix="PK"),
        warehouse_id=warehouse.pk,
        kind=PickList.Kind.SINGLE if len(order_list) == 1 else PickList.Kind.WAVE,
        created_by=str(actor),
    )
    PickListLine.objects.bulk_create(
        PickListLine(
            pick_list=pick_list,
            order_id=row["line"].order_id,
            order_line_id=row["line"].pk,
            sku_id=row["line"].sku_id,
            sku_code=row["line"].sku_code,
            name=row["line"].name,
            bin_id=row["bin_id"],
            bin_code=row["bin_code"],
            sequence=index,
            quantity=row["quantity"],
        )
        for index, row in enumerate(rows, start=1)
    )
    audit(
        "pick_list",
        pick_list.pk,
        "created",
        actor,
        after={"status": pick_list.status, "orders": sorted({o.pk for o in order_list}), "lines": len(rows)},
    )
    return pick_list


def _validated_picks(pick_list: PickList, picked: Mapping[int, int] | None) -> dict[int, int]:
    lines = dict(pick_list.lines.values_list("pk", "quantity"))
    if picked is None:
        return lines
    errors = []
    for line_id, units in picked.items():
        if line_id not in lines:
            errors.append(field_error(f"lines.{line_id}", _("Not a line of this pick list."), "unknown_line"))
        elif not 0 <= units <= lines[line_id]:
            message = _("Between 0 and %(max)d units can be picked.") % {"max": lines[line_id]}
            errors.append(field_error(f"lines.{line_id}", message, "invalid_quantity"))
    if errors:
        raise ValidationFailed(errors=errors)
    return {line_id: picked.get(line_id, quantity) for line_id, quantity in lines.items()}


@transaction.atomic
def pick_list_confirm(
    *, actor: Actor, pick_list_id: int, picked: Mapping[int, int] | None = None
) -> PickList:
    """Confirm what was picked (pick line id → units; lines not named were picked in full).
    A line picked short opens a stock_shortage exception case on its order line. Raises
    PickListNotFound, PickListNotOpen (confirmed already, e.g. by another picker),
    ValidationFailed; nothing changes then."""
    pick_list = PickList.objects.filter(pk=pick_list_id).first()
    if pick_list is None:
        raise PickListNotFound()
    quantities = _validated_picks(pick_list, picked)
    now = timezone.now()
    if not PickList.objects.filter(pk=pick_list.pk, status=PickList.Status.OPEN).update(
        status=PickList.Status.PICKED, picked_by=str(actor), picked_at=now, updated_at=now
    ):
        raise PickListNotOpen()
    lines = list(pick_list.lines.select_related("order_line").order_by("pk"))
    for line in lines:
        line.picked = quantities[line.pk]
    PickListLine.objects.bulk_update(lines, ["picked"])
    short = sorted(
        (line for line in lines if (line.picked or 0) < line.quantity),
        key=lambda line: (line.order_id, line.pk),
    )
    for line in short:  # orders ascending: the lock order of order rows
        orders.exception_open(
            order_id=line.order_id,
            kind="stock_shortage",
            actor=actor,
            line_number=line.order_line.line_number,
            note=_("Short pick on %(list)s: %(picked)d of %(quantity)d found at %(bin)s.")
            % {
                "list": pick_list.number,
                "picked": line.picked,
                "quantity": line.quantity,
                "bin": line.bin_code or "-",
            },
            owner_role="warehouse",
            facts={
                "pick_list": pick_list.number,
                "warehouse_id": pick_list.warehouse_id,
                "short_picked": line.quantity - (line.picked or 0),
            },
        )
    pick_list.refresh_from_db()
    audit(
        "pick_list",
        pick_list.pk,
        "picked",
        actor,
        before={"status": PickList.Status.OPEN},
        after={"status": pick_list.status, "short_lines": len(short)},
    )
    return pick_list
