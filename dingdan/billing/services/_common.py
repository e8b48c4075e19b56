"""Helpers shared by the billing services: configuration, audit, the order's derived status."""

from decimal import Decimal
from typing import Any

from django.conf import settings

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.orders import selectors as orders
from dingdan.orders import services as order_services

from .. import domain
from ..models import OrderAccount

# Orders that can take payments, refunds and invoices (not drafts, not closed unpaid).
OPEN_STATUSES = frozenset({"pending_review", "confirmed", "on_hold", "completed"})

DEFAULTS: dict[str, Any] = {
    # Refunds above the requester's role limit wait for approval (None: no limit). Roles not
    # listed refund nothing without approval.
    "REFUND_APPROVAL_LIMITS": {
        "customer_service": Decimal("500.00"),
        "finance": Decimal("5000.00"),
        "manager": None,
        "administrator": None,
    },
    # Unpaid orders of pay-first channels are cancelled after this many minutes.
    "UNPAID_CANCEL_MINUTES": 30,
    # Statement lines matched with at least this confidence are confirmed automatically;
    # from SUGGEST_CONFIDENCE up they wait for finance to confirm.
    "AUTO_MATCH_CONFIDENCE": Decimal("0.90"),
    "SUGGEST_CONFIDENCE": Decimal("0.30"),
    # The VAT rate of the shipping line of an invoice (tax-inclusive).
    "SHIPPING_TAX_RATE": Decimal("0.09"),
    # When invoices are issued without being asked for, per channel code ("*": any other):
    # on_order (when confirmed), on_shipment (what shipped), on_request (never by itself).
    "INVOICE_ISSUE": {"*": "on_request"},
}


def config(name: str) -> Any:
    """A billing setting: settings.DINGDAN["BILLING"][name], else the default above."""
    overrides = getattr(settings, "DINGDAN", {}).get("BILLING", {})
    return overrides.get(name, DEFAULTS[name])


def audit(kind: str, pk: object, action: str, actor: Actor, before: Any, after: Any, note: str = "") -> None:
    audit_record(
        aggregate_type=kind,
        aggregate_id=pk,
        action=action,
        actor=actor,
        before=before,
        after=after,
        note=note,
    )


def account_state(account: OrderAccount) -> dict[str, str]:
    return {
        name: str(getattr(account, name)) for name in ("authorized", "captured", "refunded", "refund_pending")
    }


def sync_order(account: OrderAccount, *, actor: Actor, note: str = "") -> None:
    """Derive the order's payment status from its account and record it on the order."""
    account.refresh_from_db(fields=["authorized", "captured", "refunded", "refund_pending"])
    order = orders.order_get(order_id=account.order_id)
    status = domain.order_payment_status(
        total=order.total, authorized=account.authorized, captured=account.captured, refunded=account.refunded
    )
    order_services.order_payment_status_record(
        actor=actor,
        order_id=account.order_id,
        payment_status=status,
        paid=account.captured - account.refunded,
        note=note,
    )
