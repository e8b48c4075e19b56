"""`dingdan demo` for real: a child process that loads the data into its own SQLite file,
serves web and worker, and stops both on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_pids(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def healthz(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def wait_until_healthy(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while healthz(url) != 200:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.5)


def test_the_demo_serves_web_and_worker_until_sigterm_then_stops_both(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DINGDAN_TEST_DB"}}
    env |= {"DINGDAN_VAR_DIR": str(tmp_path), "WEB_CONCURRENCY": "1"}
    log = tmp_path / "demo.log"
    command = [sys.executable, "-m", "dingdan.cli", "demo", "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=output)
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz", log)
        servers = child_pids(process.pid)  # dingdan serve and dingdan worker
        assert len(servers) == 2, log.read_text()
        descendants = servers + [pid for server in servers for pid in child_pids(server)]

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=60) == 0, log.read_text()
        assert not [pid for pid in descendants if alive(pid)], log.read_text()
        assert healthz(f"http://127.0.0.1:{port}/healthz") is None
        assert "dingdan-demo" in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
