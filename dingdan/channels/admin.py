from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dingdan.core.actors import actor_for_user

from . import services
from .models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Writes go through the services so they are validated and audited like API writes."""

    list_display = ["code", "name", "kind", "number_prefix", "review_policy", "payment_policy", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "created_at", "updated_at"] if obj else ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.channel_update(channel=Channel.objects.get(pk=obj.pk), actor=actor, **fields)
        else:
            created = services.channel_create(actor=actor, **form.cleaned_data)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # channels are deactivated, never deleted: orders point to them
