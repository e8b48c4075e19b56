from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class CustomerGrade(models.TextChoices):
    # The codes are what the catalog's price lists match (customer grade code).
    NORMAL = "normal", _("Normal")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    VIP = "vip", _("VIP")
    WHOLESALE = "wholesale", _("Wholesale")


class CustomerLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    ZH_HANT = "zh-hant", _("Traditional Chinese")
    EN = "en", _("English")


class Customer(BaseModel):
    """A person or company that orders from us; the aggregate root of its addresses and
    contacts. `version` grows with every change to the aggregate (ETag / If-Match)."""

    Kind = CustomerKind
    Grade = CustomerGrade
    Language = CustomerLanguage

    # NULL only inside the creating transaction, until the generated code is set.
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(CODE_PATTERN, _("Use letters, digits, '.', '-' and '_'."))],
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=32, choices=Grade.choices, default=Grade.NORMAL)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    credit_hold = models.BooleanField(_("credit hold"), default=False)
    notify_email = models.BooleanField(_("notify by e-mail"), default=True)
    notify_sms = models.BooleanField(_("notify by SMS"), default=True)
    # Notification preferences (notifications reads them; ARCHITECTURE §6c).
    notify_opt_out = models.BooleanField(_("opted out of all notifications"), default=False)
    notify_muted_events = models.JSONField(_("event types not to notify"), default=list, blank=True)
    sms_quiet_start = models.TimeField(_("SMS quiet hours from"), null=True, blank=True)
    sms_quiet_end = models.TimeField(_("SMS quiet hours until"), null=True, blank=True)
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    taxpayer_id = models.CharField(
        _("taxpayer ID"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Z]{15,20}$", _("Use 15 to 20 capital letters and digits."))],
    )
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    bank_account = models.CharField(
        _("bank account"),
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Z ]{4,40}$", _("Use digits, capital letters and spaces."))],
    )
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    registered_phone = models.CharField(_("registered phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(fields=["email"], name="customer_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="customer_credit_limit_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="customer_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Contact(BaseModel):
    """A person to talk to at a customer (mostly companies): buyer, accountant, receiver."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("role or title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Address(BaseModel):
    """A postal address of a customer. For China: province, city, district (区/县), street."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=50, blank=True)
    recipient = models.CharField(_("recipient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    country_code = models.CharField(
        _("country"),
        max_length=2,
        default="CN",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the ISO 3166 two-letter code."))],
    )
    province = models.CharField(_("province"), max_length=64, blank=True)
    city = models.CharField(_("city"), max_length=64, blank=True)
    district = models.CharField(_("district"), max_length=64, blank=True)
    street = models.CharField(_("street address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    is_default_shipping = models.BooleanField(_("default shipping address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default_shipping=True),
                name="customer_one_default_shipping_address",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default_billing=True),
                name="customer_one_default_billing_address",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.label, self.province, self.city, self.district) if part)
