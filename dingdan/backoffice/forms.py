"""Forms of the workbench: they parse and check the shape of input; the services decide."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .labels import PRIORITY_LABELS, STAFF_LABELS, STATUS_LABELS, TYPE_LABELS
from .selectors import OrderListFilters


class Styled:
    """Bootstrap classes on every widget; fields with errors are marked invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if field and field in self.fields:  # type: ignore[attr-defined]
            self.fields[field].widget.attrs["class"] += " is-invalid"  # type: ignore[attr-defined]


def _choices(labels: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("", "—"), *labels.items()]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


class OrderFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    label = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(STAFF_LABELS))
    status = forms.ChoiceField(label=_("Order status"), required=False, choices=_choices(STATUS_LABELS))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_choices(TYPE_LABELS))
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=_choices(PRIORITY_LABELS))
    customer = forms.IntegerField(label=_("Customer ID"), required=False, min_value=1)
    warehouse = forms.ChoiceField(label=_("Shipped from"), required=False)
    at_risk = forms.BooleanField(label=_("At risk"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, channels: list[tuple[str, str]], warehouses: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = [("", "—"), *channels]
        cast(forms.ChoiceField, self.fields["warehouse"]).choices = [("", "—"), *warehouses]
        self.fields["at_risk"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> OrderListFilters:
        data = self.cleaned_data
        return OrderListFilters(
            label=data["label"] or None,
            status=data["status"] or None,
            channel=data["channel"] or None,
            type=data["type"] or None,
            priority=data["priority"] or None,
            customer_id=data["customer"],
            created_from=_day_start(data["date_from"]) if data["date_from"] else None,
            created_to=_day_start(data["date_to"] + dt.timedelta(days=1)) if data["date_to"] else None,
            text=data["q"] or None,
            warehouse=data["warehouse"] or None,
            at_risk=data["at_risk"],
        )


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=True)


class NoteForm(Styled, forms.Form):
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)


class ResolveForm(Styled, forms.Form):
    """A resolution code: one of the case's options when it offers some (stock shortages),
    else a code the staff member types (e.g. "address_corrected")."""

    resolution = forms.CharField(label=_("Resolution"), max_length=32)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if options:
            self.fields["resolution"] = forms.ChoiceField(label=_("Resolution"), choices=options)
            self.fields["resolution"].widget.attrs["class"] = "form-select"


class SavedViewForm(Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class AddressForm(Styled, forms.Form):
    """A shipping address in Chinese (province, city, district) or international format."""

    recipient = forms.CharField(label=_("Recipient"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    country_code = forms.CharField(label=_("Country"), max_length=2, required=False, initial="CN")
    province = forms.CharField(label=_("Province / state"), max_length=64, required=False)
    city = forms.CharField(label=_("City"), max_length=64, required=False)
    district = forms.CharField(label=_("District"), max_length=64, required=False)
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)

    def address(self) -> dict[str, str] | None:
        """The address typed, or None when nothing was (the customer's default applies)."""
        values = {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}
        if not any(value for name, value in values.items() if name != "country_code"):
            return None
        values["country_code"] = (values["country_code"] or "CN").upper()
        return values


class OrderEntryForm(Styled, forms.Form):
    channel = forms.TypedChoiceField(label=_("Channel"), coerce=int)
    customer = forms.IntegerField(label=_("Customer"), min_value=1, widget=forms.HiddenInput)
    priority = forms.ChoiceField(label=_("Priority"), choices=list(PRIORITY_LABELS.items()), initial="normal")
    type = forms.ChoiceField(label=_("Type"), choices=list(TYPE_LABELS.items()), initial="normal")
    coupon = forms.CharField(label=_("Coupon code"), required=False, max_length=40)
    customer_note = forms.CharField(label=_("Customer note"), required=False, max_length=1000)
    internal_note = forms.CharField(label=_("Internal note"), required=False, max_length=1000)

    def __init__(self, *args: Any, channels: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = channels
        self.fields["customer"].error_messages["required"] = _("Choose a customer.")


class LineEntry:
    """One typed order line, kept as typed so an error never loses it."""

    def __init__(self, sku: str, quantity: str) -> None:
        self.sku, self.quantity = sku.strip(), quantity.strip()
        self.errors: list[str] = []

    def parsed_quantity(self) -> int | None:
        try:
            return int(self.quantity)
        except ValueError:
            return None


def line_entries(data: Any) -> list[LineEntry]:
    """The lines of the entry form (rows with neither SKU nor quantity are dropped)."""
    pairs = zip(data.getlist("line_sku"), data.getlist("line_quantity"), strict=False)
    return [LineEntry(sku, quantity) for sku, quantity in pairs if sku.strip() or quantity.strip()]


class LoginForm(Styled, AuthenticationForm):
    pass


class ReceiptForm(Styled, forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    sku = forms.CharField(label=_("SKU"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, warehouses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["warehouse"]).choices = warehouses


class AdjustmentForm(Styled, forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    sku = forms.CharField(label=_("SKU"), max_length=64)
    quantity = forms.IntegerField(label=_("Change (+/−)"), min_value=-1_000_000, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, warehouses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["warehouse"]).choices = warehouses


def apply_errors(form: forms.Form, errors: list[dict[str, Any]], fields: dict[str, str]) -> list[str]:
    """Attach a service's field errors to the form fields they name (`fields` maps the
    service's names to the form's); the messages of other fields are returned."""
    unplaced = []
    for error in errors:
        target = fields.get(str(error.get("field", "")))
        if target and target in form.fields:
            form.add_error(target, str(error["message"]))
        else:
            unplaced.append(str(error["message"]))
    return unplaced
