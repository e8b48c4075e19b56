"""Expected failures of the billing context, each with a stable code (problem+json)."""

from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import (
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_message = _("No such payment.")


class RefundNotFound(NotFound):
    code = "refund_not_found"
    default_message = _("No such refund.")


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"
    default_message = _("No such invoice.")


class StatementNotFound(NotFound):
    code = "statement_not_found"
    default_message = _("No such statement.")


class StatementLineNotFound(NotFound):
    code = "statement_line_not_found"
    default_message = _("No such statement line.")


class InvalidPayment(ValidationFailed):
    code = "invalid_payment"
    default_message = _("The payment is not valid.")


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = _("Payments can only be recorded for submitted orders that are not closed.")


class PaymentExceedsBalance(Conflict):
    code = "payment_exceeds_balance"
    default_message = _("The amount exceeds what is still owed on the order.")


class InvalidPaymentTransition(Conflict):
    code = "invalid_payment_transition"
    default_message = _("This action is not allowed for the payment in its current status.")


class UnknownProvider(ValidationFailed):
    code = "unknown_provider"
    default_message = _("No such payment provider.")


class InvalidSignature(BadRequest):
    code = "invalid_signature"
    default_message = _("The notification's signature is missing, invalid or too old.")


class InvalidNotification(BadRequest):
    code = "invalid_notification"
    default_message = _("The notification could not be read.")


class InvalidRefund(ValidationFailed):
    code = "invalid_refund"
    default_message = _("The refund is not valid.")


class RefundExceedsBalance(Conflict):
    code = "refund_exceeds_balance"
    default_message = _("The refund exceeds what was captured minus what was refunded.")


class InvalidRefundTransition(Conflict):
    code = "invalid_refund_transition"
    default_message = _("This refund has already been decided.")


class SelfApprovalNotAllowed(PermissionDenied):
    code = "self_approval_not_allowed"
    default_message = _("A refund must be approved by someone other than its requester.")


class InvalidInvoice(ValidationFailed):
    code = "invalid_invoice"
    default_message = _("The invoice is not valid.")


class OrderNotInvoiceable(Conflict):
    code = "order_not_invoiceable"
    default_message = _("Only confirmed or completed orders can be invoiced.")


class NothingToInvoice(Conflict):
    code = "nothing_to_invoice"
    default_message = _("Everything of this order that can be invoiced has been invoiced.")


class NothingToCredit(Conflict):
    code = "nothing_to_credit"
    default_message = _("Nothing of this invoice is left to credit.")


class InvalidStatement(ValidationFailed):
    code = "invalid_statement"
    default_message = _("The statement file could not be read.")


class StatementAlreadyImported(Conflict):
    code = "statement_already_imported"
    default_message = _("This statement file has already been imported.")


class InvalidMatch(Conflict):
    code = "invalid_match"
    default_message = _("This statement line cannot be matched to that payment.")


class ExportNotFound(NotFound):
    code = "export_not_found"
    default_message = _("The finance export knows payments, invoices and refunds.")


class InvalidExportPeriod(ValidationFailed):
    code = "invalid_export_period"
    default_message = _("The period runs from start to end (inclusive), at most 366 days.")
