"""Which statements PostgreSQL may run on a generic plan.

With prepared statements on (config.settings.base.postgresql_prepared), PostgreSQL
considers, after five runs of a statement, one generic plan for all its parameter values.
That is what writes want: placing an order finds rows by primary and unique keys and
inserts, and planning those statements anew was a large part of PostgreSQL's CPU per order.
Lists and reports are the opposite: a status held by a handful of orders and one held by
most want different plans, and on generic plans the back-office lists by status or staff
label had an SQL p95 of 49-71 ms over 200,000 orders instead of 2 ms (docs/performance.md).

So a request that only reads (GET, HEAD) has its statements planned for their parameters
(`plan_cache_mode = force_custom_plan`), and every other request, the task worker and the
command line keep PostgreSQL's default. The mode is a session setting, changed only when a
connection moves from one kind of request to the other, on its first statement (a request
that runs none costs nothing).
"""

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection

CUSTOM = "force_custom_plan"  # every execution planned for its parameter values
DEFAULT = "auto"  # PostgreSQL's default: a generic plan once it looks no worse
_STATE = "_dingdan_plan_mode"  # on the connection wrapper: (the driver's connection, its mode)


def plan_mode_for(method: str) -> str:
    return CUSTOM if method in ("GET", "HEAD") else DEFAULT


def _enabled() -> bool:
    return connection.vendor == "postgresql" and (
        connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    )


@contextlib.contextmanager
def plan_mode(mode: str) -> Iterator[None]:
    """Run the block's statements with this plan cache mode (PostgreSQL with prepared
    statements on; nothing elsewhere)."""
    if not _enabled():
        yield
        return

    applied = False  # in this block, on this connection

    def ensure(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        nonlocal applied
        if not applied:
            applied = True
            wrapper = context["connection"]
            raw = wrapper.connection
            if getattr(wrapper, _STATE, None) != (raw, mode):  # psycopg connections compare by identity
                # Inside a transaction the setting is LOCAL (a rollback would undo a session
                # SET behind our back) and not remembered; outside, it holds for the session.
                local = wrapper.in_atomic_block
                # On a cursor of its own: the statement's may be a named (server-side) one.
                raw.execute(f"SET {'LOCAL ' if local else ''}plan_cache_mode = {mode}")
                setattr(wrapper, _STATE, None if local else (raw, mode))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(ensure):
        yield
