from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel

from .domain import specs_are_valid

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
GRADE_PATTERN = r"^[a-z0-9_]*$"

code_validator = RegexValidator(CODE_PATTERN, _("Use lower-case letters, digits, - and _."))
item_code_validator = RegexValidator(
    ITEM_CODE_PATTERN, _("Start with a letter or digit; use letters, digits, '.', '/', '-' and '_'.")
)


def validate_specs(value: Any) -> None:
    if not specs_are_valid(value):
        raise ValidationError(
            _('Specs must be an object of texts, e.g. {"颜色": "黑色"}.'), code="invalid_specs"
        )


class Unit(models.TextChoices):
    """Units of sale; zh-Hans labels: 件 箱 套 双 包 瓶 千克 克 米 升."""

    PIECE = "pcs", _("piece")
    BOX = "box", _("box")
    SET = "set", _("set")
    PAIR = "pair", _("pair")
    PACK = "pack", _("pack")
    BOTTLE = "bottle", _("bottle")
    KILOGRAM = "kg", _("kilogram")
    GRAM = "g", _("gram")
    METRE = "m", _("metre")
    LITRE = "l", _("litre")


class TaxRate(BaseModel):
    """A tax class and its rate, e.g. VAT 13 %. SKUs point to it; it is deactivated, never deleted."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A fraction between 0 and 1, e.g. 0.1300 for 13 %."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=1), name="tax_rate_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate})"


class Product(BaseModel):
    """A product (SPU): what customers recognise; it is sold as one or more SKUs."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[item_code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PIECE)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Sku(BaseModel):
    """A sellable variant of a product (one colour and size); sellable while it and its product
    are active."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="skus", verbose_name=_("product")
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[item_code_validator])
    barcode = models.CharField(
        _("barcode"),
        max_length=64,
        blank=True,
        default="",
        validators=[RegexValidator(r"^[0-9A-Za-z-]*$", _("Use digits, letters and -."))],
    )
    specs = models.JSONField(_("specs"), default=dict, blank=True, validators=[validate_specs])
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PIECE)
    tax_rate = models.ForeignKey(
        TaxRate, on_delete=models.PROTECT, related_name="skus", verbose_name=_("tax rate")
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"], condition=~models.Q(barcode=""), name="sku_barcode_unique_when_given"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_sellable(self) -> bool:
        return self.is_active and self.product.is_active


def _for_channel() -> models.ForeignKey:
    """The channel a price list or promotion is limited to (none: every channel)."""
    return models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
        help_text=_("Leave empty for every channel."),
    )


def _for_grade() -> models.CharField:
    """The customer grade a price list or promotion is limited to (blank: every grade)."""
    return models.CharField(
        _("customer grade"),
        max_length=32,
        blank=True,
        validators=[RegexValidator(GRADE_PATTERN, _("Use lower-case letters, digits and _."))],
        help_text=_("Leave empty for every grade."),
    )


class PriceList(BaseModel):
    """Prices for a channel (blank: every channel) and customer grade (blank: every grade) in
    one currency, valid between two dates; the highest priority that matches wins."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    channel = _for_channel()
    customer_grade = _for_grade()
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher wins."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-priority", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="price_list_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": ValidationError(_("Must not be before valid from."), code="invalid_period")}
            )


class PriceListItem(BaseModel):
    """The unit price of a SKU on a price list from a minimum quantity on (quantity tiers)."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    sku = models.ForeignKey(
        Sku, on_delete=models.PROTECT, related_name="price_list_items", verbose_name=_("SKU")
    )
    price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    min_quantity = models.PositiveIntegerField(
        _("minimum quantity"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list_id", "sku_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "sku", "min_quantity"], name="price_list_item_unique_tier"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="price_list_item_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="price_list_item_min_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} ≥{self.min_quantity}: {self.price}"


COUPON_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]*$"


def validate_text_list(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 100 for v in value):
        raise ValidationError(_("Give a list of texts."), code="invalid_list")


class ShippingFeeRule(BaseModel):
    """How a channel (blank: every channel) charges shipping to some provinces (none: all):
    a base fee, a fee per started kilogram above the included weight, and nothing from an
    amount of goods on. The highest priority that applies wins (catalog.pricing)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
        help_text=_("Leave empty for every channel."),
    )
    regions = models.JSONField(
        _("provinces"),
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text=_("Leave empty for every province."),
    )
    base_fee = models.DecimalField(
        _("base fee"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    included_grams = models.PositiveIntegerField(_("weight included (g)"), default=0)
    fee_per_kg = models.DecimalField(
        _("fee per started kg"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    free_above = models.DecimalField(
        _("free from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Goods worth this much or more ship free; empty: never free."),
    )
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher wins."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping fee rule")
        verbose_name_plural = _("shipping fee rules")
        ordering = ["-priority", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(base_fee__gte=0, fee_per_kg__gte=0)
                & (models.Q(free_above__isnull=True) | models.Q(free_above__gte=0)),
                name="shipping_fee_rule_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PromotionKind(models.TextChoices):
    PERCENT_OFF = "percent_off", _("percentage off")
    AMOUNT_OFF = "amount_off", _("amount off")
    BUY_X_GET_Y = "buy_x_get_y", _("buy X get Y")
    THRESHOLD_OFF = "threshold_off", _("spend N get M off")


class PromotionTarget(models.TextChoices):
    ORDER = "order", _("order")
    LINE = "line", _("line")


class PromotionScope(models.TextChoices):
    ALL = "all", _("all goods")
    SKU = "sku", _("SKUs")
    PRODUCT = "product", _("products")
    CATEGORY = "category", _("categories")


class Promotion(BaseModel):
    """A discount in force between two moments for a channel and customer grade (blank:
    every one), on the order or its lines in scope; computed by catalog.pricing."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PromotionKind.choices)
    target = models.CharField(_("applies to"), max_length=8, choices=PromotionTarget.choices)
    scope = models.CharField(
        _("scope"), max_length=16, choices=PromotionScope.choices, default=PromotionScope.ALL
    )
    scope_codes = models.JSONField(
        _("scope codes"),
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text=_("SKU codes, product codes or categories, as the scope says."),
    )
    percent = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A fraction between 0 and 1: 0.1500 takes 15 per cent off."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    min_subtotal = models.DecimalField(
        _("minimum spend"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    buy_quantity = models.PositiveIntegerField(_("buy quantity"), default=0)
    get_quantity = models.PositiveIntegerField(_("free quantity"), default=0)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher applies first."))
    stackable = models.BooleanField(_("stackable"), default=True)
    requires_coupon = models.BooleanField(_("requires a coupon"), default=False)
    channel = _for_channel()
    customer_grade = _for_grade()
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-priority", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=1, amount__gte=0, min_subtotal__gte=0),
                name="promotion_amounts_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="promotion_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Coupon(BaseModel):
    """A code that unlocks a promotion, usable a limited number of times in total and per
    customer (blank: unlimited) within its validity. `used_count` changes only by conditional
    UPDATE (services.coupons), so it never passes the limit."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(COUPON_CODE_PATTERN, _("Use capital letters, digits, - and _."))],
    )
    promotion = models.ForeignKey(
        Promotion, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("promotion")
    )
    usage_limit = models.PositiveIntegerField(_("usage limit"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    used_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usage_limit__isnull=True)
                | models.Q(used_count__lte=models.F("usage_limit")),
                name="coupon_used_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="coupon_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponCustomerUsage(models.Model):
    """How often one customer used a coupon (the per-customer limit's counter)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField()
    used_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coupon", "customer_id"], name="coupon_usage_unique_customer"),
        ]


class CouponRedemption(models.Model):
    """A coupon used by an order; released (not deleted) when the order is cancelled."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order_number = models.CharField(max_length=32)
    customer_id = models.BigIntegerField()
    redeemed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        constraints = [
            models.UniqueConstraint(fields=["coupon", "order_number"], name="coupon_redemption_unique_order"),
        ]
        indexes = [models.Index(fields=["order_number"], name="coupon_redemption_order")]

    def __str__(self) -> str:
        return f"{self.coupon_id} → {self.order_number}"
