"""Which statements PostgreSQL may run on a generic plan.

With prepared statements on (config.settings.base.postgresql_prepared), PostgreSQL would
after five runs of a statement consider one plan for all parameter values. That is what the
order path wants: its statements find rows by primary or unique keys and insert, and
planning them anew was a large part of PostgreSQL's CPU per order. A list filtered by status
is the opposite: a status held by a handful of orders and one held by most want different
plans, and a generic plan made its slow pages several times slower (docs/performance.md).
So connections plan every statement for its parameters (`plan_cache_mode =
force_custom_plan`, set when they open), and a path whose plans do not depend on its
parameters asks for generic plans inside its own transaction.
"""

import contextlib
from collections.abc import Iterator

from django.db import transaction

CONNECTION_OPTION = "-c plan_cache_mode=force_custom_plan"


@contextlib.contextmanager
def generic_plans() -> Iterator[None]:
    """Run the rest of the caller's transaction on generic plans (PostgreSQL with prepared
    statements on; nothing elsewhere). Enter it first thing inside `transaction.atomic()`.
    The setting lasts to the end of the transaction (of the savepoint, if that rolls back):
    a caller that goes on with other queries in the same transaction gets generic plans
    for them too, which costs time, never a wrong answer."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("generic_plans runs inside the caller's transaction")
    options = connection.settings_dict.get("OPTIONS", {}).get("options", "")
    if connection.vendor != "postgresql" or CONNECTION_OPTION not in options:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = auto")
    yield
