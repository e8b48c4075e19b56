"""Packing: the packages of an order from a confirmed pick list, with weight and size; the
packed contents must equal what was picked for the order (a mismatch is refused, showing
the difference per SKU)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.numbering import number_next
from dingdan.orders import services as orders

from .. import domain
from ..exceptions import NothingToPack, PackingMismatch, PickListNotFound, PickListNotPicked
from ..models import Package, PackageLine, PickList, PickListLine
from .common import audit, field_error


@dataclass(frozen=True)
class PackageSpec:
    contents: Mapping[str, int]  # SKU code → units
    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None


def _check_specs(packages: Sequence[PackageSpec]) -> dict[str, int]:
    errors = []
    if not packages:
        errors.append(field_error("packages", _("Give at least one package."), "required"))
    packed: dict[str, int] = {}
    for index, spec in enumerate(packages):
        if not spec.contents:
            errors.append(
                field_error(f"packages.{index}.contents", _("A package holds at least one unit."), "empty")
            )
        if spec.weight_kg <= 0:
            errors.append(
                field_error(f"packages.{index}.weight_kg", _("The weight must be above 0."), "invalid")
            )
        for code, units in spec.contents.items():
            if units < 1:
                errors.append(
                    field_error(
                        f"packages.{index}.contents.{code}",
                        _("The quantity must be at least 1."),
                        "invalid_quantity",
                    )
                )
            packed[code] = packed.get(code, 0) + units
    if errors:
        raise ValidationFailed(errors=errors)
    return packed


def _mismatch(differences: Sequence[domain.ContentDifference]) -> PackingMismatch:
    errors = [
        field_error(
            f"contents.{d.sku_code}",
            _("%(sku)s: picked %(expected)d, packed %(packed)d.")
            % {"sku": d.sku_code, "expected": d.expected, "packed": d.packed},
            "missing" if d.packed < d.expected else "extra",
        )
        for d in differences
    ]
    return PackingMismatch(errors=errors)


@transaction.atomic
def packages_create(
    *, actor: Actor, pick_list_id: int, order_id: int, packages: Sequence[PackageSpec]
) -> list[Package]:
    """Pack everything picked and not yet packed for one order on a pick list into the given
    packages. Raises PickListNotFound, PickListNotPicked, OrderNotShippable, NothingToPack,
    ValidationFailed (bad weights or quantities) and PackingMismatch (the contents differ
    from the picked units; the errors list each SKU's difference). Nothing changes then."""
    packed = _check_specs(packages)
    order = orders.order_for_fulfilment(order_id=order_id)  # serialises packers of one order
    pick_list = PickList.objects.filter(pk=pick_list_id).first()
    if pick_list is None:
        raise PickListNotFound()
    if pick_list.status != PickList.Status.PICKED:
        raise PickListNotPicked()
    lines = [
        line
        for line in pick_list.lines.filter(order_id=order.pk).order_by("pk")
        if (line.picked or 0) > line.packed
    ]
    if not lines:
        raise NothingToPack()
    expected: dict[str, int] = {}
    for line in lines:
        expected[line.sku_code] = expected.get(line.sku_code, 0) + (line.picked or 0) - line.packed
    differences = domain.packing_differences(expected, packed)
    if differences:
        raise _mismatch(differences)
    left = {line.pk: (line.picked or 0) - line.packed for line in lines}
    created = []
    for spec in packages:
        package = Package.objects.create(
            number=number_next(series="document", prefix="PA"),
            order_id=order.pk,
            pick_list=pick_list,
            warehouse_id=pick_list.warehouse_id,
            weight_kg=spec.weight_kg,
            length_cm=spec.length_cm,
            width_cm=spec.width_cm,
            height_cm=spec.height_cm,
            packed_by=str(actor),
        )
        for code, units in sorted(spec.contents.items()):
            for line in (line for line in lines if line.sku_code == code):
                take = min(units, left[line.pk])
                if take:
                    PackageLine.objects.create(
                        package=package,
                        pick_line=line,
                        order_line_id=line.order_line_id,
                        sku_id=line.sku_id,
                        quantity=take,
                    )
                    left[line.pk] -= take
                    units -= take
        created.append(package)
    for line in lines:
        units = (line.picked or 0) - line.packed - left[line.pk]
        if not PickListLine.objects.filter(pk=line.pk, packed__lte=F("picked") - units).update(
            packed=F("packed") + units
        ):
            raise NothingToPack()
    audit(
        "order",
        order.pk,
        "packed",
        actor,
        after={"packages": [p.number for p in created], "pick_list": pick_list.number},
    )
    return created
