"""Django admin for the review configuration: check settings per channel, the blacklist,
SKU substitutes. Writes of check settings and the blacklist go through the services, so
they are validated and audited like API writes."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from dingdan.core.actors import actor_for_user

from . import checks, services
from .models import BlacklistEntry, CheckSetting, SkuSubstitute


class CheckSettingForm(forms.ModelForm):
    check_code = forms.ChoiceField(choices=[])

    class Meta:
        model = CheckSetting
        fields = ["channel", "check_code", "is_enabled", "severity", "params"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["check_code"].choices = [  # type: ignore[attr-defined]
            (code, checks.check_label(code)) for code in checks.registered_checks()
        ]


@admin.register(CheckSetting)
class CheckSettingAdmin(admin.ModelAdmin):
    form = CheckSettingForm
    list_display = ["channel", "check_code", "is_enabled", "severity"]
    list_filter = ["channel", "check_code", "is_enabled"]

    def save_model(self, request: HttpRequest, obj: CheckSetting, form: Any, change: bool) -> None:
        saved = services.check_setting_set(
            actor=actor_for_user(request.user, via="admin"),
            channel_id=form.cleaned_data["channel"].pk,
            check_code=form.cleaned_data["check_code"],
            is_enabled=form.cleaned_data["is_enabled"],
            severity=form.cleaned_data["severity"],
            params=form.cleaned_data["params"] or {},
        )
        obj.pk = saved.pk


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "reason", "is_active", "created_by", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["value"]
    fields = ["kind", "value", "reason", "is_active"]

    def save_model(self, request: HttpRequest, obj: BlacklistEntry, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change and not form.cleaned_data["is_active"]:
            services.blacklist_remove(actor=actor, entry_id=obj.pk)
            return
        saved = services.blacklist_add(
            actor=actor, kind=obj.kind, value=form.cleaned_data["value"], reason=obj.reason
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivated, never deleted: the review's history refers to them


@admin.register(SkuSubstitute)
class SkuSubstituteAdmin(admin.ModelAdmin):
    list_display = ["sku", "substitute", "rank"]
    raw_id_fields = ["sku", "substitute"]
