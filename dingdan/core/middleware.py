"""A busy database answers 503 with Retry-After, never 500 (ARCHITECTURE §6); reads are
planned for their parameters (core.plans)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .plans import plan_mode, plan_mode_for
from .problems import problem_response

logger = logging.getLogger(__name__)

# The database cannot be reached: down, restarting, or the connection was lost (psycopg raises
# OperationalError; a connection already closed is InterfaceError). A retry can succeed.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def busy_response() -> HttpResponse:
    return problem_response(
        status=503,
        code="service_busy",
        detail=_("The service is busy. Please retry shortly."),
        headers={"Retry-After": str(settings.DINGDAN["RETRY_AFTER_SECONDS"])},
    )


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("database unavailable: %s", exception)
            return busy_response()
        return None


class PlanModeMiddleware:
    """A request that only reads has its statements planned for their parameters; the others
    may use PostgreSQL's generic plans (core.plans)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with plan_mode(plan_mode_for(request.method or "")):
            return self.get_response(request)
