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
        ],
    ),
    "warehouse": (
        _("Warehouse"),
        ["catalog:read", "inventory:read", "inventory:write", "orders:read"],
    ),
    "logistics": (
        _("Logistics"),
        ["catalog:read", "customers:read", "customers:pii", "inventory:read", "orders:read"],
    ),
    "purchasing": (
        _("Purchasing"),
        ["catalog:read", "inventory:read", "orders:read"],
    ),
    "finance": (
        _("Finance"),
        ["channels:read", "customers:read", "customers:pii", "customers:credit", "orders:read"],
    ),
    "customer_service": (
        _("Customer service"),
        ["catalog:read", "customers:read", "customers:write", "customers:pii", "orders:read"],
    ),
    "manager": (
        _("Manager"),
        [*READ_SCOPES, "audit:read"],
    ),
    "administrator": (
        _("Administrator"),
        list(SCOPES),
    ),
}
