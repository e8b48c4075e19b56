"""Tables of the billing context: payments, the per-order money account, refunds, invoices
with their gapless series, and bank/provider statements for reconciliation."""

from collections.abc import Mapping

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel

from . import domain


def _choices(enum: type, labels: Mapping[str, object]) -> list[tuple[str, object]]:
    return [(member.value, labels[member.value]) for member in enum]  # type: ignore[attr-defined]


METHOD_LABELS = {
    "bank_transfer": _("Bank transfer"),
    "alipay": _("Alipay"),
    "wechat_pay": _("WeChat Pay"),
    "card": _("Card"),
    "cash_on_delivery": _("Cash on delivery"),
    "account_credit": _("Account credit"),
}
PAYMENT_STATUS_LABELS = {
    "pending": _("Pending"),
    "authorized": _("Authorized"),
    "captured": _("Captured"),
    "failed": _("Failed"),
    "voided": _("Voided"),
}
REFUND_KIND_LABELS = {
    "returned_goods": _("Returned goods"),
    "partial_lines": _("Partial lines"),
    "shipping": _("Shipping"),
    "goodwill": _("Goodwill"),
    "price_adjustment": _("Price adjustment"),
}
REFUND_STATUS_LABELS = {
    "pending_approval": _("Waiting for approval"),
    "succeeded": _("Refunded"),
    "rejected": _("Rejected"),
    "failed": _("Failed"),
}


class OrderAccount(models.Model):
    """The money of one order: what was authorised, captured and refunded, and what pending
    refunds hold. The row every money change of the order updates with a conditional UPDATE,
    so `refunded + refund_pending <= captured` holds under concurrency (and as a CHECK)."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    authorized = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    captured = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refund_pending = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order account")
        verbose_name_plural = _("order accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(authorized__gte=0, captured__gte=0, refunded__gte=0, refund_pending__gte=0),
                name="billing_account_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(captured__gte=F("refunded") + F("refund_pending")),
                name="billing_account_refunds_within_captured",
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id}: {self.captured} captured, {self.refunded} refunded"


class Payment(BaseModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=20, choices=_choices(domain.Method, METHOD_LABELS))
    status = models.CharField(
        _("status"), max_length=12, choices=_choices(domain.PaymentState, PAYMENT_STATUS_LABELS)
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    captured_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"))
    provider = models.CharField(max_length=32, blank=True)
    provider_reference = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0, captured_amount__lte=F("amount")),
                name="billing_payment_captured_within_amount",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="billing_payment_provider_reference_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="billing_payment_order"),
            models.Index(fields=["received_at", "id"], name="billing_payment_received"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} {self.currency} ({self.status})"


class ProviderNotification(models.Model):
    """Every notification a provider sent, once (its event id is unique): duplicates are
    recognised and answered without changing anything."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=64)
    provider_reference = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    payload = models.JSONField()
    outcome = models.CharField(max_length=16)  # applied | stale | unknown_payment
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="billing_notification_once"),
        ]


class Refund(BaseModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=_choices(domain.RefundKind, REFUND_KIND_LABELS))
    status = models.CharField(
        _("status"), max_length=20, choices=_choices(domain.RefundState, REFUND_STATUS_LABELS)
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    lines = models.JSONField(default=list, blank=True)  # [{"line_number", "quantity", "amount"}]
    requested_by = models.CharField(max_length=150)
    requested_by_id = models.IntegerField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_refund_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="billing_refund_order"),
            models.Index(fields=["status", "id"], name="billing_refund_status"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} ({self.status})"


class InvoiceSeries(models.Model):
    """A gapless number series: `next_number` is taken and incremented in the issuing
    transaction (the row stays locked until commit), so a rolled-back invoice returns its
    number and every committed number follows the previous one."""

    code = models.CharField(max_length=16, unique=True)
    prefix = models.CharField(max_length=8)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")

    def __str__(self) -> str:
        return self.code


class Invoice(models.Model):
    """An issued invoice or credit note. Never edited: a correction is a credit note."""

    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(max_length=12)  # invoice | credit_note
    invoice_type = models.CharField(max_length=12)  # normal | special (专用发票)
    basis = models.CharField(max_length=12)  # on_order | on_shipment | on_request | correction
    scope = models.CharField(max_length=12)  # whole | shipped | lines | amount
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    currency = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    net_total = models.DecimalField(max_digits=14, decimal_places=2)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2)
    gross_total = models.DecimalField(max_digits=14, decimal_places=2)
    buyer = models.JSONField()  # name, invoice title, taxpayer ID, bank, registered address
    reason = models.CharField(max_length=500, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["series", "sequence"], name="billing_invoice_sequence_unique"),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="billing_invoice_order"),
            models.Index(fields=["issued_at", "id"], name="billing_invoice_issued"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    order_line_number = models.PositiveSmallIntegerField(null=True, blank=True)  # None: shipping etc.
    description = models.CharField(max_length=200)
    quantity = models.IntegerField()  # negative on credit notes
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    net = models.DecimalField(max_digits=14, decimal_places=2)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    gross = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="billing_invoice_line_unique"),
        ]


class Statement(models.Model):
    """An imported bank or payment-provider statement (one file, imported once)."""

    source = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    row_number = models.PositiveIntegerField()
    value_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=200, blank=True)
    payer = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, default="unmatched")  # unmatched | suggested | matched
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confidence = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    match_reasons = models.JSONField(default=list, blank=True)
    matched_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(fields=["statement", "row_number"], name="billing_statement_row_unique"),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status="matched"),
                name="billing_statement_payment_matched_once",
            ),
        ]
