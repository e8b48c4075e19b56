from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dingdan.core.verify import verify_all


class Command(BaseCommand):
    help = "Check every invariant (stock, reservations, audit chains, ...) and report drift; exit 1 on drift."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=20, help="Findings shown per check (default 20).")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        results = verify_all()
        drift = 0
        for name, findings in results.items():
            ok = self.style.SUCCESS("ok")
            status = ok if not findings else self.style.ERROR(f"{len(findings)} finding(s)")
            self.stdout.write(f"{name:<28} {status}")
            for finding in findings[:limit]:
                self.stdout.write(f"    {finding.subject}: {finding.problem}")
            drift += len(findings)
        if drift:
            raise CommandError(f"verify: {drift} invariant violation(s)", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"verify: {len(results)} checks, no drift"))
