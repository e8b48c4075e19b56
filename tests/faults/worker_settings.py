"""Settings of the worker processes the fault tests start: the test settings, with the
database the test runs on and an SMTP mailer pointing at the test's aiosmtpd server (both
passed in the environment)."""

import json
import os

from config.settings.test import *  # noqa: F403

DATABASES = {"default": json.loads(os.environ["DINGDAN_FAULT_DATABASE"])}
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["DINGDAN_FAULT_SMTP_PORT"]), "timeout": 5},
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DINGDAN_FAULT_LOG_LEVEL", "WARNING")},
}
