from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dingdan.core.actors import Actor, actor_for_user
from dingdan.core.exceptions import ValidationFailed

from . import domain, services
from .models import Address, Contact, Customer

PII_PERMISSION = "accounts.customers_pii"
CREDIT_PERMISSION = "accounts.customers_credit"
NOTIFICATION_PREFERENCES = ["notify_opt_out", "notify_muted_events", "sms_quiet_start", "sms_quiet_end"]


def _changes(form: ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}


def _add_errors(form: ModelForm, error: ValidationFailed) -> None:
    for item in error.errors:
        field = item["field"] if item["field"] in form.fields else None
        form.add_error(field, str(item["message"]))


class _DomainCheckedForm(ModelForm):
    """Runs the domain's phone and address checks, so the form shows their errors instead
    of the service failing on save."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("phone",):
            if name in self.fields and data.get(name):
                try:
                    domain.phone_normalize(data[name], field=name)
                except ValidationFailed as error:
                    _add_errors(self, error)
        if "street" in self.fields and not self.errors:
            parts = {name: data.get(name) or "" for name in domain.AddressParts.__dataclass_fields__}
            try:
                domain.address_normalize(domain.AddressParts(**parts))
            except ValidationFailed as error:
                _add_errors(self, error)
        return data


class _ServiceInline(admin.TabularInline):
    """Inline rows are written through the services, one call per changed row."""

    extra = 0
    form = _DomainCheckedForm

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(PII_PERMISSION) and super().has_view_permission(request, obj)

    def write(self, actor: Actor, customer: Customer, form: ModelForm, deleted: bool) -> None:
        raise NotImplementedError


ADDRESS_INLINE_FIELDS = [
    "label",
    "recipient",
    "phone",
    "country_code",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
    "is_default_shipping",
    "is_default_billing",
]
CONTACT_INLINE_FIELDS = ["name", "title", "phone", "email"]


class AddressInline(_ServiceInline):
    model = Address
    fields = list(ADDRESS_INLINE_FIELDS)  # type: ignore[assignment]

    def write(self, actor: Actor, customer: Customer, form: ModelForm, deleted: bool) -> None:
        instance = form.instance
        if deleted:
            services.address_remove(actor=actor, address=Address.objects.get(pk=instance.pk))
        elif instance.pk:
            address = Address.objects.select_related("customer").get(pk=instance.pk)
            services.address_update(actor=actor, address=address, **_changes(form))
        else:
            fields = {name: form.cleaned_data.get(name) for name in ADDRESS_INLINE_FIELDS}
            services.address_add(actor=actor, customer=customer, **fields)


class ContactInline(_ServiceInline):
    model = Contact
    fields = list(CONTACT_INLINE_FIELDS)  # type: ignore[assignment]

    def write(self, actor: Actor, customer: Customer, form: ModelForm, deleted: bool) -> None:
        instance = form.instance
        if deleted:
            services.contact_remove(actor=actor, contact=Contact.objects.get(pk=instance.pk))
        elif instance.pk:
            contact = Contact.objects.select_related("customer").get(pk=instance.pk)
            services.contact_update(actor=actor, contact=contact, **_changes(form))
        else:
            fields = {name: form.cleaned_data.get(name) for name in CONTACT_INLINE_FIELDS}
            services.contact_add(actor=actor, customer=customer, **fields)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Writes go through the services so they are validated and audited like API writes.
    The list masks phone and e-mail; the form shows them only to holders of customers:pii,
    and opening it is logged as a read of personal data."""

    list_display = ["code", "name", "company_name", "grade", "masked_phone", "masked_email", "is_active"]
    list_filter = ["grade", "kind", "is_active", "credit_hold"]
    search_fields = ["code", "name", "company_name"]
    form = _DomainCheckedForm
    inlines = [AddressInline, ContactInline]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Customer) -> str:
        return domain.mask_phone(obj.phone)

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj: Customer) -> str:
        return domain.mask_email(obj.email)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or request.user.has_perm(PII_PERMISSION))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Notification preferences are set through their own service (the notifications API).
        readonly = ["version", "created_at", "updated_at", *NOTIFICATION_PREFERENCES]
        if obj:
            readonly.append("code")
        if not request.user.has_perm(CREDIT_PERMISSION):
            readonly += ["credit_limit", "credit_hold"]
        return readonly

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        if request.method == "GET" and request.user.has_perm(PII_PERMISSION) and object_id.isdigit():
            services.personal_data_access_record(
                actor=actor_for_user(request.user, via="admin"),
                subject_ids=[int(object_id)],
                purpose="admin.customer_change",
            )
        return super().change_view(request, object_id, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        if change:
            services.customer_update(
                customer=Customer.objects.get(pk=obj.pk), actor=actor, expected_version=None, **_changes(form)
            )
        else:
            created = services.customer_create(actor=actor, **form.cleaned_data)
            obj.pk, obj.code = created.pk, created.code

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        actor = actor_for_user(request.user, via="admin")
        inline = next(
            i
            for i in self.get_inline_instances(request)
            if isinstance(i, _ServiceInline) and i.model is formset.model
        )
        customer = Customer.objects.get(pk=form.instance.pk)
        # What formset.save() would report, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            deleted = row in formset.deleted_forms
            if deleted and not row.instance.pk:
                continue
            if deleted:
                formset.deleted_objects.append(row.instance)
            elif row.instance.pk and row.has_changed():
                formset.changed_objects.append((row.instance, row.changed_data))
            elif row.has_changed():
                formset.new_objects.append(row.instance)
            else:
                continue
            inline.write(actor, customer, row, deleted)
            customer.refresh_from_db(fields=["version"])

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # customers are deactivated, never deleted: orders point to them
