"""Test settings: SQLite file database by default; PostgreSQL with DINGDAN_TEST_DB=postgres.

With DINGDAN_TEST_DB=postgres and no DATABASE_URL, a throwaway cluster is started as an
unprivileged user for this process (dingdan.testing.pgcluster) and stopped at exit.
"""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, postgresql_engine, postgresql_prepared, sqlite_database

SECRET_KEY = "test-secret-key-" + "t" * 40
DEBUG = False
# Tests assert English messages unless they ask for another language (Accept-Language).
LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if os.environ.get("DINGDAN_TEST_DB") == "postgres":
    from dingdan.testing.pgcluster import database_settings

    DATABASES = {"default": postgresql_prepared(postgresql_engine(database_settings()))}
else:
    # A file, not :memory:, so threads, live servers and worker processes share it.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES = {"default": sqlite_database(VAR_DIR / f"test-{worker}.sqlite3")}
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{worker}.sqlite3")}
