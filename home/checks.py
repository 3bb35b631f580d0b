"""Deployment checks (``manage.py check --deploy``) of what the settings alone cannot say."""

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connection

from ideatori.capacity import connections_per_process, database_connections

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Rate limits (failed sign-ins above all) count in the cache: several gunicorn processes
    without Redis each count apart, and an unreachable Redis fails every request that counts."""
    backend = settings.CACHES["default"]["BACKEND"]
    workers = settings.IDEATORI_WEB_WORKERS
    if backend in PER_PROCESS_CACHES and workers > 1:
        return [
            Warning(
                f"gunicorn runs {workers} processes and the cache is in each process's memory: "
                "rate limits (failed sign-ins, password resets) are counted per process, so an "
                f"attacker gets {workers} times the tries; and a change made through one "
                "process (a page published or unpublished, the menu, the settings) reaches the "
                "pages the others keep only when they expire: the page cache after "
                "PAGE_CACHE_SECONDS, what every page reads after 5 minutes.",
                hint="Set REDIS_URL to a Redis every process reaches, or GUNICORN_WORKERS=1.",
                id="home.W001",
            )
        ]
    unreachable = getattr(caches["default"], "unreachable", None)
    error = unreachable() if unreachable else None
    if error:
        return [
            Warning(
                f"The Redis in REDIS_URL does not answer ({error}). Until it does, pages are "
                "not cached and rate limits (failed sign-ins, password resets) are not counted.",
                hint="Start Redis or correct REDIS_URL before starting gunicorn.",
                id="home.W002",
            )
        ]
    return []


# psycopg's pool with Django's ``"pool": True``: four connections, never more.
PSYCOPG_POOL_DEFAULT_SIZE = 4


def _pool_sizes() -> tuple[int, int] | None:
    """``(min, max)`` of the database's connection pool, or None without one."""
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if not pool:
        return None
    options = pool if isinstance(pool, dict) else {}
    smallest = options.get("min_size", PSYCOPG_POOL_DEFAULT_SIZE)
    return smallest, options.get("max_size") or smallest


def _available_connections() -> tuple[int, str] | None:
    """Connections PostgreSQL accepts from ordinary roles, and where that number came from:
    the server itself when it answers, else ``DATABASE_MAX_CONNECTIONS``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            (most,) = cursor.fetchone()
            cursor.execute("SHOW superuser_reserved_connections")
            (reserved,) = cursor.fetchone()
        return int(most) - int(reserved), "PostgreSQL's max_connections"
    except DatabaseError:
        configured = settings.IDEATORI_DATABASE_MAX_CONNECTIONS
        return (configured, "DATABASE_MAX_CONNECTIONS") if configured else None
    finally:
        connection.close()


@register("database_capacity", deploy=True)
def check_database_connections(app_configs, **kwargs) -> list[Warning]:
    """Every app server's gunicorn processes, each holding its pool's maximum (or one
    connection per thread without a pool), plus the worker and scheduler, must fit in what
    PostgreSQL accepts; past it, requests fail with "too many clients" under load."""
    if connection.vendor != "postgresql":
        return []
    available = _available_connections()
    if available is None:
        return []
    limit, source = available
    pool = _pool_sizes()
    servers, workers = settings.IDEATORI_WEB_SERVERS, settings.IDEATORI_WEB_WORKERS
    threads = settings.IDEATORI_WEB_THREADS
    per_process = connections_per_process(threads=threads, pool_max=pool[1] if pool else None)
    background = settings.IDEATORI_BACKGROUND_PROCESSES * max(1, pool[0] if pool else 1)
    needed = database_connections(
        servers=servers,
        workers=workers,
        threads=threads,
        pool_max=pool[1] if pool else None,
        background=background,
    )
    if needed <= limit:
        return []
    return [
        Warning(
            f"Up to {needed} database connections can be open at once ({servers} app "
            f"server(s) × {workers} gunicorn process(es) × {per_process} connection(s) each, "
            f"plus {background} for the worker and scheduler), but {source} allows "
            f"{limit} (superuser-reserved connections left out).",
            hint="Lower GUNICORN_WORKERS, GUNICORN_THREADS or DJANGO_DB_POOL_MAX, or raise "
            "max_connections (or put PgBouncer in front). IDEATORI_WEB_SERVERS and "
            "IDEATORI_BACKGROUND_PROCESSES say how many servers and background processes share "
            "the database.",
            id="home.W010",
        )
    ]
