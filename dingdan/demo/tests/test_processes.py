import os
import signal
import subprocess
import sys
import threading
import time

from dingdan.demo.processes import run_until_stopped

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def spawned_children(monkeypatch) -> list[subprocess.Popen]:
    """Record the children run_until_stopped starts."""
    children: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    return children


def test_sigterm_stops_every_child_and_returns_zero(monkeypatch):
    children = spawned_children(monkeypatch)
    handler = signal.getsignal(signal.SIGTERM)
    threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()

    exit_code = run_until_stopped([SLEEPER, SLEEPER], grace=5)

    assert exit_code == 0
    assert time.monotonic() - started < 5
    assert [child.returncode for child in children] == [-signal.SIGTERM, -signal.SIGTERM]
    assert not any(alive(child.pid) for child in children)
    assert signal.getsignal(signal.SIGTERM) == handler


def test_when_one_child_dies_the_other_is_stopped_and_its_exit_code_returned(monkeypatch):
    children = spawned_children(monkeypatch)
    failing = [sys.executable, "-c", "raise SystemExit(3)"]

    exit_code = run_until_stopped([SLEEPER, failing], grace=5)

    assert exit_code == 3
    assert children[0].returncode == -signal.SIGTERM


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(monkeypatch):
    children = spawned_children(monkeypatch)
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
    ]
    failing = [sys.executable, "-c", "import time; time.sleep(1); raise SystemExit(2)"]

    exit_code = run_until_stopped([stubborn, failing], grace=1)

    assert exit_code == 2
    assert children[0].returncode == -signal.SIGKILL
