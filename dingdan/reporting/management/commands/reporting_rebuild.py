import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dingdan.reporting import services


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from error


class Command(BaseCommand):
    help = (
        "Rebuild the read models of reporting from the orders, for the business days --since .. "
        "--until (both included; default: from the first order to today)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", type=_date, default=None, help="First business day (YYYY-MM-DD).")
        parser.add_argument("--until", type=_date, default=None, help="Last business day (default: today).")

    def handle(self, *args: Any, since: dt.date | None, until: dt.date | None, **options: Any) -> None:
        say = (lambda text: self.stdout.write(f"  {text}")) if options["verbosity"] > 1 else None
        if since is None:
            if until is not None:
                raise CommandError("--until needs --since")
            written = services.days_rebuild_all(progress=say)
        else:
            last = until or services.business_day(timezone.now())
            if last < since:
                raise CommandError("--until is before --since")
            written = services.days_rebuild(since=since, until=last, progress=say)
        self.stdout.write(f"reporting: {written:,} rows rebuilt")
