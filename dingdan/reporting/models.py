"""Read models of the reports. Derived data: every row can be rebuilt from the orders."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SkuDay(models.Model):
    """Units, revenue and orders of one SKU in one channel on one business day (company time
    zone), over the orders that count for sales (orders.domain.NOT_COUNTED left out)."""

    day = models.DateField(_("day"))
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sku_code = models.CharField(_("SKU"), max_length=64)
    units = models.PositiveBigIntegerField(_("units"))
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        verbose_name = _("SKU sales of a day")
        verbose_name_plural = _("SKU sales per day")
        constraints = [
            # Also the index the reports read a period through (day first).
            models.UniqueConstraint(fields=["day", "channel", "sku_code"], name="sku_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.sku_code} × {self.units}"


class SkuDayTotal(models.Model):
    """SkuDay summed over the channels: what a report over every channel reads (several times
    fewer rows than SkuDay). Rebuilt from SkuDay in the same transaction."""

    day = models.DateField(_("day"))
    sku_code = models.CharField(_("SKU"), max_length=64)
    units = models.PositiveBigIntegerField(_("units"))
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        verbose_name = _("SKU sales of a day, all channels")
        verbose_name_plural = _("SKU sales per day, all channels")
        constraints = [models.UniqueConstraint(fields=["day", "sku_code"], name="sku_day_total_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.sku_code} × {self.units}"


class DayState(models.Model):
    """Whether the read models hold a business day exactly. A day without a row was never
    built; a dirty day was touched by an order event since it was last built. Reports read
    both kinds live from the orders; only clean days come from the read models."""

    day = models.DateField(_("day"), unique=True)
    is_dirty = models.BooleanField(_("dirty"), default=True)
    marked_at = models.DateTimeField(_("marked dirty at"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report day")
        verbose_name_plural = _("report days")
        indexes = [models.Index(fields=["day"], condition=models.Q(is_dirty=True), name="day_state_dirty")]

    def __str__(self) -> str:
        return f"{self.day} {'dirty' if self.is_dirty else 'clean'}"
