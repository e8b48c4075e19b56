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


class PriceList(BaseModel):
    """Prices for a channel (blank: every channel) and customer grade (blank: every grade) in
    one currency, valid between two dates; the highest priority that matches wins."""

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
    customer_grade = models.CharField(
        _("customer grade"),
        max_length=32,
        blank=True,
        validators=[RegexValidator(GRADE_PATTERN, _("Use lower-case letters, digits and _."))],
        help_text=_("Leave empty for every grade."),
    )
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
