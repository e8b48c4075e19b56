"""Credit: finance puts a customer on credit hold or releases it (through the customers
context, which owns the flag, audits it and emits customer.updated)."""

from django.db import transaction

from dingdan.core.actors import Actor
from dingdan.customers import selectors as customers
from dingdan.customers import services as customer_services

from ._common import audit


@transaction.atomic
def credit_hold_set(*, actor: Actor, customer_id: int, hold: bool, reason: str = "") -> object:
    """Set or clear the customer's credit hold. Raises CustomerNotFound; unchanged is a no-op."""
    customer = customers.customer_get(customer_id=customer_id)
    before = customer.credit_hold
    customer = customer_services.customer_update(
        actor=actor, customer=customer, expected_version=None, credit_hold=hold
    )
    if before != hold:
        audit(
            "credit",
            customer_id,
            "hold" if hold else "release",
            actor,
            {"credit_hold": before},
            {"credit_hold": hold},
            reason,
        )
    return customer
