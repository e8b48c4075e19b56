from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel

from . import domain


def _choices(enum: type, labels: Mapping[str, object]) -> list[tuple[str, object]]:
    return [(member.value, labels[member.value]) for member in enum]  # type: ignore[attr-defined]


STATUS_LABELS = {
    "draft": _("Draft"),
    "pending_review": _("Pending review"),
    "confirmed": _("Confirmed"),
    "on_hold": _("On hold"),
    "completed": _("Completed"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
}
PAYMENT_LABELS = {
    "unpaid": _("Unpaid"),
    "authorized": _("Authorized"),
    "partially_paid": _("Partially paid"),
    "paid": _("Paid"),
    "partially_refunded": _("Partially refunded"),
    "refunded": _("Refunded"),
}
FULFILLMENT_LABELS = {
    "unfulfilled": _("Unfulfilled"),
    "partially_shipped": _("Partially shipped"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "partially_returned": _("Partially returned"),
    "returned": _("Returned"),
}
STAFF_LABELS = {
    "draft": _("Draft"),
    "awaiting_review": _("Awaiting review"),
    "on_hold": _("On hold"),
    "awaiting_payment": _("Awaiting payment"),
    "awaiting_shipment": _("Awaiting shipment"),
    "shipped": _("Shipped"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
}


class OrderType(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WHOLESALE = "wholesale", _("Wholesale")
    CUSTOM = "custom", _("Custom")


class OrderPriority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Order(BaseModel):
    Type = OrderType
    Priority = OrderPriority

    number = models.CharField(_("number"), max_length=32, unique=True)
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="+")
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.NORMAL)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    currency = models.CharField(_("currency"), max_length=3)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    customer_grade = models.CharField(_("customer grade"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=_choices(domain.Status, STATUS_LABELS), default="draft"
    )
    held_from = models.CharField(max_length=16, blank=True)
    hold_reasons = models.JSONField(default=list, blank=True)
    payment_status = models.CharField(
        _("payment status"),
        max_length=20,
        choices=_choices(domain.PaymentStatus, PAYMENT_LABELS),
        default="unpaid",
    )
    fulfillment_status = models.CharField(
        _("fulfilment status"),
        max_length=20,
        choices=_choices(domain.FulfillmentStatus, FULFILLMENT_LABELS),
        default="unfulfilled",
    )
    pay_first = models.BooleanField(default=True)  # the channel's payment policy at intake
    prices_include_tax = models.BooleanField(default=True)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # What the pricing function applied, each with its explanation (catalog's quote).
    applied_promotions = models.JSONField(default=list, blank=True)
    coupon_codes = models.JSONField(default=list, blank=True)
    shipping_address = models.JSONField(default=dict)
    billing_address = models.JSONField(default=dict, blank=True)
    customer_note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    promised_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # checks.lines_digest of the lines, set whenever they are priced: the duplicate check
    # reads only the customer's orders with the same digest (or none: before it was kept).
    lines_digest = models.CharField(max_length=32, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    # The review queue: who works the order and by when (the channel's review SLA).
    review_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_due_at = models.DateTimeField(_("review due"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="order_external_reference_unique_per_channel",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="order_shipping_fee_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="order_status_recent"),
            models.Index(fields=["channel", "-id"], name="order_channel_recent"),
            models.Index(fields=["customer", "-id"], name="order_customer_recent"),
            models.Index(fields=["-created_at", "-id"], name="order_created_recent"),
            models.Index(fields=["customer", "status"], name="order_customer_status"),
            # The duplicate check: the customer's orders with the same lines, recent ones.
            models.Index(fields=["customer", "lines_digest", "submitted_at"], name="order_customer_lines"),
            # Open orders newest first, with their fulfilment status (checked in the index): the
            # staff labels of open orders (shipped, …) would otherwise read every closed order.
            models.Index(
                fields=["-id", "fulfillment_status"],
                condition=~Q(status__in=("cancelled", "rejected", "completed", "draft")),
                name="order_open_recent",
            ),
            # Figures over a period (dashboard, reports): read from the index alone.
            models.Index(
                fields=["created_at", "status", "total", "channel", "id"], name="order_created_figures"
            ),
            # Confirmed orders by promised date: fulfilment's orders at risk (the dashboard).
            models.Index(
                fields=["promised_date", "id"],
                condition=Q(status="confirmed"),
                name="order_confirmed_promised",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField()
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    specs = models.JSONField(default=dict, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    price_source = models.CharField(max_length=16, default="price_list")  # price_list | supplied
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    backorder_quantity = models.PositiveIntegerField(default=0)
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(backorder_quantity__lte=F("quantity")),
                name="order_line_backorder_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity")), name="order_line_shipped_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=F("quantity_shipped")),
                name="order_line_returned_within_shipped",
            ),
        ]
        indexes = [
            # Units and sales per SKU over a period (reports): read from the index alone.
            models.Index(fields=["order", "sku_code", "quantity", "subtotal"], name="order_line_figures"),
            # The few lines waiting for stock (fulfilment's orders at risk and backorders).
            models.Index(
                fields=["order"], condition=Q(backorder_quantity__gt=0), name="order_line_backordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_number} {self.sku_code} × {self.quantity}"


class OrderCheckResult(models.Model):
    """The outcome of one review check at one submission (ARCHITECTURE §4)."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        WARN = "warn", _("Warning")
        FAIL = "fail", _("Fail")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="check_results")
    run = models.PositiveSmallIntegerField()
    check_code = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)  # the message is rendered when read
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        indexes = [models.Index(fields=["order", "run"])]


# Review: queue ownership, check settings, blacklist -------------------------------------


class CheckSeverity(models.TextChoices):
    DEFAULT = "", _("As the check says")
    WARN = "warn", _("At most a warning")
    FAIL = "fail", _("Warnings fail")


class CheckSetting(BaseModel):
    """A channel's setting of one review check: enabled, severity override, parameters
    (e.g. the duplicate check's window). No row: enabled, as the check says."""

    Severity = CheckSeverity

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    check_code = models.CharField(_("check"), max_length=32)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True, default="")
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("check setting")
        verbose_name_plural = _("check settings")
        constraints = [
            models.UniqueConstraint(fields=["channel", "check_code"], name="check_setting_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.check_code}"


class BlacklistKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("Address")
    CUSTOMER = "customer", _("Customer")


class BlacklistEntry(BaseModel):
    """A phone, e-mail, address or customer whose orders fail the blacklist check. `value`
    is normalised (domain.blacklist_key) so lookups are exact."""

    Kind = BlacklistKind

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=255)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blacklist_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class SkuSubstitute(BaseModel):
    """A configured alternative SKU a shortage may be resolved with (lower rank first)."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    substitute = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("SKU substitute")
        verbose_name_plural = _("SKU substitutes")
        constraints = [
            models.UniqueConstraint(fields=["sku", "substitute"], name="sku_substitute_unique"),
            models.CheckConstraint(condition=~Q(sku=F("substitute")), name="sku_substitute_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} → {self.substitute_id}"


# Exception cases ------------------------------------------------------------------------


class ExceptionKind(models.TextChoices):
    STOCK_SHORTAGE = "stock_shortage", _("Stock shortage")
    PAYMENT_PROBLEM = "payment_problem", _("Payment problem")
    ADDRESS_PROBLEM = "address_problem", _("Address problem")
    DELIVERY_FAILURE = "delivery_failure", _("Delivery failure")
    DAMAGED_GOODS = "damaged_goods", _("Damaged goods")
    WRONG_GOODS = "wrong_goods", _("Wrong goods")
    CUSTOMER_REQUEST = "customer_request", _("Customer request")
    OTHER = "other", _("Other")


EXCEPTION_STATUS_LABELS = {
    "open": _("Open"),
    "in_progress": _("In progress"),
    "resolved": _("Resolved"),
    "cancelled": _("Cancelled"),
}


class ExceptionCase(BaseModel):
    """A problem on an order or one of its lines, owned and timed until it is resolved."""

    Kind = ExceptionKind

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="exception_cases")
    line_number = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=_choices(domain.CaseStatus, EXCEPTION_STATUS_LABELS),
        default="open",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_role = models.CharField(_("owner role"), max_length=32, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    resolution = models.CharField(_("resolution"), max_length=32, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    opened_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("exception case")
        verbose_name_plural = _("exception cases")
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="exception_open_due"),
            models.Index(fields=["order", "-id"], name="exception_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk} {self.kind}"


class ExceptionNote(models.Model):
    case = models.ForeignKey(ExceptionCase, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    text = models.TextField()

    class Meta:
        verbose_name = _("exception note")
        verbose_name_plural = _("exception notes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.at:%Y-%m-%d %H:%M}"


# Amendments -----------------------------------------------------------------------------


class OrderRevision(models.Model):
    """An order as it stood at one revision (header, lines, totals); revisions are kept."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    change_request = models.ForeignKey(
        "OrderChangeRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order revision")
        verbose_name_plural = _("order revisions")
        constraints = [
            models.UniqueConstraint(fields=["order", "revision"], name="order_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} r{self.revision}"


CHANGE_STATUS_LABELS = {
    "staged": _("Staged"),
    "committed": _("Committed"),
    "discarded": _("Discarded"),
}


class OrderChangeRequest(BaseModel):
    """A staged amendment: a list of operations against the order as it stood at
    `base_version`; committing it creates a new revision."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="change_requests")
    status = models.CharField(
        max_length=12, choices=_choices(domain.ChangeStatus, CHANGE_STATUS_LABELS), default="staged"
    )
    base_version = models.PositiveIntegerField()
    operations = models.JSONField(default=list)
    note = models.TextField(blank=True)
    may_set_prices = models.BooleanField(default=False)
    created_by = models.CharField(max_length=150, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("order change request")
        verbose_name_plural = _("order change requests")
        indexes = [models.Index(fields=["order", "-id"], name="change_request_order")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk} {self.status}"
