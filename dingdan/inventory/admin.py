from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dingdan.core.actors import actor_for_user

from . import services
from .models import Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    """Writes go through the services so they are validated and audited like API writes."""

    list_display = ["code", "name", "kind", "region", "province", "city", "priority", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name", "city"]
    ordering = ["priority", "code"]
    # Owners are set through the API (warehouse_owners_set); the cut-off time keeps its default
    # here and changes through PATCH /warehouses/{id}.
    exclude = ["owners", "cutoff_time"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "created_at", "updated_at"] if obj else ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Warehouse, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            fields = {
                name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
            }
            services.warehouse_update(warehouse=Warehouse.objects.get(pk=obj.pk), actor=actor, **fields)
        else:
            created = services.warehouse_create(actor=actor, **form.cleaned_data)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # warehouses are deactivated, never deleted: stock and shipments point to them
