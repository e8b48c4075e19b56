import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run background work: the django-tasks database worker (outbox delivery, imports) and the "
        "django-crontask scheduler (periodic jobs). Stops both on SIGINT/SIGTERM."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Run only the task worker.")
        parser.add_argument("--interval", type=float, default=0.5, help="Worker poll interval in seconds.")

    def handle(self, *args: Any, no_scheduler: bool, interval: float, **options: Any) -> None:
        base = [sys.executable, "-m", "dingdan.cli"]
        commands = [[*base, "db_worker", "--interval", str(interval)]]
        if not no_scheduler:
            commands.append([*base, "crontask"])
        children = [subprocess.Popen(command) for command in commands]  # noqa: S603

        def stop(signum: int, frame: object) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop(signal.SIGTERM, None)
        for child in children:
            child.wait(timeout=30)
