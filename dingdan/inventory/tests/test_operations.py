"""Warehouse operations: bins and stock per bin, transfers in transit, stock counts posting
their differences, reorder points and owners."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from dingdan.catalog.tests.factories import ProductFactory, TaxRateFactory
from dingdan.core.actors import SYSTEM
from dingdan.core.models import OutboxEvent
from dingdan.core.verify import verify_all
from dingdan.inventory import selectors, services
from dingdan.inventory.exceptions import (
    BinStockExceeded,
    InsufficientStock,
    StockCountPosted,
    TransferNotInTransit,
)
from dingdan.inventory.models import BinStock, StockLevel, StockMovement

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    vat = TaxRateFactory(code="vat13", rate=Decimal("0.13"))
    product = ProductFactory(
        code="P-1",
        skus=[{"code": "A-1", "tax_rate": vat, "specs": {}}, {"code": "B-1", "tax_rate": vat, "specs": {}}],
    )
    a, b = product.skus.order_by("code")
    sh, gz = WarehouseFactory(code="sh"), WarehouseFactory(code="gz", region="south")
    services.stock_receive(
        actor=SYSTEM, warehouse_id=sh.pk, lines=[services.StockLine(a.pk, 10), services.StockLine(b.pk, 4)]
    )
    return a, b, sh, gz


def on_hand(sku, warehouse) -> int:
    return StockLevel.objects.get(sku=sku, warehouse=warehouse).on_hand


def clean() -> None:
    assert {name: found for name, found in verify_all().items() if found} == {}


def test_bins_hold_no_more_than_is_on_hand_and_pickers_go_to_the_fullest_bin(stocked):
    a, _b, sh, _gz = stocked
    first = services.bin_create(actor=SYSTEM, warehouse_id=sh.pk, code="A-01-01")
    second = services.bin_create(actor=SYSTEM, warehouse_id=sh.pk, code="A-01-02")
    services.bin_stock_put(actor=SYSTEM, bin_id=first.pk, sku_id=a.pk, quantity=3)
    services.bin_stock_put(actor=SYSTEM, bin_id=second.pk, sku_id=a.pk, quantity=7)
    with pytest.raises(BinStockExceeded):
        services.bin_stock_put(actor=SYSTEM, bin_id=first.pk, sku_id=a.pk, quantity=1)
    with pytest.raises(BinStockExceeded):
        services.bin_stock_put(actor=SYSTEM, bin_id=first.pk, sku_id=a.pk, quantity=-4)
    assert selectors.bins_for_picking(warehouse_id=sh.pk, sku_ids=[a.pk]) == {a.pk: (second.pk, "A-01-02")}
    services.stock_adjust(actor=SYSTEM, warehouse_id=sh.pk, sku_id=a.pk, quantity=-2, reason="damaged")
    # The adjustment went through; the bins shrink when units leave (transfer, count, shipment).
    services.transfer_create(
        actor=SYSTEM, source_id=sh.pk, destination_id=_gz.pk, lines=[services.StockLine(a.pk, 5)]
    )
    assert BinStock.objects.filter(sku=a).aggregate(total=Sum("quantity"))["total"] == on_hand(a, sh) == 3
    clean()


def test_a_transfer_is_in_transit_until_received_and_moves_only_free_units(stocked):
    a, b, sh, gz = stocked
    with pytest.raises(InsufficientStock):
        services.transfer_create(
            actor=SYSTEM, source_id=sh.pk, destination_id=gz.pk, lines=[services.StockLine(b.pk, 5)]
        )
    transfer = services.transfer_create(
        actor=SYSTEM,
        source_id=sh.pk,
        destination_id=gz.pk,
        lines=[services.StockLine(a.pk, 4), services.StockLine(b.pk, 1)],
    )
    assert (transfer.status, on_hand(a, sh), StockLevel.objects.filter(warehouse=gz).count()) == (
        "in_transit",
        6,
        0,
    )
    clean()
    services.transfer_receive(actor=SYSTEM, transfer_id=transfer.pk)
    with pytest.raises(TransferNotInTransit):
        services.transfer_receive(actor=SYSTEM, transfer_id=transfer.pk)
    assert (on_hand(a, gz), on_hand(b, gz)) == (4, 1)
    kinds = sorted(StockMovement.objects.filter(reference=transfer.number).values_list("kind", "quantity"))
    assert kinds == [("transfer_in", 1), ("transfer_in", 4), ("transfer_out", -4), ("transfer_out", -1)]
    clean()


def test_a_count_posts_its_differences_as_ledger_rows_with_its_reason(stocked):
    a, b, sh, _gz = stocked
    count = services.stock_count_open(actor=SYSTEM, warehouse_id=sh.pk, kind="full", reason="年终盘点")
    assert sorted(count.lines.values_list("sku_id", "expected")) == [(a.pk, 10), (b.pk, 4)]
    services.stock_count_record(actor=SYSTEM, count_id=count.pk, counted={a.pk: 8, b.pk: 6})
    services.stock_count_post(actor=SYSTEM, count_id=count.pk)
    with pytest.raises(StockCountPosted):
        services.stock_count_post(actor=SYSTEM, count_id=count.pk)
    assert (on_hand(a, sh), on_hand(b, sh)) == (8, 6)
    rows = sorted(StockMovement.objects.filter(kind="count").values_list("sku_id", "quantity", "reason"))
    assert rows == [(a.pk, -2, "年终盘点"), (b.pk, 2, "年终盘点")]
    clean()


def test_a_count_loss_below_what_is_reserved_is_refused_and_nothing_posts(stocked):
    a, _b, sh, _gz = stocked
    count = services.stock_count_open(
        actor=SYSTEM, warehouse_id=sh.pk, kind="cycle", reason="cycle", sku_ids=[a.pk]
    )
    StockLevel.objects.filter(sku=a, warehouse=sh).update(reserved=5)
    services.stock_count_record(actor=SYSTEM, count_id=count.pk, counted={a.pk: 3})
    with pytest.raises(InsufficientStock):
        services.stock_count_post(actor=SYSTEM, count_id=count.pk)
    assert (on_hand(a, sh), StockMovement.objects.filter(kind="count").count()) == (10, 0)


def test_reorder_points_list_low_stock_and_owners_hear_of_it(stocked, make_user):
    a, _b, sh, _gz = stocked
    services.stock_reorder_point_set(actor=SYSTEM, warehouse_id=sh.pk, sku_id=a.pk, reorder_point=9)
    assert list(selectors.stock_low_list()) == []
    services.stock_adjust(actor=SYSTEM, warehouse_id=sh.pk, sku_id=a.pk, quantity=-2, reason="lost")
    assert [(level.sku_id, level.available) for level in selectors.stock_low_list()] == [(a.pk, 8)]
    assert OutboxEvent.objects.filter(type="stock.low").count() == 1
    owners = [make_user("warehouse", email="li@example.com"), make_user("warehouse", email="")]
    make_user("warehouse", email="other@example.com")
    services.warehouse_owners_set(actor=SYSTEM, warehouse_id=sh.pk, user_ids=[u.pk for u in owners])
    assert selectors.warehouse_owner_emails(sh.pk) == ["li@example.com"]
