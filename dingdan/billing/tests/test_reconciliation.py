"""Reconciliation: statements from CSV and Excel, automatic matching with a confidence,
confirming, matching by hand, and what stays unmatched on either side."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from dingdan.billing.exceptions import InvalidMatch, InvalidStatement, StatementAlreadyImported
from dingdan.billing.models import Statement, StatementLine
from dingdan.billing.selectors import statement_report
from dingdan.billing.services import (
    statement_import,
    statement_line_confirm,
    statement_line_match,
    statement_line_unmatch,
)
from dingdan.billing.tests.conftest import pay, place
from dingdan.core.actors import SYSTEM

pytestmark = pytest.mark.django_db
RECEIVED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def csv_bytes(*rows: str, header: str = "日期,金额,币种,附言,付款人") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8-sig")


def statuses(statement: Statement) -> list[tuple[int, str, Any, str]]:
    return [
        (line.row_number, line.status, line.payment_id, str(line.confidence))
        for line in statement.lines.order_by("row_number")
    ]


@pytest.fixture
def payments(shop: Any) -> list[Any]:
    """Three captured payments of three orders on 20 November."""
    orders = [place(shop, ("TEE-BLK-M", 1)) for _ in range(3)]
    return [
        pay(orders[0], "99.00", reference="HX20261120001", payer="张伟", received_at=RECEIVED),
        pay(orders[1], "99.00", payer="李娜", received_at=RECEIVED),
        pay(orders[2], "50.00", received_at=RECEIVED),
    ]


def test_lines_are_matched_by_reference_amount_date_and_payer_with_a_confidence(payments):
    content = csv_bytes(
        "2026-11-20,99.00,CNY,货款 HX20261120001,张伟",  # everything fits: 1.00, matched
        "2026-11-21,99.00,CNY,,李娜",  # amount, date, payer: 0.50, suggested
        "2026-11-20,77.00,CNY,unknown,王五",  # nothing fits
        "2026-11-22,-20.00,CNY,手续费,",  # a bank fee: outgoing, never matched
    )

    statement = statement_import(actor=SYSTEM, filename="bank.csv", content=content)

    assert statuses(statement) == [
        (1, "matched", payments[0].pk, "1.00"),
        (2, "suggested", payments[1].pk, "0.50"),
        (3, "unmatched", None, "0.00"),
        (4, "unmatched", None, "0.00"),
    ]
    report = statement_report(statement_id=statement.pk)
    assert report["counts"] == {"matched": 1, "suggested": 1, "unmatched": 2}
    assert report["incoming_lines"] == 3
    assert [p.pk for p in report["unmatched_payments"]] == [payments[1].pk, payments[2].pk]


def test_finance_confirms_a_suggestion_matches_by_hand_and_undoes_a_match(payments):
    content = csv_bytes("2026-11-21,99.00,CNY,,李娜", "2026-11-20,50.00,CNY,,")
    statement = statement_import(actor=SYSTEM, filename="bank.csv", content=content)
    suggested, other = statement.lines.order_by("row_number")
    assert other.status == "suggested"  # amount and date: 0.40

    statement_line_confirm(actor=SYSTEM, line_id=suggested.pk)
    statement_line_unmatch(actor=SYSTEM, line_id=other.pk)
    statement_line_match(actor=SYSTEM, line_id=other.pk, payment_id=payments[2].pk)

    assert statuses(statement) == [
        (1, "matched", payments[1].pk, "0.50"),
        (2, "matched", payments[2].pk, "1.00"),
    ]
    assert statement_report(statement_id=statement.pk)["match_rate"] == Decimal(1)
    with pytest.raises(InvalidMatch):  # a payment is matched to one line only
        statement_line_match(actor=SYSTEM, line_id=suggested.pk, payment_id=payments[2].pk)
    with pytest.raises(InvalidMatch):  # only suggestions are confirmed
        statement_line_confirm(actor=SYSTEM, line_id=suggested.pk)
    assert statuses(statement)[0] == (1, "matched", payments[1].pk, "0.50")


def test_an_excel_statement_with_english_headers_is_read_too(payments):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Amount", "Currency", "Reference", "Payer"])
    sheet.append([dt.datetime(2026, 11, 20), 99.0, "CNY", "HX20261120001", "张伟"])
    buffer = io.BytesIO()
    book.save(buffer)

    statement = statement_import(actor=SYSTEM, filename="provider.xlsx", content=buffer.getvalue())

    assert statuses(statement) == [(1, "matched", payments[0].pk, "1.00")]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (csv_bytes(header="foo,bar"), "file"),
        (csv_bytes("2026-11-20,99.00,CNY,x,y", header="foo,bar"), "file"),
        (
            csv_bytes("yesterday,99.00,CNY,x,y", "2026-11-20,1e999,CNY,x,y", "2026-11-20,1.00,XXX,x,y"),
            "row.2",
        ),
        (b"PK\x03\x04 not really a workbook", "file"),
        (b"\xff\xfe\x00garbage\x00", "file"),
        (csv_bytes('2026-11-20,"' + "x" * 200_000 + '",CNY,x,y'), "file"),  # beyond the csv field limit
    ],
)
def test_a_bad_statement_is_refused_and_nothing_is_imported(content, field):
    with pytest.raises(InvalidStatement) as raised:
        statement_import(actor=SYSTEM, filename="bad.csv", content=content)

    assert raised.value.errors[0]["field"] == field
    assert (Statement.objects.count(), StatementLine.objects.count()) == (0, 0)


def test_the_same_file_twice_is_refused(payments):
    content = csv_bytes("2026-11-20,99.00,CNY,HX20261120001,张伟")
    statement_import(actor=SYSTEM, filename="bank.csv", content=content)

    with pytest.raises(StatementAlreadyImported):
        statement_import(actor=SYSTEM, filename="again.csv", content=content)

    assert Statement.objects.count() == 1


def test_a_payment_matched_in_one_statement_is_not_offered_again(payments):
    statement_import(
        actor=SYSTEM, filename="a.csv", content=csv_bytes("2026-11-20,99.00,CNY,HX20261120001,张伟")
    )

    later = statement_import(
        actor=SYSTEM, filename="b.csv", content=csv_bytes("2026-11-20,99.00,CNY,HX20261120001,张伟 ")
    )

    assert statuses(later) == [(1, "suggested", payments[1].pk, "0.40")]  # not payments[0] again


def test_a_statement_with_bare_carriage_returns_as_line_ends_is_read(payments):
    content = csv_bytes("2026-11-20,1.00,CNY,,张伟").replace(b"\r\n", b"\r").replace(b"\n", b"\r")

    statement = statement_import(actor=SYSTEM, filename="old-mac.csv", content=content)

    assert StatementLine.objects.filter(statement=statement).count() == 1
