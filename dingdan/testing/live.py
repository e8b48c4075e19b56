"""Helpers for tests against real components: threads released together, and a clean slate
of domain data between generated sequences."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.apps import apps
from django.core.management.color import no_style
from django.db import IntegrityError, connection
from django.db.models import ProtectedError, RestrictedError

T = TypeVar("T")

# What a test keeps when it wipes domain data: who may call the API.
KEPT_APPS = {"auth", "contenttypes", "sessions", "admin", "accounts"}


def release_together(calls: Sequence[Callable[[], T]], *, timeout: float = 60.0) -> list[T]:
    """Run each call in its own thread, all released at the same moment by a barrier, and
    return their results in order. Bounded: raises if the threads do not all start, or a call
    does not finish, within `timeout` seconds; re-raises the first call's exception."""
    barrier = threading.Barrier(len(calls), timeout=timeout)

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


def domain_data_reset() -> None:
    """Delete every row of every model outside KEPT_APPS and restart their id sequences, so a
    generated sequence of requests meets the same database each time it is replayed."""
    models = [m for m in apps.get_models() if m._meta.app_label not in KEPT_APPS and m._meta.managed]
    pending = list(models)
    for _attempt in range(len(models) + 1):  # a protected row goes once what refers to it has
        blocked = []
        for model in pending:
            try:
                model._base_manager.all().delete()
            except (ProtectedError, RestrictedError, IntegrityError):
                blocked.append(model)
        if not blocked:
            break
        pending = blocked
    else:
        raise RuntimeError(f"could not empty {[m._meta.label for m in pending]}")
    tables = {m._meta.db_table for m in models}
    sequences = [s for s in connection.introspection.sequence_list() if s["table"] in tables]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)
