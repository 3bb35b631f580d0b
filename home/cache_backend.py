"""Django's Redis cache, made to degrade instead of fail when Redis is unreachable.

Everything the cache holds can be made again — a stored page, a rank certainty, a rate-limit
count — so a Redis that is down or slow must cost speed, not pages: with Django's own
backend every anonymous page (the page cache reads before the view runs) would answer 500.
Here a read that cannot reach Redis is a miss, a write is dropped, and each failure is
logged. After a failure the process leaves Redis alone for ``PAUSE_SECONDS`` (every call a
miss at once), so that a Redis that stopped answering costs one timeout per pause, not one per
cache call. Rate limits kept in the cache (sign-in attempts) do not count while Redis is down:
the log says so, and a site that must not run without them watches that log. What must not
be forgiven — remembering a used SAML assertion — calls ``add_or_fail``.
"""

import functools
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError, OSError)
PAUSE_SECONDS = 5.0

# Per process: the moment until which Redis is left alone after a failure.
_paused_until = 0.0


def _forgiving(operation: str, answer):
    """Run the cache call, or give ``answer(args)`` when Redis cannot be reached."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            global _paused_until
            if time.monotonic() < _paused_until:
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                _paused_until = time.monotonic() + PAUSE_SECONDS
                logger.error(
                    "The cache (Redis) could not %s; requests go on without it for %s s: %s",
                    operation,
                    PAUSE_SECONDS,
                    error,
                )
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _nothing(*args, **kwargs):
    return None


def _no(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


def _missing(key, *args, **kwargs):
    # What the cache says of a key it does not hold.
    raise ValueError(f"Key '{key}' not found")


class ForgivingRedisCache(RedisCache):
    @_forgiving("read", _default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_forgiving("read", _empty)
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_forgiving("read", _no)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_forgiving("store", _nothing)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_forgiving("store", _no)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_forgiving("store", _all_failed)
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_forgiving("store", _no)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_forgiving("count", _missing)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_forgiving("remove a key", _no)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_forgiving("remove keys", _nothing)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_forgiving("clear", _no)
    def clear(self):
        return super().clear()

    def add_or_fail(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """``add`` that raises when Redis cannot be reached, for a caller that must tell
        "already there" from "could not ask"."""
        return super().add(key, value, timeout, version)

    def unreachable(self) -> str | None:
        """Why Redis does not answer, or None when it does: for the deployment check and
        /healthz, which must see what the forgiving methods above hide."""
        try:
            self._cache.get_client().ping()
        except UNREACHABLE as error:
            return str(error) or error.__class__.__name__
        return None
