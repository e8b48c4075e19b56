"""Master data in the admin. Writes go through the services, so they are validated, audited and
announced like API writes; what the services refuse is shown as a message and nothing is saved."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from dingdan.core.actors import actor_for_user
from dingdan.core.exceptions import ApplicationError

from . import services
from .models import Coupon, PriceList, PriceListItem, Product, Promotion, ShippingFeeRule, Sku, TaxRate
from .services.coupons import CHANGEABLE as COUPON_CHANGEABLE
from .services.price_lists import CHANGEABLE as PRICE_LIST_CHANGEABLE
from .services.products import CHANGEABLE as PRODUCT_CHANGEABLE
from .services.promotions import PROMOTION_CHANGEABLE, RULE_CHANGEABLE
from .services.skus import CHANGEABLE as SKU_CHANGEABLE
from .services.tax_rates import CHANGEABLE as TAX_RATE_CHANGEABLE

TIMESTAMPS = ["created_at", "updated_at"]


def _changes(form: ModelForm, changeable: list[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in changeable}


class ServiceAdmin(admin.ModelAdmin):
    """Rows are deactivated, never deleted (orders and prices point to them); the code is an
    identity and cannot change."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", *TIMESTAMPS] if obj else TIMESTAMPS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:  # the admin's transaction is rolled back before we get here
            return super().changeform_view(request, *args, **kwargs)
        except ApplicationError as error:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
            self.message_user(request, f"{error.message} {details}".strip(), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _created(self, obj: Model, created: Model) -> None:
        obj.pk = created.pk
        obj._state.adding = False


def _record_for_history(formset: BaseInlineFormSet, **objects: list[Any]) -> None:
    """What the admin's change message reads from a formset that saved itself."""
    formset.new_objects = objects.get("new", [])
    formset.changed_objects = objects.get("changed", [])
    formset.deleted_objects = objects.get("deleted", [])


@admin.register(TaxRate)
class TaxRateAdmin(ServiceAdmin):
    list_display = ["code", "name", "rate", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            changes = _changes(form, TAX_RATE_CHANGEABLE)
            services.tax_rate_update(actor=actor, tax_rate=TaxRate.objects.get(pk=obj.pk), **changes)
        else:
            self._created(obj, services.tax_rate_create(actor=actor, **form.cleaned_data))


SKU_INLINE_FIELDS = ["code", "barcode", "specs", "unit", "tax_rate", "weight_grams", "is_active"]


class SkuInline(admin.TabularInline):
    """New SKUs are added here; existing ones are edited on their own page."""

    model = Sku
    fields = tuple(SKU_INLINE_FIELDS)
    extra = 1
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ["code", "name", "name_en", "category", "brand", "unit", "is_active"]
    list_filter = ["is_active", "category", "brand"]
    search_fields = ["code", "name", "name_en", "skus__code", "skus__barcode"]
    inlines = [SkuInline]

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            changes = _changes(form, PRODUCT_CHANGEABLE)
            services.product_update(actor=actor, product=Product.objects.get(pk=obj.pk), **changes)
        else:
            self._created(obj, services.product_create(actor=actor, **form.cleaned_data))

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        product = Product.objects.get(pk=form.instance.pk)
        created = [
            services.sku_create(
                actor=actor, product=product, **{name: f.cleaned_data[name] for name in SKU_INLINE_FIELDS}
            )
            for f in formset.forms
            if f.instance.pk is None and f.has_changed()
        ]
        _record_for_history(formset, new=created)


@admin.register(Sku)
class SkuAdmin(ServiceAdmin):
    list_display = ["code", "product", "barcode", "unit", "tax_rate", "is_active"]
    list_filter = ["is_active", "tax_rate"]
    list_select_related = ["product", "tax_rate"]
    search_fields = ["code", "barcode", "product__code", "product__name"]
    raw_id_fields = ["product"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["product", "code", *TIMESTAMPS] if obj else TIMESTAMPS

    def save_model(self, request: HttpRequest, obj: Sku, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            changes = _changes(form, SKU_CHANGEABLE)
            services.sku_update(actor=actor, sku=Sku.objects.get(pk=obj.pk), **changes)
        else:
            fields = {name: value for name, value in form.cleaned_data.items() if name != "product"}
            self._created(
                obj, services.sku_create(actor=actor, product=form.cleaned_data["product"], **fields)
            )


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    fields = ["sku", "min_quantity", "price"]
    raw_id_fields = ["sku"]
    extra = 1


@admin.register(PriceList)
class PriceListAdmin(ServiceAdmin):
    list_display = ["code", "name", "channel", "customer_grade", "currency", "priority", "is_active"]
    list_filter = ["is_active", "currency", "prices_include_tax"]
    list_select_related = ["channel"]
    search_fields = ["code", "name"]
    inlines = [PriceListItemInline]

    def save_model(self, request: HttpRequest, obj: PriceList, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        fields = dict(form.cleaned_data)
        if "channel" in fields:  # the services take a channel's code
            fields["channel"] = fields["channel"].code if fields["channel"] else None
        if change:
            changes = {name: fields[name] for name in form.changed_data if name in PRICE_LIST_CHANGEABLE}
            services.price_list_update(actor=actor, price_list=PriceList.objects.get(pk=obj.pk), **changes)
        else:
            self._created(obj, services.price_list_create(actor=actor, **fields))

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        """The rows left on the page become the list's items (removed rows are removed)."""
        kept = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and (f.instance.pk or f.has_changed())
        ]
        items = [
            {"sku": row["sku"], "price": row["price"], "min_quantity": row["min_quantity"]} for row in kept
        ]
        services.price_list_items_set(
            actor=actor_for_user(request.user, via="admin"),
            price_list=PriceList.objects.get(pk=form.instance.pk),
            items=items,
            replace=True,
        )
        _record_for_history(formset, new=[], changed=[], deleted=[])


def _with_channel_code(fields: dict[str, Any]) -> dict[str, Any]:
    """The services take a channel's code."""
    if "channel" in fields:
        fields["channel"] = fields["channel"].code if fields["channel"] else None
    return fields


@admin.register(Promotion)
class PromotionAdmin(ServiceAdmin):
    list_display = ["code", "name", "kind", "target", "priority", "stackable", "requires_coupon", "is_active"]
    list_filter = ["is_active", "kind", "target", "requires_coupon"]
    list_select_related = ["channel"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        fields = _with_channel_code(dict(form.cleaned_data))
        if change:
            changes = {name: fields[name] for name in form.changed_data if name in PROMOTION_CHANGEABLE}
            services.promotion_update(actor=actor, promotion=Promotion.objects.get(pk=obj.pk), **changes)
        else:
            self._created(obj, services.promotion_create(actor=actor, **fields))


@admin.register(Coupon)
class CouponAdmin(ServiceAdmin):
    list_display = [
        "code",
        "promotion",
        "used_count",
        "usage_limit",
        "per_customer_limit",
        "valid_to",
        "is_active",
    ]
    list_filter = ["is_active"]
    list_select_related = ["promotion"]
    search_fields = ["code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "promotion", "used_count", *TIMESTAMPS] if obj else ["used_count", *TIMESTAMPS]

    def save_model(self, request: HttpRequest, obj: Coupon, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            changes = {
                name: form.cleaned_data[name] for name in form.changed_data if name in COUPON_CHANGEABLE
            }
            services.coupon_update(actor=actor, coupon=Coupon.objects.get(pk=obj.pk), **changes)
        else:
            self._created(obj, services.coupon_create(actor=actor, **form.cleaned_data))


@admin.register(ShippingFeeRule)
class ShippingFeeRuleAdmin(ServiceAdmin):
    list_display = [
        "code",
        "name",
        "channel",
        "base_fee",
        "fee_per_kg",
        "free_above",
        "priority",
        "is_active",
    ]
    list_filter = ["is_active"]
    list_select_related = ["channel"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: ShippingFeeRule, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        fields = _with_channel_code(dict(form.cleaned_data))
        if change:
            changes = {name: fields[name] for name in form.changed_data if name in RULE_CHANGEABLE}
            services.shipping_fee_rule_update(
                actor=actor, rule=ShippingFeeRule.objects.get(pk=obj.pk), **changes
            )
        else:
            self._created(obj, services.shipping_fee_rule_create(actor=actor, **fields))
