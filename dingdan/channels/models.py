from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel


class ChannelKind(models.TextChoices):
    WEB = "web", _("Web shop")
    MARKETPLACE = "marketplace", _("Marketplace")
    POS = "pos", _("Store (POS)")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    IMPORT = "import", _("Excel/CSV import")
    WHOLESALE = "wholesale", _("Wholesale (B2B)")
    OTHER = "other", _("Other")


class ChannelReviewPolicy(models.TextChoices):
    AUTO_CONFIRM = "auto_confirm", _("Confirm automatically when all checks pass")
    MANUAL = "manual", _("Always wait for a reviewer")


class ChannelPaymentPolicy(models.TextChoices):
    PREPAID = "prepaid", _("Pay before shipment")
    ON_DELIVERY = "on_delivery", _("Pay on delivery")
    ON_ACCOUNT = "on_account", _("On account (payment terms)")


class Channel(BaseModel):
    """A sales channel: where orders come from and the policies they follow."""

    Kind = ChannelKind
    ReviewPolicy = ChannelReviewPolicy
    PaymentPolicy = ChannelPaymentPolicy

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9_-]*$", _("Use lower-case letters, digits, - and _."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number_prefix = models.CharField(
        _("order number prefix"),
        max_length=6,
        validators=[RegexValidator(r"^[A-Z]{1,6}$", _("Use 1 to 6 capital letters."))],
    )
    review_policy = models.CharField(
        _("review policy"), max_length=16, choices=ReviewPolicy.choices, default=ReviewPolicy.AUTO_CONFIRM
    )
    payment_policy = models.CharField(
        _("payment policy"), max_length=16, choices=PaymentPolicy.choices, default=PaymentPolicy.PREPAID
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=0)
    sla_hours = models.PositiveSmallIntegerField(
        _("shipping SLA (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    review_sla_hours = models.PositiveSmallIntegerField(
        _("review SLA (hours)"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_("How long an order may wait in the review queue before it is overdue."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sla_hours__gte=1), name="channel_sla_positive"),
            models.CheckConstraint(
                condition=models.Q(review_sla_hours__gte=1), name="channel_review_sla_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
