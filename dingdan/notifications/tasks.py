"""Thin tasks of the notifications context (run by `dingdan worker`)."""

from django.tasks import task

from . import services


@task
def deliveries_pump() -> None:
    """Send the deliveries that are due; safe to run any number of times at once."""
    services.deliveries_pump()
