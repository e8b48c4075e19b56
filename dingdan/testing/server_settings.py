"""Settings of the servers the load and fault tests start (dingdan.testing.load): the test
settings on the database passed in DINGDAN_SERVER_DATABASE (a Django DATABASES entry as JSON).

With DINGDAN_SERVER_FAULTS=1 the server also carries the deliberate faults of negative
controls (`load.FAULTS`): installed when the apps are ready, each acts only on a request that
names it in the X-Dingdan-Fault header, so one server serves a test and its control.
"""

import json
import os

from django.apps import AppConfig

from config.settings.test import *  # noqa: F403
from config.settings.test import INSTALLED_APPS, MIDDLEWARE

DATABASES = {"default": json.loads(os.environ["DINGDAN_SERVER_DATABASE"])}


class Faults(AppConfig):
    name = "dingdan.testing"
    label = "dingdan_testing_faults"
    verbose_name = "Deliberate faults of negative controls"

    def ready(self) -> None:
        from .load import FAULTS

        for install in FAULTS.values():
            install()


if os.environ.get("DINGDAN_SERVER_FAULTS") == "1":
    INSTALLED_APPS = [*INSTALLED_APPS, "dingdan.testing.server_settings.Faults"]
    MIDDLEWARE = ["dingdan.testing.load.FaultMiddleware", *MIDDLEWARE]
