"""Helpers for tests against real components: threads released together."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


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
