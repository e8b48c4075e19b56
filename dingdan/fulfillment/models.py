"""Tables of the fulfillment context: sourcing decisions, pick lists, packages, shipments,
carriers and tracking events."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel


class Carrier(models.Model):
    """A carrier with its tracking-number format and public tracking page (seeded by a data
    migration; `adapter` names a registered label/tracking API adapter, if any)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64)
    tracking_pattern = models.CharField(_("tracking number pattern"), max_length=200, blank=True)
    tracking_url_template = models.CharField(_("tracking page URL"), max_length=300, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    adapter = models.CharField(_("adapter"), max_length=32, blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SourcingPolicy(BaseModel):
    """The sourcing rules of a channel (no channel: the default): which rules rank the
    warehouses and in what order, whether an order may be split, who counts as a priority
    customer, and a shipping cost per warehouse code."""

    channel = models.OneToOneField(
        "channels.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rules = models.JSONField(_("rules"), default=list)
    allow_split = models.BooleanField(_("split orders across warehouses"), default=True)
    priority_grades = models.JSONField(_("priority customer grades"), default=list, blank=True)
    warehouse_costs = models.JSONField(_("shipping cost per warehouse"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sourcing policy")
        verbose_name_plural = _("sourcing policies")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"], condition=Q(channel__isnull=True), name="one_default_sourcing_policy"
            )
        ]


class SourcingDecision(models.Model):
    """Where an order's units were sourced from, and why (or the staff override's reason)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    plan = models.JSONField()  # [{"line_id", "warehouse_id", "quantity"}]
    explanation = models.JSONField(default=list)  # [{"rule", "message"}]
    is_override = models.BooleanField(default=False)
    reason = models.CharField(max_length=255, blank=True)
    actor = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["order", "-id"], name="sourcing_order_recent")]


class PickListKind(models.TextChoices):
    SINGLE = "single", _("Single order")
    WAVE = "wave", _("Wave")


class PickListStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PICKED = "picked", _("Picked")
    CANCELLED = "cancelled", _("Cancelled")


class PickList(BaseModel):
    Kind = PickListKind
    Status = PickListStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.CharField(max_length=150)
    picked_by = models.CharField(max_length=150, blank=True)
    picked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")
        indexes = [models.Index(fields=["warehouse", "status", "-id"], name="picklist_open_recent")]

    def __str__(self) -> str:
        return self.number


class PickListLine(models.Model):
    """Units of one order line to pick from one bin; `picked` is set at confirmation,
    `packed` and `shipped` grow as the units move on."""

    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    bin_id = models.BigIntegerField(null=True, blank=True)
    bin_code = models.CharField(max_length=32, blank=True)
    sequence = models.PositiveIntegerField()  # the walk order through the bins
    quantity = models.PositiveIntegerField()
    picked = models.PositiveIntegerField(null=True, blank=True)
    packed = models.PositiveIntegerField(default=0)
    shipped = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pick_list", "order_line"], name="pick_line_once_per_list"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="pick_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(picked__lte=F("quantity")), name="pick_line_picked_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(packed__lte=F("picked")), name="pick_line_packed_within_picked"
            ),
            models.CheckConstraint(
                condition=Q(shipped__lte=F("packed")), name="pick_line_shipped_within_packed"
            ),
        ]
        indexes = [models.Index(fields=["order_line"], name="pick_line_order_line")]


class Package(BaseModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    pick_list = models.ForeignKey(PickList, on_delete=models.PROTECT, related_name="packages")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(
        "Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="packages"
    )
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=8, decimal_places=3)
    length_cm = models.DecimalField(_("length (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(_("width (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    packed_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [models.CheckConstraint(condition=Q(weight_kg__gt=0), name="package_weight_positive")]
        indexes = [models.Index(fields=["order", "id"], name="package_order")]


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    pick_line = models.ForeignKey(PickListLine, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="package_line_quantity_positive")
        ]


class ShipmentStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    RETURNED = "returned", _("Returned to sender")
    LOST = "lost", _("Lost")


class Shipment(BaseModel):
    Status = ShipmentStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("service"), max_length=32, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    cost = models.DecimalField(_("shipping cost"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SHIPPED)
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    promised_date = models.DateField(null=True, blank=True)  # the order's, to measure on-time shipping
    shipped_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="shipment_tracking_unique_per_carrier"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="shipment_cost_not_negative"),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="shipment_order"),
            # the search by tracking number alone (the unique constraint leads with the carrier);
            # with the order, the search reads the index only
            models.Index(fields=["tracking_number", "order"], name="shipment_tracking_number"),
        ]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="shipment_line_quantity_positive")
        ]


class TrackingEventKind(models.TextChoices):
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")
    LOST = "lost", _("Lost")


class TrackingEvent(models.Model):
    """One carrier scan. `event_id` is the carrier's id (webhooks, uploads) or ours (by
    hand): a second event with the same id is a replay and changes nothing."""

    Kind = TrackingEventKind

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    source = models.CharField(max_length=12)  # webhook | upload | manual
    applied = models.BooleanField(default=True)  # False: recorded, but the shipment was past it
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        indexes = [models.Index(fields=["shipment", "occurred_at"], name="tracking_shipment_time")]
