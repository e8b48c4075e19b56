import logging
import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.http import require_GET

from .middleware import DATABASE_UNAVAILABLE, busy_response

logger = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query; the busy middleware turns failure into 503."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception no view handled, such as one raised in a middleware (the
    bearer-token and session lookups run there, before any view). A database that cannot be
    reached is 503 with Retry-After there too, as in views; anything else is a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        logger.warning("database unavailable: %s", error)
        return busy_response()
    return defaults.server_error(request)
