"""Deployment checks (``manage.py check --deploy``) of what the settings alone cannot say."""

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Tags, Warning, register

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
                f"attacker gets {workers} times the tries.",
                hint="Set REDIS_URL to a Redis every process reaches, or GUNICORN_WORKERS=1.",
                id="home.W001",
            )
        ]
    if backend == "django.core.cache.backends.redis.RedisCache":
        try:
            caches["default"].get("ideatori:deploy-check")
        except Exception as error:  # redis-py's errors, whatever the cause
            return [
                Warning(
                    f"The Redis in REDIS_URL does not answer ({error}). Rate limits, and so "
                    "every sign-in, and cached pages fail until it does; nothing falls back "
                    "to per-process counting.",
                    hint="Start Redis or correct REDIS_URL before starting gunicorn.",
                    id="home.W002",
                )
            ]
    return []
