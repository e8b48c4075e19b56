"""Pure decisions about orders: the transition table, staff labels and totals.

No ORM, clock or settings here: plain data in, plain data out (STYLE rule 2).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dingdan.core.money import ZERO, quantize


class Status(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    CONFIRMED = "confirmed"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "unfulfilled"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    HOLD = "hold"
    RELEASE = "release"
    REJECT = "reject"
    CANCEL = "cancel"
    COMPLETE = "complete"


S = Status
# (action, from) -> the statuses the action may lead to. Anything else is refused.
TRANSITIONS: dict[tuple[Action, Status], frozenset[Status]] = {
    (Action.SUBMIT, S.DRAFT): frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.ON_HOLD}),
    (Action.APPROVE, S.PENDING_REVIEW): frozenset({S.CONFIRMED}),
    # Approving a held order overrides its failed checks: orders:override and a note.
    (Action.APPROVE, S.ON_HOLD): frozenset({S.CONFIRMED}),
    (Action.HOLD, S.PENDING_REVIEW): frozenset({S.ON_HOLD}),
    (Action.HOLD, S.CONFIRMED): frozenset({S.ON_HOLD}),
    (Action.RELEASE, S.ON_HOLD): frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.ON_HOLD}),
    (Action.REJECT, S.PENDING_REVIEW): frozenset({S.REJECTED}),
    (Action.REJECT, S.ON_HOLD): frozenset({S.REJECTED}),
    (Action.CANCEL, S.DRAFT): frozenset({S.CANCELLED}),
    (Action.CANCEL, S.PENDING_REVIEW): frozenset({S.CANCELLED}),
    (Action.CANCEL, S.ON_HOLD): frozenset({S.CANCELLED}),
    (Action.CANCEL, S.CONFIRMED): frozenset({S.CANCELLED}),
    (Action.COMPLETE, S.CONFIRMED): frozenset({S.COMPLETED}),
}

TERMINAL = frozenset({S.COMPLETED, S.REJECTED, S.CANCELLED})
# Statuses whose order holds stock reservations.
RESERVING = frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.ON_HOLD})
# Statuses in which an order waits in the review queue, and in which it may be amended.
IN_REVIEW_QUEUE = frozenset({S.PENDING_REVIEW, S.ON_HOLD})
AMENDABLE = frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.ON_HOLD})
# Statuses whose order brings no sales: cancelled, rejected and drafts (never submitted). Every
# other status counts, on hold and pending review included: the order is the customer's demand
# until it ends.
NOT_COUNTED = (S.CANCELLED, S.REJECTED, S.DRAFT)


def allowed_targets(action: Action, current: Status) -> frozenset[Status]:
    return TRANSITIONS.get((action, current), frozenset())


def can(action: Action, current: Status) -> bool:
    return (action, current) in TRANSITIONS


def available_actions(current: Status) -> list[Action]:
    return [action for action in Action if can(action, current)]


def status_after_checks(*, has_failures: bool, has_shortage: bool, auto_confirm: bool) -> Status:
    """Where a submitted (or released) order goes once its checks have run."""
    if has_failures or has_shortage:
        return S.ON_HOLD
    return S.CONFIRMED if auto_confirm else S.PENDING_REVIEW


class StaffLabel(StrEnum):
    """The labels order staff use every day; derived, never stored (ARCHITECTURE §4)."""

    DRAFT = "draft"  # 草稿
    AWAITING_REVIEW = "awaiting_review"  # 待审核
    ON_HOLD = "on_hold"  # 挂起
    AWAITING_PAYMENT = "awaiting_payment"  # 待付款
    AWAITING_SHIPMENT = "awaiting_shipment"  # 待发货
    SHIPPED = "shipped"  # 已发货
    COMPLETED = "completed"  # 已完成
    CANCELLED = "cancelled"  # 已取消


_PAID = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})
_SHIPPED = frozenset(
    {
        FulfillmentStatus.PARTIALLY_SHIPPED,
        FulfillmentStatus.SHIPPED,
        FulfillmentStatus.DELIVERED,
        FulfillmentStatus.PARTIALLY_RETURNED,
        FulfillmentStatus.RETURNED,
    }
)


def staff_label(
    *, status: Status, payment_status: PaymentStatus, fulfillment_status: FulfillmentStatus, pay_first: bool
) -> StaffLabel:
    """One label from the three statuses and whether the channel wants payment before shipment."""
    if status in {S.CANCELLED, S.REJECTED}:
        return StaffLabel.CANCELLED
    if status == S.COMPLETED:
        return StaffLabel.COMPLETED
    if status == S.DRAFT:
        return StaffLabel.DRAFT
    if fulfillment_status in _SHIPPED:
        return StaffLabel.SHIPPED
    if status == S.ON_HOLD:
        return StaffLabel.ON_HOLD
    if status == S.PENDING_REVIEW:
        return StaffLabel.AWAITING_REVIEW
    if pay_first and payment_status not in _PAID:
        return StaffLabel.AWAITING_PAYMENT
    return StaffLabel.AWAITING_SHIPMENT


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True)
class LineTotals:
    subtotal: Decimal  # quantity × unit price − line discount
    tax: Decimal  # added (tax-exclusive prices) or contained (tax-inclusive prices)


@dataclass(frozen=True)
class OrderTotals:
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    discount: Decimal
    shipping_fee: Decimal
    tax: Decimal
    total: Decimal


def line_totals(line: LineInput, *, prices_include_tax: bool, currency: str) -> LineTotals:
    subtotal = quantize(line.unit_price * line.quantity, currency) - quantize(line.discount, currency)
    if prices_include_tax:
        tax = quantize(subtotal * line.tax_rate / (1 + line.tax_rate), currency)
    else:
        tax = quantize(subtotal * line.tax_rate, currency)
    return LineTotals(subtotal=subtotal, tax=tax)


def order_totals(
    lines: Sequence[LineInput],
    *,
    prices_include_tax: bool,
    currency: str,
    shipping_fee: Decimal = ZERO,
    order_discount: Decimal = ZERO,
) -> OrderTotals:
    """ARCHITECTURE §5: total = lines + shipping − discounts, plus tax where prices exclude it
    (with tax-inclusive prices the contained tax is shown, not added). Tax is rounded per line."""
    computed = tuple(
        line_totals(line, prices_include_tax=prices_include_tax, currency=currency) for line in lines
    )
    subtotal = _sum(t.subtotal for t in computed)
    tax = _sum(t.tax for t in computed)
    shipping = quantize(shipping_fee, currency)
    discount = quantize(order_discount, currency)
    total = subtotal + shipping - discount + (ZERO if prices_include_tax else tax)
    return OrderTotals(
        lines=computed, subtotal=subtotal, discount=discount, shipping_fee=shipping, tax=tax, total=total
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


# Exception cases --------------------------------------------------------------------------


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class CaseAction(StrEnum):
    ASSIGN = "assign"
    NOTE = "note"
    RESOLVE = "resolve"
    CANCEL = "cancel"


C = CaseStatus
CASE_TRANSITIONS: dict[tuple[CaseAction, CaseStatus], CaseStatus] = {
    (CaseAction.ASSIGN, C.OPEN): C.IN_PROGRESS,
    (CaseAction.ASSIGN, C.IN_PROGRESS): C.IN_PROGRESS,
    (CaseAction.NOTE, C.OPEN): C.OPEN,
    (CaseAction.NOTE, C.IN_PROGRESS): C.IN_PROGRESS,
    (CaseAction.RESOLVE, C.OPEN): C.RESOLVED,
    (CaseAction.RESOLVE, C.IN_PROGRESS): C.RESOLVED,
    (CaseAction.CANCEL, C.OPEN): C.CANCELLED,
    (CaseAction.CANCEL, C.IN_PROGRESS): C.CANCELLED,
}
CASE_CLOSED = frozenset({C.RESOLVED, C.CANCELLED})


def case_next_status(action: CaseAction, current: CaseStatus) -> CaseStatus | None:
    """The case's status after `action`, or None when the action is not allowed."""
    return CASE_TRANSITIONS.get((action, current))


# Amendments -------------------------------------------------------------------------------


class ChangeStatus(StrEnum):
    STAGED = "staged"
    COMMITTED = "committed"
    DISCARDED = "discarded"


# Classification at intake -----------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    type: str
    priority: str
    customer_grade: str


def classify(
    *,
    requested_type: str,
    requested_priority: str,
    channel_kind: str,
    customer_grade: str,
    customer_kind: str,
) -> Classification:
    """The rules at intake: a wholesale channel or a wholesale customer makes a wholesale
    order (a custom order stays custom); what the caller asked for is never lowered.
    Priority: as requested (urgent stays urgent); VIP customers rank by their grade."""
    order_type = requested_type
    if order_type == "normal" and (channel_kind == "wholesale" or customer_grade == "wholesale"):
        order_type = "wholesale"
    return Classification(type=order_type, priority=requested_priority, customer_grade=customer_grade)


# Queue ranking: urgent before VIP before the rest (then oldest first).
VIP_GRADES = frozenset({"vip"})


def blacklist_key(kind: str, value: object) -> str:
    """The normalised form blacklist entries are stored and looked up in: phones as digits
    (a leading +86 country code dropped), e-mails lower-case, addresses as their parts
    joined without spaces, customers as their id."""
    text = str(value or "").strip()
    if kind == "phone":
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits[2:] if text.startswith("+86") else digits
    if kind == "email":
        return text.lower()
    if kind == "address" and isinstance(value, dict):
        parts = [str(value.get(name) or "") for name in ("province", "city", "district", "street")]
        return "".join("".join(part.split()) for part in parts).lower()
    if kind == "address":
        return "".join(text.split()).lower()
    return text
