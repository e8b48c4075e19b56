from collections.abc import Iterator
from typing import Any

import pytest

from dingdan.orders.tests.conftest import shop  # noqa: F401  (the order fixture)

from .servers import HttpReceiver, SmtpServer


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture
def notify_settings(settings: Any) -> dict[str, Any]:
    """NOTIFICATIONS for tests: local receivers allowed, no feed settling, quick retries."""
    options = {
        **settings.NOTIFICATIONS,
        "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
        "FEED_SETTLE_SECONDS": 0,
        "BACKOFF_BASE_SECONDS": 30.0,
        "MAX_ATTEMPTS": 3,
        "HTTP_TIMEOUT_SECONDS": 5.0,
        "PUBLIC_URL": "https://shop.example.com",
    }
    settings.NOTIFICATIONS = options
    return options


@pytest.fixture
def smtp_mailer(settings: Any, smtp: SmtpServer) -> SmtpServer:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp.port, "timeout": 5},
        }
    }
    return smtp
