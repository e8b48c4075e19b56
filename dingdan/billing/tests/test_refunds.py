"""The refund ledger: partial refunds, the balance check, approval limits, and a property test
over generated sequences of payments, captures and refunds."""

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingdan.billing import domain
from dingdan.billing.exceptions import (
    InvalidRefund,
    InvalidRefundTransition,
    PaymentExceedsBalance,
    RefundExceedsBalance,
    SelfApprovalNotAllowed,
)
from dingdan.billing.models import OrderAccount, Payment, Refund
from dingdan.billing.services import (
    PaymentRequest,
    RefundLine,
    RefundRequest,
    payment_capture,
    payment_notification_apply,
    payment_record,
    refund_approve,
    refund_reject,
    refund_request,
)
from dingdan.billing.tests.conftest import pay, place
from dingdan.core.actors import SYSTEM, actor_for_user
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.orders.models import Order

pytestmark = pytest.mark.django_db


def refund(order: Any, amount: str, kind: str = "goodwill", actor: Any = SYSTEM, **fields: Any) -> Refund:
    return refund_request(
        actor=actor, order_id=order.pk, request=RefundRequest(amount=Decimal(amount), kind=kind, **fields)
    )


def state(order: Any) -> tuple[str, str, str, str]:
    account = OrderAccount.objects.get(order=order)
    order.refresh_from_db()
    return str(account.captured), str(account.refunded), str(account.refund_pending), order.payment_status


def everything() -> dict[str, Any]:
    return {
        "refunds": list(Refund.objects.order_by("pk").values_list("pk", "status")),
        "accounts": list(OrderAccount.objects.values_list("captured", "refunded", "refund_pending")),
        "orders": list(Order.objects.order_by("pk").values_list("payment_status", "version")),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


def test_several_partial_refunds_move_the_order_to_partially_refunded_then_refunded(order):
    pay(order, "198.00")

    first = refund(order, "99.00", kind="returned_goods", lines=(RefundLine(1, 1, Decimal("99.00")),))
    assert (first.status, state(order)) == ("succeeded", ("198.00", "99.00", "0.00", "partially_refunded"))

    refund(order, "50.00", kind="price_adjustment")
    refund(order, "49.00", kind="shipping")

    assert state(order) == ("198.00", "198.00", "0.00", "refunded")
    assert first.lines == [{"line_number": 1, "quantity": 1, "amount": "99.00"}]
    assert OutboxEvent.objects.filter(type="refund.succeeded").count() == 3


def test_a_refund_beyond_captured_minus_refunded_is_refused_and_changes_nothing(order):
    pay(order, "100.00")
    refund(order, "60.00")
    before = everything()

    with pytest.raises(RefundExceedsBalance) as raised:
        refund(order, "40.01")

    assert raised.value.errors[0]["message"] == "At most 40.00 can be refunded."
    assert everything() == before


def test_an_order_without_captured_money_refunds_nothing(order):
    before = everything()

    with pytest.raises(RefundExceedsBalance):
        refund(order, "1.00")

    assert everything() == before


@pytest.mark.parametrize(
    ("amount", "kind", "lines"),
    [
        ("0", "goodwill", ()),
        ("1.005", "goodwill", ()),
        ("1.00", "bribe", ()),
        ("10.00", "partial_lines", (RefundLine(9, 1, Decimal("10.00")),)),
        ("10.00", "partial_lines", (RefundLine(1, 3, Decimal("10.00")),)),
        ("10.00", "partial_lines", (RefundLine(1, 1, Decimal("9.00")),)),
        ("300.00", "partial_lines", (RefundLine(1, 1, Decimal("300.00")),)),
    ],
)
def test_a_bad_refund_request_is_refused_and_changes_nothing(order, amount, kind, lines):
    pay(order, "198.00")
    before = everything()

    with pytest.raises(InvalidRefund):
        refund(order, amount, kind=kind, lines=lines)

    assert everything() == before


def test_a_refund_above_the_requesters_limit_waits_for_approval_holding_its_amount(shop, make_user):
    order = place(shop, ("TEE-BLK-M", 10))  # 990.00
    pay(order, "990.00")
    clerk = actor_for_user(make_user("customer_service"))  # may refund up to 500.00 alone
    approver = actor_for_user(make_user("finance"))

    waiting = refund(order, "600.00", actor=clerk)

    assert waiting.status == "pending_approval"
    assert state(order) == ("990.00", "0.00", "600.00", "paid")
    with pytest.raises(RefundExceedsBalance):  # what waits is held
        refund(order, "390.01", actor=clerk)
    assert refund(order, "390.00", actor=clerk).status == "succeeded"  # within the limit

    approved = refund_approve(actor=approver, refund_id=waiting.pk)

    assert (approved.status, approved.decided_by) == ("succeeded", str(approver))
    assert state(order) == ("990.00", "990.00", "0.00", "refunded")


def test_within_the_limit_a_refund_is_paid_out_at_once(order, make_user):
    pay(order, "198.00")
    clerk = actor_for_user(make_user("customer_service"))

    assert refund(order, "198.00", actor=clerk).status == "succeeded"


def test_a_rejected_refund_releases_its_amount_and_an_approver_cannot_approve_their_own(shop, make_user):
    order = place(shop, ("TEE-BLK-M", 10))
    pay(order, "990.00")
    finance = actor_for_user(make_user("finance"))  # limit 5000.00, but approving needs another person
    clerk = actor_for_user(make_user("customer_service"))
    waiting = refund(order, "700.00", actor=clerk)

    with pytest.raises(SelfApprovalNotAllowed):
        refund_approve(actor=clerk, refund_id=waiting.pk)
    rejected = refund_reject(actor=finance, refund_id=waiting.pk, reason="not returned")

    assert rejected.status == "rejected"
    assert state(order) == ("990.00", "0.00", "0.00", "paid")
    with pytest.raises(InvalidRefundTransition):
        refund_approve(actor=finance, refund_id=waiting.pk)


def test_a_provider_payment_is_refunded_through_the_provider(order, sandbox):
    payment = pay(order, "198.00", method="alipay")
    for body, headers in sandbox.take_notifications():
        payment_notification_apply(provider_code="sandbox", body=body, headers=headers)

    done = refund(order, "50.00")
    declined = refund(order, "10.13")  # the sandbox declines .13

    assert (done.status, done.payment_id, done.provider_reference[:3]) == ("succeeded", payment.pk, "rf_")
    assert (declined.status, declined.failure_reason) == ("failed", "refund declined")
    assert state(order) == ("198.00", "50.00", "0.00", "partially_refunded")


# Property: paid = captured − refunded over generated sequences --------------------------------

amounts = st.integers(min_value=1, max_value=12_000).map(lambda cents: Decimal(cents) / 100)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"), st.sampled_from(["bank_transfer", "cash_on_delivery", "account_credit"]), amounts
        ),
        st.tuples(
            st.just("provider"), st.sampled_from(["alipay", "wechat_pay", "card"]), amounts, st.booleans()
        ),
        st.tuples(st.just("deliver"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("capture"), st.integers(0, 5)),
        st.tuples(st.just("refund"), amounts),
    ),
    min_size=1,
    max_size=12,
)


class Model:
    """What the ledger should say, kept independently of the services."""

    def __init__(self) -> None:
        self.refunded = Decimal(0)
        self.accepted = self.refused = 0

    def check_refund(self, amount: Decimal, outcome: str, captured: Decimal) -> None:
        """Refused exactly when the amount exceeds the balance; within it the refund is paid
        out, or declined by the provider (the sandbox declines amounts ending in .13)."""
        within = amount <= captured - self.refunded
        assert (outcome != "refused") == within, (amount, outcome, captured, self.refunded)
        if outcome == "declined":
            assert amount * 100 % 100 == 13
        if outcome == "succeeded":
            self.refunded += amount


def _run(operation: tuple[Any, ...], order: Any, sandbox: Any, model: Model) -> None:
    kind = operation[0]
    if kind in ("pay", "provider"):
        request = PaymentRequest(
            method=operation[1], amount=operation[2], capture=kind == "pay" or operation[3]
        )
        with contextlib.suppress(PaymentExceedsBalance):  # the only rule that may refuse it here
            payment_record(actor=SYSTEM, order_id=order.pk, request=request)
    elif kind == "deliver" and sandbox.outbox:
        body, headers = sandbox.outbox.pop(operation[1] % len(sandbox.outbox))
        if operation[2]:
            sandbox.outbox.append((body, headers))  # delivered again later
        payment_notification_apply(provider_code="sandbox", body=body, headers=headers)
    elif kind == "capture":
        authorized = list(Payment.objects.filter(order=order, status="authorized").order_by("pk"))
        if authorized:
            payment_capture(actor=SYSTEM, payment_id=authorized[operation[1] % len(authorized)].pk)
    elif kind == "refund":
        paid_in = Payment.objects.filter(order=order, status="captured").aggregate(s=Sum("captured_amount"))
        try:
            request = RefundRequest(operation[1], "goodwill")
            done = refund_request(actor=SYSTEM, order_id=order.pk, request=request)
            outcome = "succeeded" if done.status == "succeeded" else "declined"
        except RefundExceedsBalance:
            outcome = "refused"
        model.check_refund(operation[1], outcome, paid_in["s"] or Decimal(0))


def _assert_invariants(order: Any, model: Model) -> None:
    account = OrderAccount.objects.filter(order=order).first()
    payments = Payment.objects.filter(order=order)
    captured = payments.filter(status="captured").aggregate(s=Sum("captured_amount"))["s"] or Decimal(0)
    authorized = payments.filter(status="authorized").aggregate(s=Sum("amount"))["s"] or Decimal(0)
    refunded = Refund.objects.filter(order=order, status="succeeded").aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)
    order.refresh_from_db()
    assert refunded == model.refunded
    assert refunded <= captured
    if account is not None:
        assert (account.captured, account.authorized, account.refunded) == (captured, authorized, refunded)
        assert account.captured - account.refunded == captured - refunded  # paid
    assert order.payment_status == domain.order_payment_status(
        total=order.total, authorized=authorized, captured=captured, refunded=refunded
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_over_any_sequence_paid_is_captured_minus_refunded_and_no_refund_exceeds_the_balance(
    shop, sandbox, steps
):
    with transaction.atomic():
        order = place(shop, ("TEE-BLK-M", 3))  # 297.00
        sandbox.outbox.clear()
        model = Model()
        for operation in steps:
            _run(operation, order, sandbox, model)
            _assert_invariants(order, model)
        transaction.set_rollback(True)


def test_a_refund_goes_through_a_provider_payment_only_when_that_payment_covers_it(order, sandbox):
    alipay = pay(order, "100.00", method="alipay")
    for body, headers in sandbox.take_notifications():
        payment_notification_apply(provider_code="sandbox", body=body, headers=headers)
    pay(order, "98.00")

    through_provider = refund(order, "60.00")
    by_staff = refund(order, "50.00")  # the Alipay payment has 40.00 left: paid out by hand

    assert (through_provider.payment_id, by_staff.payment_id) == (alipay.pk, None)
    assert state(order) == ("198.00", "110.00", "0.00", "partially_refunded")
    with pytest.raises(InvalidRefund):
        refund(order, "40.01", payment_id=alipay.pk)
