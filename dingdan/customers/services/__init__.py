"""Writes of the customers context: customers, their addresses and contacts.

A customer with its addresses and contacts is one aggregate with one `version`: every write
bumps it with a conditional UPDATE of the customer row, which also holds the aggregate while
its audit chain grows (ARCHITECTURE §3, locks). Audit entries keep phone, e-mail, street and
bank account masked, so the trail does not become a second copy of personal data.
"""

from .addresses import address_add, address_remove, address_update
from .contacts import contact_add, contact_remove, contact_update
from .customers import customer_create, customer_update, personal_data_access_record
from .preferences import customer_notification_preferences_set

__all__ = [
    "address_add",
    "address_remove",
    "address_update",
    "contact_add",
    "contact_remove",
    "contact_update",
    "customer_create",
    "customer_notification_preferences_set",
    "customer_update",
    "personal_data_access_record",
]
