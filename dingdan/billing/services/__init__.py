"""The only writes of the billing context."""

from .credit import credit_hold_set
from .invoices import CreditLine, credit_note_issue, invoice_issue, invoices_issue_due
from .payments import PaymentRequest, payment_capture, payment_notification_apply, payment_record
from .policy import unpaid_order_cancel, unpaid_orders_cancel
from .reconciliation import (
    statement_import,
    statement_line_confirm,
    statement_line_match,
    statement_line_unmatch,
)
from .refunds import (
    RefundLine,
    RefundRequest,
    approval_limit_for,
    refund_approve,
    refund_reject,
    refund_request,
)

__all__ = [
    "CreditLine",
    "PaymentRequest",
    "RefundLine",
    "RefundRequest",
    "approval_limit_for",
    "credit_hold_set",
    "credit_note_issue",
    "invoice_issue",
    "invoices_issue_due",
    "payment_capture",
    "payment_notification_apply",
    "payment_record",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "statement_import",
    "statement_line_confirm",
    "statement_line_match",
    "statement_line_unmatch",
    "unpaid_order_cancel",
    "unpaid_orders_cancel",
]
