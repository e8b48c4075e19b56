"""Read-only views of deliveries for operators; templates and webhook subscriptions are
changed through the API (services), which checks, audits and previews them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Delivery, DeliveryAttempt


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryAttemptInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = DeliveryAttempt
    fields = ("number", "started_at", "finished_at", "outcome", "status_code", "error", "manual")
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["pk", "channel", "recipient", "state", "attempts", "next_attempt_at", "last_status"]
    list_filter = ["channel", "state"]
    search_fields = ["recipient", "event__event_id"]
    list_select_related = ["event"]
    inlines = [DeliveryAttemptInline]
