"""Settings shared by every environment. Values come from the environment (django-environ).

Wiring only: no business rules here.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DINGDAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    TIME_ZONE=(str, "Asia/Shanghai"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-change-me-" + "x" * 40)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "django_tasks_db",
    "crontask",
    "dingdan.core",
    "dingdan.channels",
    "dingdan.accounts",
    "dingdan.catalog",
    "dingdan.customers",
    "dingdan.inventory",
    "dingdan.orders",
    "dingdan.fulfillment",
    "dingdan.billing",
    "dingdan.notifications",
    "dingdan.reporting",
    "dingdan.api",
    "dingdan.backoffice",
    "dingdan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dingdan.core.middleware.DatabaseBusyMiddleware",
    "dingdan.core.middleware.PlanModeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dingdan.accounts.middleware.PrincipalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def sqlite_database(path: Path) -> dict:
    """The embedded default: WAL, IMMEDIATE transactions, a busy timeout (ARCHITECTURE §8)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
        },
    }


def postgresql_prepared(database: dict) -> dict:
    """Bind parameters on the server and prepare a statement once a connection has run it
    five times (psycopg's threshold), unless PG_PREPARED_STATEMENTS=off: PostgreSQL then
    skips parsing and planning the order path's statements, about half its CPU per order
    (docs/performance.md). Requests that only read are planned for their parameters
    (dingdan.core.plans). Off for a pooler that cannot carry prepared statements
    (PgBouncer in transaction mode before 1.21)."""
    if "postgresql" in database["ENGINE"] and env.bool("PG_PREPARED_STATEMENTS", default=True):
        options = database.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
    return database


def postgresql_engine(database: dict) -> dict:
    """PostgreSQL through Dingdan's subclass of Django's backend, whose check of a persistent
    connection costs no round trip while the server has sent nothing
    (dingdan.core.backends.postgresql)."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "dingdan.core.backends.postgresql"
    return database


if env("DATABASE_URL", default=""):
    DATABASES = {"default": postgresql_prepared(postgresql_engine(env.db("DATABASE_URL")))}
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # Persistent connections, checked before reuse, unless the URL sets conn_max_age: a
        # new PostgreSQL connection per request costs more than placing an order.
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
        DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "dingdan.sqlite3")}
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "dingdan" / "locale"]
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"

# Background work: the task row commits with the data (ARCHITECTURE §8).
TASKS = {"default": {"BACKEND": "dingdan.core.task_backend.DatabaseBackend"}}
CRONTASK = {"REDIS_URL": env("REDIS_URL", default=None)}

# Mail: MAILERS replaces EMAIL_* in Django 6.1; django-environ still speaks EMAIL_*.
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            key.removeprefix("EMAIL_").lower(): value
            for key, value in _email.items()
            if key != "EMAIL_BACKEND"
        },
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Dingdan <noreply@dingdan.local>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a larger body is refused with 413

DINGDAN = {
    # How long an in-progress idempotency key blocks a retry before it may be taken over.
    "IDEMPOTENCY_LOCK_SECONDS": env.int("IDEMPOTENCY_LOCK_SECONDS", default=30),
    "IDEMPOTENCY_RETENTION_HOURS": env.int("IDEMPOTENCY_RETENTION_HOURS", default=48),
    "RETRY_AFTER_SECONDS": 1,
    # Outbox: events left undispatched this long are dispatched by the periodic sweep.
    "OUTBOX_SWEEP_GRACE_SECONDS": env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=30),
    "OUTBOX_MAX_DISPATCH_ATTEMPTS": env.int("OUTBOX_MAX_DISPATCH_ATTEMPTS", default=20),
}

# Notifications (e-mail, SMS, webhooks): delivery retries, the SMS gateway, webhook SSRF guard.
NOTIFICATIONS = {
    # Absolute base of links in messages (the tracking page), e.g. https://shop.example.com
    "PUBLIC_URL": env("PUBLIC_URL", default="http://127.0.0.1:8000"),
    "MAX_ATTEMPTS": env.int("NOTIFY_MAX_ATTEMPTS", default=8),
    "BACKOFF_BASE_SECONDS": env.float("NOTIFY_BACKOFF_BASE_SECONDS", default=30.0),
    "BACKOFF_MAX_SECONDS": env.float("NOTIFY_BACKOFF_MAX_SECONDS", default=6 * 3600.0),
    # A claimed delivery not finished within the lease (its worker died) is taken over.
    "LEASE_SECONDS": env.int("NOTIFY_LEASE_SECONDS", default=120),
    "HTTP_TIMEOUT_SECONDS": env.float("NOTIFY_HTTP_TIMEOUT_SECONDS", default=10.0),
    # SMS: "log" (development) or "http" (the gateway below, HMAC-signed).
    "SMS_BACKEND": env("SMS_BACKEND", default="log"),
    "SMS_GATEWAY_URL": env("SMS_GATEWAY_URL", default=""),
    "SMS_GATEWAY_SECRET": env("SMS_GATEWAY_SECRET", default=""),
    "SMS_GATEWAY_PARAMS": env.json("SMS_GATEWAY_PARAMS", default={}),
    # Hosts webhooks may reach although they resolve to loopback/private addresses
    # (development only; an administrator's explicit choice).
    "WEBHOOK_ALLOWED_HOSTS": env.list("WEBHOOK_ALLOWED_HOSTS", default=[]),
    # The event feed hides events younger than this, so a transaction that committed later
    # with a lower id is not skipped by a reader's cursor.
    "FEED_SETTLE_SECONDS": env.float("EVENT_FEED_SETTLE_SECONDS", default=2.0),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
