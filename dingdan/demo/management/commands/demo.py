import os
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dingdan.accounts.scopes import ROLES
from dingdan.demo.bulk import add_orders
from dingdan.demo.data import SEED
from dingdan.demo.data.staff import DEMO_PASSWORD, SUPERUSER
from dingdan.demo.loader import SectionResult, demo_load
from dingdan.demo.processes import run_until_stopped
from dingdan.reporting.services import days_rebuild_all


class Command(BaseCommand):
    help = (
        "Migrate, load the demo data (once), print the demo logins, then serve the web server "
        "and the worker until Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"), help="HOST:PORT")
        parser.add_argument("--no-serve", action="store_true", help="Load the data and exit (tests, CI).")
        parser.add_argument("--seed", type=int, default=SEED, help="Seed of the generated data.")
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="Instead of the demo's orders, add this many history orders in bulk (benchmarks).",
        )

    def handle(
        self, *args: Any, bind: str, no_serve: bool, seed: int, orders: int | None, **options: Any
    ) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write("Loading the demo data…")
        if orders is None:
            demo_load(seed=seed, progress=self._report)
        else:
            if orders < 1:
                raise CommandError("--orders must be at least 1")
            demo_load(seed=seed, progress=self._report, with_orders=False)
            add_orders(count=orders, seed=seed, progress=lambda text: self.stdout.write(f"  {text}"))
            self._rebuild_reports()
        self._print_logins(bind)
        if no_serve:
            return
        base = [sys.executable, "-m", "dingdan.cli"]
        exit_code = run_until_stopped([[*base, "serve", "--bind", bind], [*base, "worker"]])
        if exit_code:
            raise CommandError(f"demo: a server process exited with status {exit_code}", returncode=exit_code)
        self.stdout.write("Demo stopped.")

    def _rebuild_reports(self) -> None:
        """The bulk history has no events: build the read models of reporting over it."""
        started = time.perf_counter()
        written = days_rebuild_all()
        self.stdout.write(f"  reports: {written:,} rows rebuilt in {time.perf_counter() - started:.1f} s")

    def _report(self, result: SectionResult) -> None:
        if result.status == "loaded":
            status = self.style.SUCCESS(f"{result.created:>5} created in {result.seconds:.1f} s")
        else:
            status = result.status
        self.stdout.write(f"  {result.name:<12} {status}")

    def _print_logins(self, bind: str) -> None:
        rows = [(SUPERUSER, "superuser (all of the admin)")]
        rows += [(role, str(label)) for role, (label, _scopes) in ROLES.items()]
        self.stdout.write(self.style.MIGRATE_HEADING("\nDemo logins"))
        self.stdout.write(f"  {'username':<18} {'password':<14} role")
        for username, role in rows:
            self.stdout.write(f"  {username:<18} {DEMO_PASSWORD:<14} {role}")
        url = f"http://{bind}"
        self.stdout.write(self.style.MIGRATE_HEADING("\nURLs"))
        self.stdout.write(f"  admin         {url}/admin/")
        self.stdout.write(f"  API docs      {url}/api/v1/docs  (sign in to the admin first)")
        self.stdout.write(f"  OpenAPI       {url}/api/v1/openapi.json")
        self.stdout.write(f"  health        {url}/healthz\n")
