"""Capabilities ("scopes"): the unit of permission for staff and API tokens alike.

A scope `orders:write` is the Django permission `accounts.orders_write`. Roles (groups) hold
scopes; an API token carries a subset of its user's scopes.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

SCOPES: dict[str, "StrPromise"] = {
    "channels:read": _("Read sales channels"),
    "channels:write": _("Create and change sales channels"),
    "catalog:read": _("Read products, SKUs, tax rates and price lists"),
    "catalog:write": _("Create and change products, SKUs, tax rates and price lists"),
    "customers:read": _("Read customers (personal data masked)"),
    "customers:write": _("Create and change customers and their addresses"),
    "customers:pii": _("See customers' phone, e-mail and full address unmasked"),
    "customers:credit": _("Change customers' credit limits and credit hold"),
    "inventory:read": _("Read warehouses and stock"),
    "inventory:write": _("Receive and adjust stock; change warehouses"),
    "orders:read": _("Read orders"),
    "orders:write": _("Enter, import and change orders"),
    "orders:review": _("Approve, reject and hold orders"),
    "orders:set_prices": _("Supply unit prices on orders instead of the price list"),
    "orders:override": _("Approve orders whose review checks failed, with a note"),
    "orders:exceptions": _("Open, work and resolve exception cases"),
    "orders:configure": _("Configure review checks and queues per channel"),
    "fulfillment:read": _("Read pick lists, packages, shipments and tracking"),
    "fulfillment:pick": _("Build pick lists, confirm picks and pack"),
    "fulfillment:ship": _("Ship packages, manage carriers and tracking events"),
    "billing:read": _("Read payments, invoices, refunds and receivables"),
    "billing:write": _("Record payments and issue invoices and credit notes"),
    "billing:refund": _("Request refunds"),
    "billing:approve": _("Approve refunds above the requester's limit"),
    "billing:reconcile": _("Import statements and reconcile payments"),
    "notifications:read": _("Read message templates, deliveries and webhook logs"),
    "notifications:manage": _("Edit message templates and webhook subscriptions"),
    "events:read": _("Read the event feed"),
    "reports:read": _("Read reports and dashboards"),
    "audit:read": _("Read the audit trail"),
    "accounts:manage": _("Manage users, roles and API tokens"),
}

READ_SCOPES = [scope for scope in SCOPES if scope.endswith(":read")]


def permission_codename(scope: str) -> str:
    return scope.replace(":", "_")


def scope_of(codename: str) -> str:
    return codename.replace("_", ":", 1)


# Roles of ARCHITECTURE §6a. Group names are the stable codes; labels are translated.
ROLES: dict[str, tuple["StrPromise", list[str]]] = {
    "order_clerk": (
        _("Order clerk"),
        [
            "channels:read",
            "catalog:read",
            "customers:read",
            "customers:write",
            "customers:pii",
            "inventory:read",
            "orders:read",
            "orders:write",
            "orders:exceptions",
            "fulfillment:read",
            "billing:read",
        ],
    ),
    "reviewer": (
        _("Reviewer"),
        [
            "channels:read",
            "catalog:read",
            "customers:read",
            "customers:pii",
            "inventory:read",
            "orders:read",
            "orders:review",
            "orders:exceptions",
            "billing:read",
        ],
    ),
    "warehouse": (
        _("Warehouse"),
        [
            "catalog:read",
            "inventory:read",
            "inventory:write",
            "orders:read",
            "orders:exceptions",
            "fulfillment:read",
            "fulfillment:pick",
        ],
    ),
    "logistics": (
        _("Logistics"),
        [
            "catalog:read",
            "customers:read",
            "customers:pii",
            "inventory:read",
            "orders:read",
            "orders:exceptions",
            "fulfillment:read",
            "fulfillment:ship",
        ],
    ),
    "purchasing": (
        _("Purchasing"),
        ["catalog:read", "inventory:read", "orders:read", "reports:read"],
    ),
    "finance": (
        _("Finance"),
        [
            "channels:read",
            "customers:read",
            "customers:pii",
            "customers:credit",
            "orders:read",
            "orders:exceptions",
            "billing:read",
            "billing:write",
            "billing:refund",
            "billing:approve",
            "billing:reconcile",
            "reports:read",
        ],
    ),
    "customer_service": (
        _("Customer service"),
        [
            "catalog:read",
            "customers:read",
            "customers:write",
            "customers:pii",
            "orders:read",
            "orders:exceptions",
            "fulfillment:read",
            "billing:read",
            "billing:refund",
        ],
    ),
    "manager": (
        _("Manager"),
        [*READ_SCOPES, "audit:read", "orders:override", "orders:exceptions", "billing:approve"],
    ),
    "administrator": (
        _("Administrator"),
        list(SCOPES),
    ),
}
