import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel


class WarehouseKind(models.TextChoices):
    OWN = "own", _("Own warehouse")
    THIRD_PARTY = "third_party", _("Third-party logistics (3PL)")
    STORE = "store", _("Store")


class WarehouseRegion(models.TextChoices):
    """China's seven geographic regions: sourcing prefers a warehouse in the order's region."""

    EAST = "east", _("East China")
    SOUTH = "south", _("South China")
    NORTH = "north", _("North China")
    CENTRAL = "central", _("Central China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    NORTHEAST = "northeast", _("Northeast China")


class Warehouse(BaseModel):
    """A place that holds stock and ships orders: our own, a 3PL's, or a store's back room."""

    # Module-level classes so their OpenAPI components are WarehouseKind and WarehouseRegion,
    # not a bare "Kind" that collides with other contexts' choices.
    Kind = WarehouseKind
    Region = WarehouseRegion

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9_-]*$", _("Use lower-case letters, digits, - and _."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OWN)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    country_code = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=64)
    city = models.CharField(_("city"), max_length=64)
    district = models.CharField(_("district"), max_length=64, blank=True)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=100,
        validators=[MaxValueValidator(1000)],
        help_text=_("Sourcing tries warehouses with lower numbers first."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    cutoff_time = models.TimeField(
        _("cut-off time"),
        default=dt.time(16, 0),
        help_text=_("Orders confirmed after this local time ship the next business day."),
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_warehouses", verbose_name=_("owners")
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(priority__lte=1000), name="warehouse_priority_range"),
        ]
        indexes = [models.Index(fields=["priority", "id"], name="warehouse_priority_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class StockLevel(models.Model):
    """On hand and reserved units of one SKU in one warehouse (ARCHITECTURE §5).

    Counters change only through conditional UPDATEs with F() expressions in the services;
    the CHECK constraints make an oversell impossible even for a buggy caller."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    reorder_point = models.PositiveIntegerField(_("reorder point"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_one_row_per_sku_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """The append-only ledger of physical stock: on_hand is its sum per SKU and warehouse."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")
        SHIPMENT = "shipment", _("Shipment")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        RETURN = "return", _("Return")
        COUNT = "count", _("Stock count")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero")]
        indexes = [models.Index(fields=["sku", "warehouse", "-id"], name="movement_sku_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.sku_id}@{self.warehouse_id}"


class Reservation(models.Model):
    """Units set aside for a demand (an order line); `reserved` is the sum of the open ones."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RELEASED = "released", _("Released")
        CONSUMED = "consumed", _("Consumed")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    demand_type = models.CharField(max_length=32)  # e.g. "order_line"
    demand_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True)  # e.g. the order number, for people
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive")
        ]
        indexes = [
            models.Index(fields=["demand_type", "demand_id"], name="reservation_demand"),
            models.Index(fields=["sku", "warehouse"], condition=Q(status="open"), name="reservation_open"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}@{self.warehouse_id} for {self.demand_type}:{self.demand_id}"


class BinLocation(models.Model):
    """A place in a warehouse (aisle-rack-level); pick lists walk them in code order."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="bins")
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", _("Use upper-case letters, digits and -."))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bin location")
        verbose_name_plural = _("bin locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="bin_code_unique_per_warehouse")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}:{self.code}"


class BinStock(models.Model):
    """Units of one SKU in one bin. The bins of a (SKU, warehouse) never hold more than its
    on_hand (`dingdan verify`); units not yet put away are simply in no bin."""

    bin = models.ForeignKey(BinLocation, on_delete=models.PROTECT, related_name="stock")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("bin stock")
        verbose_name_plural = _("bin stock")
        constraints = [
            models.UniqueConstraint(fields=["bin", "sku"], name="bin_stock_one_row_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="bin_stock_not_negative"),
        ]


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")


class Transfer(BaseModel):
    """Stock moving between warehouses: out of the source when shipped, into the destination
    when received; in transit (in neither warehouse's on_hand) in between."""

    Status = TransferStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    source = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    note = models.CharField(_("note"), max_length=255, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two_warehouses"
            )
        ]


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="transfer_line_quantity_positive")
        ]


class StockCountKind(models.TextChoices):
    FULL = "full", _("Full count")
    CYCLE = "cycle", _("Cycle count")


class StockCountStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")


class StockCount(BaseModel):
    """A count of a warehouse (every SKU with stock) or of some SKUs (cycle); posting it
    records each difference as a ledger row of kind `count` with the count's reason."""

    Kind = StockCountKind
    Status = StockCountStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("reason"), max_length=64)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField()  # on_hand when the count was opened
    counted = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["count", "sku"], name="count_line_one_per_sku"),
            models.CheckConstraint(condition=Q(counted__gte=0), name="count_line_counted_not_negative"),
        ]
