"""Thin, idempotent tasks of reporting (run by `dingdan worker`)."""

from crontask import cron
from django.tasks import task

from . import services


@cron("* * * * *")  # the safety net: a refresh lost with a killed worker waits a minute at most
@task
def reporting_days_refresh() -> None:
    """Rebuild the business days order events marked dirty; safe to run any number of times."""
    services.dirty_days_refresh()
