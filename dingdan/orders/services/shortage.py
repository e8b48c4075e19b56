"""Stock shortage options: the facts of a short line, the options offered for it, and the
options orders itself provides (wait for stock, substitute, reduce the quantity, cancel the
line). Other contexts register theirs in `providers` at app start."""

from typing import Any

from django.utils.translation import gettext as _

from dingdan.catalog import selectors as catalog
from dingdan.core.actors import Actor
from dingdan.inventory import selectors as stock

from .. import providers
from ..exceptions import InvalidOrder, ShortageOptionUnavailable
from ..models import Order, OrderLine, SkuSubstitute
from ..providers import ShortageFacts, ShortageOption
from .common import audit, order_state, save
from .lines import (
    PRICED_LINE_FIELDS,
    TOTAL_FIELDS,
    line_release,
    line_reserve,
    order_snapshot,
    reprice,
    revision_record,
)


def _line(order: Order, line_number: int) -> OrderLine:
    line = order.lines.filter(line_number=line_number).first()
    if line is None:
        message = _("The order has no such line.")
        raise InvalidOrder(errors=[{"field": "line_number", "message": message, "code": "unknown_line"}])
    return line


def shortage_facts(order: Order, line_number: int) -> ShortageFacts:
    line = _line(order, line_number)
    return ShortageFacts(
        order_id=order.pk,
        order_number=order.number,
        channel_id=order.channel_id,
        priority=order.priority,
        line_id=line.pk,
        line_number=line.line_number,
        sku_id=line.sku_id,
        sku_code=line.sku_code,
        quantity=line.quantity,
        short_quantity=line.backorder_quantity,
        warehouse_ids=tuple(stock.warehouse_sourcing_order()),
    )


def shortage_options(
    order: Order, line_number: int
) -> list[tuple[ShortageFacts, ShortageOption, providers.ShortageProvider]]:
    """Every registered option that applies to the line now, in registration order."""
    facts = shortage_facts(order, line_number)
    offered = []
    for code, provider in providers.shortage_providers().items():
        option = provider.offer(facts)
        if option is not None:
            offered.append((facts, ShortageOption(code, option.label, option.details), provider))
    return offered


def _best_warehouse(sku_id: int) -> tuple[int | None, int]:
    """The warehouse with the most of the SKU free, and that quantity."""
    rows = [(free, -warehouse) for _sku, warehouse, free in stock.stock_available(sku_ids=[sku_id])]
    if not rows:
        return None, 0
    free, warehouse = max(rows)
    return -warehouse, max(free, 0)


def _changed(order: Order, facts: ShortageFacts, actor: Actor, action: str, mutate: Any) -> None:
    """Apply `mutate(line)` to the short line under the order lock, re-reserve and reprice,
    and keep the new revision; a line stock still cannot cover refuses the option."""
    order = Order.objects.select_related("channel").get(pk=order.pk)
    lines = list(order.lines.order_by("line_number"))
    before, state = order_snapshot(order, lines), order_state(order)
    line = next(line for line in lines if line.pk == facts.line_id)
    line_release(line)
    mutate(line)
    if not line_reserve(order, line):
        raise ShortageOptionUnavailable()
    reprice(order, lines)
    OrderLine.objects.bulk_update(
        lines, [*PRICED_LINE_FIELDS, "quantity", "sku", "sku_code", "name", "specs", "backorder_quantity"]
    )
    revision_record(order, before=before, lines=lines, actor=actor)
    save(order, [*TOTAL_FIELDS, "revision"])
    audit(order, action=action, actor=actor, before=state, note=f"#{facts.line_number}")


class WaitForStock:
    """Keep the short quantity as the line's backorder; fulfilment allocates it on arrival."""

    def offer(self, facts: ShortageFacts) -> ShortageOption | None:
        details = {"backorder_quantity": facts.short_quantity, "inbound_quantity": None, "inbound_date": None}
        return ShortageOption("wait_for_stock", _("Wait for stock (backorder)"), details)

    def carry_out(self, facts: ShortageFacts, *, option: ShortageOption, actor: Actor) -> None:
        OrderLine.objects.filter(pk=facts.line_id).update(backorder_quantity=facts.short_quantity)


class ReduceQuantity:
    """Lower the line to what one warehouse has free."""

    def offer(self, facts: ShortageFacts) -> ShortageOption | None:
        warehouse, free = _best_warehouse(facts.sku_id)
        if not facts.short_quantity or not 1 <= free < facts.quantity:
            return None
        details = {"quantity": free, "warehouse_id": warehouse}
        return ShortageOption("reduce_quantity", _("Reduce the quantity to %(n)d") % {"n": free}, details)

    def carry_out(self, facts: ShortageFacts, *, option: ShortageOption, actor: Actor) -> None:
        def mutate(line: OrderLine) -> None:
            line.quantity = int(option.details["quantity"])

        order = Order.objects.get(pk=facts.order_id)
        _changed(order, facts, actor, "shortage_reduced", mutate)


class Substitute:
    """Ship a configured alternative SKU (the first, by rank, that stock covers)."""

    def _candidate(self, facts: ShortageFacts) -> tuple[Any, int] | None:
        substitutes = list(
            SkuSubstitute.objects.filter(sku_id=facts.sku_id)
            .order_by("rank", "pk")
            .values_list("substitute_id", flat=True)
        )
        if not substitutes or not facts.short_quantity:
            return None
        free: dict[int, int] = {}
        for sku_id, _warehouse, quantity in stock.stock_available(sku_ids=substitutes):
            free[sku_id] = max(free.get(sku_id, 0), quantity)
        for sku_id in substitutes:
            if free.get(sku_id, 0) >= facts.quantity:
                sku = catalog.sku_get(sku_id=sku_id)
                if sku.is_active and sku.product.is_active:
                    return sku, free[sku_id]
        return None

    def offer(self, facts: ShortageFacts) -> ShortageOption | None:
        found = self._candidate(facts)
        if found is None:
            return None
        sku, free = found
        label = _("Substitute %(sku)s") % {"sku": sku.code}
        return ShortageOption(
            "substitute", label, {"sku_id": sku.pk, "sku_code": sku.code, "available": free}
        )

    def carry_out(self, facts: ShortageFacts, *, option: ShortageOption, actor: Actor) -> None:
        sku = catalog.sku_get(sku_id=int(option.details["sku_id"]))

        def mutate(line: OrderLine) -> None:
            specs = " / ".join(str(value) for value in (sku.specs or {}).values())
            line.sku_id, line.sku_code, line.specs = sku.pk, sku.code, sku.specs
            line.name = f"{sku.product.name} {specs}".strip()[:200]
            line.price_source = "price_list"

        order = Order.objects.get(pk=facts.order_id)
        _changed(order, facts, actor, "shortage_substituted", mutate)


class CancelLine:
    """Drop the short line (the order's last line: cancel the order)."""

    def offer(self, facts: ShortageFacts) -> ShortageOption | None:
        return ShortageOption("cancel_line", _("Cancel the line"), {"quantity": facts.quantity})

    def carry_out(self, facts: ShortageFacts, *, option: ShortageOption, actor: Actor) -> None:
        from .transitions import order_cancel

        order = Order.objects.select_related("channel").get(pk=facts.order_id)
        lines = list(order.lines.order_by("line_number"))
        if len(lines) == 1:
            order_cancel(actor=actor, order_id=order.pk, reason=_("The only line was short."))
            return
        before, state = order_snapshot(order, lines), order_state(order)
        line = next(line for line in lines if line.pk == facts.line_id)
        if line.quantity_shipped:
            raise ShortageOptionUnavailable()
        line_release(line)
        line.delete()
        lines.remove(line)
        reprice(order, lines)
        OrderLine.objects.bulk_update(lines, PRICED_LINE_FIELDS)
        revision_record(order, before=before, lines=lines, actor=actor)
        save(order, [*TOTAL_FIELDS, "revision"])
        audit(
            order, action="shortage_line_cancelled", actor=actor, before=state, note=f"#{facts.line_number}"
        )


def register_builtin_options() -> None:
    providers.register_shortage_option("wait_for_stock", WaitForStock())
    providers.register_shortage_option("substitute", Substitute())
    providers.register_shortage_option("reduce_quantity", ReduceQuantity())
    providers.register_shortage_option("cancel_line", CancelLine())
