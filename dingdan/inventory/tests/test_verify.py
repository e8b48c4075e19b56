"""`dingdan verify` on stock: clean after normal use; every kind of tampering is reported
(exit status 1), never repaired."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dingdan.catalog.tests.factories import SkuFactory
from dingdan.core.actors import SYSTEM
from dingdan.inventory import verify
from dingdan.inventory.models import Reservation, StockLevel, StockMovement
from dingdan.inventory.services import (
    Demand,
    StockLine,
    reservations_release,
    stock_adjust,
    stock_receive,
    stock_reserve,
)

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock() -> tuple[Any, Any, Any]:
    """A shirt and a mug in Shanghai after a receipt, an adjustment, reservations and a release:
    shirt 9 on hand, 2 reserved; mug 3 on hand, 0 reserved."""
    shirt, mug = SkuFactory(code="TEE"), SkuFactory(code="MUG")
    shanghai = WarehouseFactory(code="sh")
    stock_receive(
        actor=SYSTEM, warehouse_id=shanghai.pk, lines=[StockLine(shirt.pk, 10), StockLine(mug.pk, 3)]
    )
    stock_adjust(actor=SYSTEM, warehouse_id=shanghai.pk, sku_id=shirt.pk, quantity=-1, reason="damaged")
    with transaction.atomic():
        stock_reserve(
            demands=[Demand("1", shirt.pk, 2), Demand("2", mug.pk, 1)],
            demand_type="order_line",
            reference="SO1",
        )
    reservations_release(demand_type="order_line", demand_ids=["2"])
    return shirt, mug, shanghai


def run_verify() -> str:
    out = StringIO()
    call_command("verify", stdout=out)
    return out.getvalue()


def drift() -> tuple[str, int]:
    """The output and exit status of a verify that must find drift."""
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify", stdout=out)
    return out.getvalue(), raised.value.returncode


def test_verify_is_clean_after_receipts_adjustments_reservations_and_releases(stock):
    shirt, mug, _shanghai = stock

    output = run_verify()

    assert "stock_on_hand_equals_ledger" in output
    assert "no drift" in output
    assert [StockLevel.objects.get(sku=sku).reserved for sku in (shirt, mug)] == [2, 0]
    assert [StockLevel.objects.get(sku=sku).on_hand for sku in (shirt, mug)] == [9, 3]


def test_an_on_hand_changed_behind_the_ledgers_back_is_reported(stock):
    shirt, _mug, shanghai = stock
    StockLevel.objects.filter(sku=shirt).update(on_hand=12)

    output, status = drift()

    assert status == 1
    assert f"sku {shirt.pk} @ warehouse {shanghai.pk}: on_hand 12 ≠ ledger 9" in output
    assert StockLevel.objects.get(sku=shirt).on_hand == 12  # reported, not repaired


def test_a_lost_ledger_row_is_reported(stock):
    shirt, _mug, shanghai = stock
    StockMovement.objects.filter(sku=shirt, kind="adjustment").delete()

    output, status = drift()

    assert status == 1
    assert f"sku {shirt.pk} @ warehouse {shanghai.pk}: on_hand 9 ≠ ledger 10" in output


def test_a_reserved_counter_unequal_to_the_open_reservations_is_reported(stock):
    _shirt, mug, shanghai = stock
    StockLevel.objects.filter(sku=mug).update(reserved=1)

    output, status = drift()

    assert status == 1
    assert f"sku {mug.pk} @ warehouse {shanghai.pk}: reserved 1 ≠ open 0" in output


def test_a_reservation_changed_behind_the_counters_back_is_reported(stock):
    shirt, _mug, shanghai = stock
    Reservation.objects.filter(demand_id="1").update(quantity=5)

    output, status = drift()

    assert status == 1
    assert f"sku {shirt.pk} @ warehouse {shanghai.pk}: reserved 2 ≠ open 5" in output


def test_ledger_rows_and_reservations_without_a_stock_row_are_reported(stock):
    shirt, _mug, shanghai = stock
    StockLevel.objects.filter(sku=shirt).delete()

    output, status = drift()

    assert status == 1
    assert f"sku {shirt.pk} @ warehouse {shanghai.pk}: ledger 9 but no stock row" in output
    assert f"sku {shirt.pk} @ warehouse {shanghai.pk}: 2 reserved but no stock row" in output


def test_each_stock_check_reads_one_snapshot_per_invariant(stock):
    with CaptureQueriesContext(connection) as ledger:
        assert verify.on_hand_equals_ledger() == []
    with CaptureQueriesContext(connection) as reserved:
        assert verify.reserved_equals_reservations() == []

    # one statement compares every counter with its source; the second looks for orphans
    assert (len(ledger), len(reserved)) == (2, 2)
