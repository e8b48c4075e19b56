"""Runs the web server and the worker as child processes until Ctrl-C or SIGTERM."""

import signal
import subprocess
import threading
import time
from collections.abc import Sequence

# Longer than the worker's own wait for its children, so it can stop them itself.
GRACE_SECONDS = 35.0


def _stop(children: Sequence[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM to every child still running; SIGKILL to any still running after `grace`."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_until_stopped(commands: Sequence[Sequence[str]], *, grace: float = GRACE_SECONDS) -> int:
    """Start every command and wait. On SIGINT/SIGTERM, or when one child exits, stop them
    all. Returns 0 when stopped by a signal, else the exit code of the child that ended."""
    stopping = threading.Event()
    previous = {
        number: signal.signal(number, lambda signum, frame: stopping.set())
        for number in (signal.SIGINT, signal.SIGTERM)
    }
    children: list[subprocess.Popen[bytes]] = []
    try:
        children = [subprocess.Popen(list(command)) for command in commands]  # noqa: S603
        while not stopping.is_set() and all(child.poll() is None for child in children):
            stopping.wait(0.2)
        ended = [child.returncode for child in children if child.poll() is not None]
    finally:
        _stop(children, grace)
        for number, handler in previous.items():
            signal.signal(number, handler)
    if stopping.is_set():
        return 0
    return ended[0] if ended else 0
