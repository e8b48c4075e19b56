from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    default_message = _("No such customer.")


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_message = _("No such address of this customer.")


class ContactNotFound(NotFound):
    code = "contact_not_found"
    default_message = _("No such contact of this customer.")


class CustomerCodeTaken(Conflict):
    code = "customer_code_taken"
    default_message = _("A customer with this code already exists.")


class StaleCustomerVersion(PreconditionFailed):
    code = "stale_customer_version"
    default_message = _("The customer has changed since you read it. Reload and try again.")


class CreditChangeNotAllowed(PermissionDenied):
    code = "credit_change_not_allowed"
    default_message = _("Changing the credit limit or credit hold needs the customers:credit permission.")
