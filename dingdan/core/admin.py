"""Admin registrations of the kernel: the audit trail and outbox are read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditDigest, AuditEntry, OutboxEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "aggregate_type", "aggregate_id", "sequence", "action", "actor"]
    list_filter = ["aggregate_type", "action"]
    search_fields = ["aggregate_id", "actor"]


@admin.register(AuditDigest)
class AuditDigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "entry_count", "chain_count", "digest"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["pk", "type", "aggregate_type", "aggregate_id", "created_at", "dispatched_at"]
    list_filter = ["type"]
