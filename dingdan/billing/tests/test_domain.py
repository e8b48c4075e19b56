"""Pure billing rules: derived payment status, refund limits, invoice lines, matching, ageing,
export cells."""

import datetime as dt
from decimal import Decimal as D

import pytest

from dingdan.billing import domain


@pytest.mark.parametrize(
    ("authorized", "captured", "refunded", "expected"),
    [
        ("0", "0", "0", "unpaid"),
        ("50", "0", "0", "authorized"),
        ("0", "50", "0", "partially_paid"),
        ("0", "100", "0", "paid"),
        ("0", "100", "30", "partially_refunded"),
        ("0", "100", "100", "refunded"),
        ("0", "60", "60", "refunded"),
        ("40", "60", "0", "partially_paid"),
    ],
)
def test_the_order_payment_status_is_derived_from_its_money(authorized, captured, refunded, expected):
    status = domain.order_payment_status(
        total=D("100"), authorized=D(authorized), captured=D(captured), refunded=D(refunded)
    )

    assert status == expected


def test_refundable_is_captured_minus_refunded_minus_waiting_and_never_negative():
    assert domain.refundable(captured=D("100"), refunded=D("30"), refund_pending=D("20")) == D("50")
    assert domain.refundable(captured=D("10"), refunded=D("10"), refund_pending=D("0")) == D("0")


def test_the_approval_limit_is_the_highest_of_the_roles_and_none_means_unlimited():
    limits = {"customer_service": D("500"), "finance": D("5000"), "manager": None}

    assert domain.approval_limit(["customer_service", "finance"], limits) == D("5000")
    assert domain.approval_limit(["customer_service", "manager"], limits) is None
    assert domain.approval_limit(["order_clerk"], limits) == D("0")
    assert domain.needs_approval(amount=D("500.01"), limit=D("500")) is True
    assert domain.needs_approval(amount=D("500.00"), limit=D("500")) is False
    assert domain.needs_approval(amount=D("1e9"), limit=None) is False


def test_payment_transitions_allow_forward_moves_only():
    P = domain.PaymentState
    assert domain.payment_can_move(P.PENDING, P.CAPTURED)
    assert domain.payment_can_move(P.AUTHORIZED, P.CAPTURED)
    assert not domain.payment_can_move(P.CAPTURED, P.AUTHORIZED)
    assert not domain.payment_can_move(P.CAPTURED, P.FAILED)
    assert not domain.payment_can_move(P.FAILED, P.CAPTURED)


def test_an_inclusive_line_contains_its_tax_and_an_exclusive_line_adds_it():
    line = domain.InvoiceLineInput(1, "T恤", 2, D("113.00"), D("0.13"), D("226.00"))

    inclusive = domain.invoice_line(line, prices_include_tax=True, currency="CNY")
    exclusive = domain.invoice_line(line, prices_include_tax=False, currency="CNY")

    assert (inclusive.net, inclusive.tax, inclusive.gross) == (D("200.00"), D("26.00"), D("226.00"))
    assert (exclusive.net, exclusive.tax, exclusive.gross) == (D("226.00"), D("29.38"), D("255.38"))


def test_prorated_pieces_add_up_to_the_whole_amount():
    amount, whole = D("100.00"), 3
    pieces = [
        domain.prorated(amount, n + 1, whole, "CNY") - domain.prorated(amount, n, whole, "CNY")
        for n in range(whole)
    ]

    assert pieces == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(pieces) == amount


def test_gaps_name_missing_numbers_and_numbers_beyond_the_counter():
    assert domain.gaps([1, 2, 3], 4) == []
    assert domain.gaps([1, 3], 4) == [2]
    assert domain.gaps([1, 2, 5], 4) == [3, 5]


def test_a_special_invoice_needs_title_taxpayer_bank_and_address():
    buyer = {
        "invoice_title": "上海某公司",
        "taxpayer_id": "91310000MA1FL0000X",
        "bank_name": "",
        "bank_account": "1",
    }

    assert domain.special_invoice_missing(buyer) == ["bank_name", "registered_address"]


def _entry(amount: str, reference: str = "", payer: str = "", day: int = 10) -> domain.StatementEntry:
    return domain.StatementEntry(dt.date(2026, 11, day), D(amount), "CNY", reference, payer)


def _candidate(
    pk: int, amount: str, references: tuple[str, ...] = (), payer: str = ""
) -> domain.PaymentCandidate:
    return domain.PaymentCandidate(pk, D(amount), "CNY", dt.date(2026, 11, 10), references, payer)


def test_a_line_matching_reference_amount_date_and_payer_scores_one():
    match = domain.match_score(
        _entry("198.00", "货款 SO261110-000042", "张伟"),
        _candidate(1, "198.00", ("SO261110-000042",), "张伟"),
    )

    assert match is not None
    assert (match.confidence, match.reasons) == (D("1.00"), ("reference", "amount", "date", "payer"))


def test_amount_and_date_alone_are_a_suggestion_and_another_currency_never_matches():
    match = domain.match_score(_entry("198.00"), _candidate(1, "198.00"))
    other = domain.StatementEntry(dt.date(2026, 11, 10), D("198.00"), "USD", "", "")

    assert match is not None
    assert match.confidence == D("0.40")
    assert domain.match_score(other, _candidate(1, "198.00")) is None
    assert domain.match_score(_entry("5.00", day=28), _candidate(1, "198.00")) is None


def test_best_matches_pair_each_payment_with_one_line_at_most():
    entries = [_entry("100.00"), _entry("100.00", "REF-0002")]
    candidates = [_candidate(7, "100.00", ("REF-0002",)), _candidate(8, "100.00")]

    matches = domain.best_matches(entries, candidates, minimum=D("0.30"))

    assert [m.payment_id if m else None for m in matches] == [8, 7]


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (61, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_ageing_buckets_count_days_past_due(days_late, bucket):
    due = dt.date(2026, 1, 1)

    assert domain.ageing_bucket(due=due, today=due + dt.timedelta(days=days_late)) == bucket


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert domain.safe_cell(text) == "'" + text


def test_numbers_and_plain_text_stay_as_they_are():
    assert domain.safe_cell(D("-5.00")) == D("-5.00")
    assert domain.safe_cell("张伟") == "张伟"
