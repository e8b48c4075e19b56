from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dingdan.orders.domain import (
    TRANSITIONS,
    Action,
    FulfillmentStatus,
    LineInput,
    PaymentStatus,
    StaffLabel,
    Status,
    allowed_targets,
    available_actions,
    can,
    order_totals,
    staff_label,
    status_after_checks,
)

D = Decimal


def test_a_draft_can_be_submitted_or_cancelled_and_nothing_else():
    assert available_actions(Status.DRAFT) == [Action.SUBMIT, Action.CANCEL]


@pytest.mark.parametrize("terminal", [Status.COMPLETED, Status.REJECTED, Status.CANCELLED])
def test_terminal_statuses_allow_no_action(terminal):
    assert available_actions(terminal) == []


def test_a_confirmed_order_can_be_held_cancelled_or_completed_but_not_rejected():
    assert can(Action.HOLD, Status.CONFIRMED)
    assert can(Action.CANCEL, Status.CONFIRMED)
    assert can(Action.COMPLETE, Status.CONFIRMED)
    assert not can(Action.REJECT, Status.CONFIRMED)
    assert not can(Action.APPROVE, Status.CONFIRMED)


def test_every_transition_target_is_a_real_status_and_no_action_leaves_a_terminal_status():
    for (action, source), targets in TRANSITIONS.items():
        assert source not in {Status.COMPLETED, Status.REJECTED, Status.CANCELLED}
        assert targets <= set(Status)
        assert allowed_targets(action, source) == targets


def test_approving_an_order_on_hold_confirms_it_and_approving_a_closed_one_is_not_allowed():
    assert allowed_targets(Action.APPROVE, Status.ON_HOLD) == frozenset({Status.CONFIRMED})
    assert allowed_targets(Action.APPROVE, Status.CANCELLED) == frozenset()


@pytest.mark.parametrize(
    ("failures", "shortage", "auto", "expected"),
    [
        (False, False, True, Status.CONFIRMED),
        (False, False, False, Status.PENDING_REVIEW),
        (True, False, True, Status.ON_HOLD),
        (False, True, True, Status.ON_HOLD),
        (True, True, False, Status.ON_HOLD),
    ],
)
def test_status_after_checks_follows_failures_shortage_and_channel_policy(failures, shortage, auto, expected):
    assert status_after_checks(has_failures=failures, has_shortage=shortage, auto_confirm=auto) == expected


@pytest.mark.parametrize(
    ("status", "payment", "fulfillment", "pay_first", "label"),
    [
        (
            Status.CONFIRMED,
            PaymentStatus.UNPAID,
            FulfillmentStatus.UNFULFILLED,
            True,
            StaffLabel.AWAITING_PAYMENT,
        ),
        (
            Status.CONFIRMED,
            PaymentStatus.UNPAID,
            FulfillmentStatus.UNFULFILLED,
            False,
            StaffLabel.AWAITING_SHIPMENT,
        ),
        (
            Status.CONFIRMED,
            PaymentStatus.PAID,
            FulfillmentStatus.UNFULFILLED,
            True,
            StaffLabel.AWAITING_SHIPMENT,
        ),
        (Status.CONFIRMED, PaymentStatus.PAID, FulfillmentStatus.PARTIALLY_SHIPPED, True, StaffLabel.SHIPPED),
        (Status.COMPLETED, PaymentStatus.PAID, FulfillmentStatus.DELIVERED, True, StaffLabel.COMPLETED),
        (Status.CANCELLED, PaymentStatus.UNPAID, FulfillmentStatus.UNFULFILLED, True, StaffLabel.CANCELLED),
        (Status.REJECTED, PaymentStatus.UNPAID, FulfillmentStatus.UNFULFILLED, True, StaffLabel.CANCELLED),
        (
            Status.PENDING_REVIEW,
            PaymentStatus.UNPAID,
            FulfillmentStatus.UNFULFILLED,
            True,
            StaffLabel.AWAITING_REVIEW,
        ),
        (Status.ON_HOLD, PaymentStatus.PAID, FulfillmentStatus.UNFULFILLED, True, StaffLabel.ON_HOLD),
        (Status.DRAFT, PaymentStatus.UNPAID, FulfillmentStatus.UNFULFILLED, True, StaffLabel.DRAFT),
    ],
)
def test_the_staff_label_is_derived_from_the_three_statuses(status, payment, fulfillment, pay_first, label):
    assert (
        staff_label(
            status=status, payment_status=payment, fulfillment_status=fulfillment, pay_first=pay_first
        )
        == label
    )


def test_tax_exclusive_totals_add_tax_rounded_per_line():
    lines = [
        LineInput(quantity=3, unit_price=D("19.99"), tax_rate=D("0.13")),
        LineInput(quantity=1, unit_price=D("5.00"), tax_rate=D("0.09"), discount=D("1.00")),
    ]

    totals = order_totals(
        lines, prices_include_tax=False, currency="CNY", shipping_fee=D("12"), order_discount=D("2.50")
    )

    assert [t.subtotal for t in totals.lines] == [D("59.97"), D("4.00")]
    assert [t.tax for t in totals.lines] == [D("7.80"), D("0.36")]
    assert totals.subtotal == D("63.97")
    assert totals.tax == D("8.16")
    assert totals.total == D("63.97") + D("12.00") - D("2.50") + D("8.16")


def test_tax_inclusive_totals_show_the_contained_tax_without_adding_it():
    totals = order_totals(
        [LineInput(quantity=2, unit_price=D("113.00"), tax_rate=D("0.13"))],
        prices_include_tax=True,
        currency="CNY",
        shipping_fee=D("10.00"),
    )

    assert totals.tax == D("26.00")
    assert totals.total == D("236.00")


money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([D("0"), D("0.06"), D("0.09"), D("0.13")])
lines_strategy = st.lists(
    st.builds(LineInput, quantity=st.integers(1, 1000), unit_price=money, tax_rate=rates),
    min_size=1,
    max_size=8,
)


@given(lines=lines_strategy, inclusive=st.booleans(), shipping=money)
def test_totals_are_exact_sums_of_their_parts_in_cents(lines, inclusive, shipping):
    totals = order_totals(lines, prices_include_tax=inclusive, currency="CNY", shipping_fee=shipping)

    assert totals.subtotal == sum((t.subtotal for t in totals.lines), D(0))
    assert totals.tax == sum((t.tax for t in totals.lines), D(0))
    expected = totals.subtotal + totals.shipping_fee + (D(0) if inclusive else totals.tax)
    assert totals.total == expected
    for value in (totals.subtotal, totals.tax, totals.total):
        assert value == value.quantize(D("0.01"))
    if inclusive:
        assert totals.tax <= totals.subtotal
