from django.contrib import admin

from .models import Carrier, SourcingPolicy


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "tracking_pattern", "adapter", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(SourcingPolicy)
class SourcingPolicyAdmin(admin.ModelAdmin):
    """The sourcing rules per channel (rule codes in order: single_warehouse,
    priority_customers, region, cost, stock_balance, warehouse_priority)."""

    list_display = ["channel", "rules", "allow_split", "priority_grades"]
