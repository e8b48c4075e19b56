"""Tables of the notifications context: webhook subscriptions, message template overrides,
and deliveries (one per event, channel and recipient) with every attempt recorded."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dingdan.core.models import BaseModel, OutboxEvent


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class WebhookSubscription(BaseModel):
    """An integrator's endpoint: the events it wants, signed with its own secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Event types ("order.confirmed"), prefixes ("order.*") or "*" for every event.
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    owner = models.CharField(_("owner"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class MessageTemplate(BaseModel):
    """An administrator's override of a default message template (files under
    templates/notifications/messages/<language>/<event>.html)."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    event_type = models.CharField(_("event type"), max_length=64)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["channel", "event_type", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "event_type", "language"], name="message_template_one_per_language"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="message_template_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event_type} [{self.language}]"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One message of one event to one recipient. A worker claims it with a lease
    (`claim_token`, `lease_until`); a claim whose lease ran out was abandoned by a killed
    worker and is taken over, so nothing is lost (at least once)."""

    State = DeliveryState

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.CharField(_("recipient"), max_length=500)
    language = models.CharField(_("language"), max_length=8, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "recipient"], name="delivery_one_per_event_recipient"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sending", "delivered", "failed"]),
                name="delivery_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["claim_token"], name="delivery_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} ({self.state})"


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    REFUSED = "refused", _("refused")  # the target is not allowed (SSRF guard); never retried
    ABANDONED = "abandoned", _("abandoned")  # the worker died mid-delivery; its lease ran out


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    status_code = models.PositiveIntegerField(_("response status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    manual = models.BooleanField(_("manual redelivery"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "pk"]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"
