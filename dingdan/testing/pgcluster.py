"""A throwaway PostgreSQL cluster for tests, run as an unprivileged user.

PostgreSQL refuses to run as root, so when we are root the server runs as `postgres`
(through runuser). The cluster lives in a temporary directory, listens on 127.0.0.1 only,
and is stopped and removed when the process that started it exits.

    python -m dingdan.testing.pgcluster start   # prints a DATABASE_URL; stays up
    python -m dingdan.testing.pgcluster stop DIR
    python -m dingdan.testing.pgcluster run -- COMMAND ...   # DATABASE_URL set for COMMAND
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

BIN_DIRS = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]
RUN_AS = "postgres"


def _bin(name: str) -> str:
    for directory in BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", RUN_AS, "--", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(max_connections: int = 120) -> tuple[str, int]:
    """Start a cluster; returns (data directory, port)."""
    root = Path(tempfile.mkdtemp(prefix="dingdan-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, RUN_AS)
        shutil.chown(sockets, RUN_AS)
        os.chmod(root, 0o755)
    run = lambda args: subprocess.run(_as_server_user(args), check=True, capture_output=True)  # noqa: E731
    run([_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} "
        f"-c max_connections={max_connections} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c shared_buffers=128MB"
    )
    run([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"])
    return str(root), port


def stop(root: str) -> None:
    subprocess.run(
        _as_server_user([_bin("pg_ctl"), "-D", str(Path(root) / "data"), "-m", "immediate", "-w", "stop"]),
        capture_output=True,
    )
    shutil.rmtree(root, ignore_errors=True)


def database_settings() -> dict:
    """Django DATABASES entry: DATABASE_URL if given, else a cluster of our own."""
    import environ

    url = os.environ.get("DATABASE_URL")
    if not url:
        root, port = start()
        atexit.register(stop, root)
        url = f"postgres://postgres@127.0.0.1:{port}/dingdan"
        os.environ["DATABASE_URL"] = url  # child processes (live servers, workers) reuse it
    settings = environ.Env.db_url_config(url)
    settings["CONN_MAX_AGE"] = 0
    return settings


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        root, port = start()
        print(f"DINGDAN_PG_ROOT={root}")
        print(f"DATABASE_URL=postgres://postgres@127.0.0.1:{port}/dingdan")
    elif command == "stop":
        stop(sys.argv[2])
    elif command == "run":
        args = sys.argv[2:]
        args = args[1:] if args[:1] == ["--"] else args
        root, port = start()
        try:
            env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/dingdan"}
            sys.exit(subprocess.call(args, env=env))
        finally:
            stop(root)
    else:
        sys.exit(__doc__)
