"""Thin, idempotent tasks of billing: the pay-first policy and invoices due by policy."""

from crontask import cron
from django.tasks import task

from dingdan.core.actors import Actor

from . import services

BILLING_ACTOR = Actor(username="billing", via="system")


@cron("*/5 * * * *")
@task
def unpaid_orders_cancel() -> None:
    """Cancel unpaid orders of pay-first channels past the configured time (safe to rerun)."""
    services.unpaid_orders_cancel(actor=BILLING_ACTOR)


@cron("*/15 * * * *")
@task
def invoices_issue_due() -> None:
    """Issue invoices the channels' invoicing policy says are due (safe to rerun)."""
    services.invoices_issue_due(actor=BILLING_ACTOR)
