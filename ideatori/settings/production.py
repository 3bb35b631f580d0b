"""Production settings: everything comes from the environment.

A required variable that is missing stops start-up with ImproperlyConfigured naming it.
README.md lists every variable.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from ideatori.capacity import gunicorn_processes
from ideatori.logs import log_format, logging_config
from ideatori.proxies import trusted_proxies

from .base import *  # noqa: F403


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production and is not set."
        )
    return value


def listed(name: str, *, required_: bool = False) -> list[str]:
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    if required_ and not items:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production and lists no value."
        )
    return items


def whole_number(name: str, default: int | None) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number (0 or more), not {value!r}."
        )
    return number


def flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False
IDEATORI_ENVIRONMENT = "production"

SECRET_KEY = required("DJANGO_SECRET_KEY")
IDEATORI_SITE_URL = required("DJANGO_SITE_URL").rstrip("/")
WAGTAILADMIN_BASE_URL = IDEATORI_SITE_URL
ALLOWED_HOSTS = listed("DJANGO_ALLOWED_HOSTS", required_=True)
CSRF_TRUSTED_ORIGINS = listed("DJANGO_CSRF_TRUSTED_ORIGINS")

# TLS ends at the load balancer, which says so in X-Forwarded-Proto; that header and
# X-Forwarded-For are believed only from these addresses (ideatori.middleware).
try:
    IDEATORI_TRUSTED_PROXIES = trusted_proxies(os.environ.get("DJANGO_TRUSTED_PROXIES"))
except ValueError as error:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}.") from error
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = flag("DJANGO_SECURE_SSL_REDIRECT", True)
# The load balancer's health check speaks plain HTTP to each app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = flag("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

# E-mails and reminders are queued in the database; run `manage.py db_worker` beside gunicorn.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    IDEATORI_EMAIL_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = flag("EMAIL_USE_TLS", True)
SERVER_EMAIL = DEFAULT_FROM_EMAIL  # noqa: F405

# Purge the CDN when a page is published (any HTTP purge endpoint: Varnish, Fastly-style, …).
# home.page_cache sends the purges, with every address that shows the page; the app
# wagtail.contrib.frontend_cache is not installed, as its own signal handlers would purge the
# page's default-language path under every language prefix.
FRONTEND_CACHE_PURGE_URL = os.environ.get("FRONTEND_CACHE_PURGE_URL", "")
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "cdn": {
            # frontend_cache's HTTPBackend, whose failures are retried (home.cdn_purges).
            "BACKEND": "home.cdn_purges.RetriedHTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }

# One line per record to stderr, as gunicorn's own (ideatori.logs): readable text, or one JSON
# object per line with DJANGO_LOG_FORMAT=json.
try:
    LOGGING = logging_config(
        log_format=log_format(os.environ.get("DJANGO_LOG_FORMAT")),
        level=os.environ.get("DJANGO_LOG_LEVEL", "INFO").strip().upper() or "INFO",
    )
except ValueError as error:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT: {error}.") from error

# gunicorn's processes as gunicorn.conf.py starts them, for the deployment checks (home.checks).
IDEATORI_WEB_WORKERS, IDEATORI_WEB_THREADS = gunicorn_processes(os.environ)
IDEATORI_WEB_SERVERS = whole_number("IDEATORI_WEB_SERVERS", 1) or 1
IDEATORI_BACKGROUND_PROCESSES = whole_number("IDEATORI_BACKGROUND_PROCESSES", 2)
IDEATORI_DATABASE_MAX_CONNECTIONS = whole_number("DATABASE_MAX_CONNECTIONS", None)

# PostgreSQL: a pool per process (psycopg's, through Django), as large as the process's threads
# by default, so that no request waits for a connection and none is opened per request.
# DJANGO_DB_POOL_MAX=0, or persistent connections chosen with DATABASE_CONN_MAX_AGE, turn it off.
# Health checks: a connection broken by a database restart is replaced, not handed out (the
# pool checks each connection it lends).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Opening the file and setting it up (its pragmas) on every request cost a round's page,
    # uncached under load, about a sixth of its speed: each thread keeps its connection
    # unless told otherwise. (Not under runserver, whose threads live for one request.)
    DATABASES["default"]["CONN_MAX_AGE"] = whole_number("DATABASE_CONN_MAX_AGE", 600)  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    persistent = whole_number("DATABASE_CONN_MAX_AGE", 0)
    pool_max = whole_number("DJANGO_DB_POOL_MAX", 0 if persistent else IDEATORI_WEB_THREADS)
    if pool_max and persistent:
        raise ImproperlyConfigured(
            "DJANGO_DB_POOL_MAX and DATABASE_CONN_MAX_AGE both keep connections open: "
            "choose the pool (DATABASE_CONN_MAX_AGE=0) or persistent connections "
            "(DJANGO_DB_POOL_MAX=0)."
        )
    if pool_max:
        pool_min = min(whole_number("DJANGO_DB_POOL_MIN", 1), pool_max)
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 - Django's pool needs it
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
            "min_size": pool_min,
            "max_size": pool_max,
            # Seconds a request waits for a free connection before it fails.
            "timeout": whole_number("DJANGO_DB_POOL_TIMEOUT", 10) or 10,
        }
