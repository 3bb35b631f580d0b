"""Django's Redis cache, made to degrade instead of fail when Redis is unreachable.

Everything the cache holds can be made again — a stored page, a rank certainty, a rate-limit
count — so a Redis that is down or slow must cost speed, not pages: with Django's own
backend every anonymous page (the page cache reads before the view runs) would answer 500.
Here a read that cannot reach Redis is a miss, a write is dropped, and each failure is
logged. Rate limits kept in the cache (sign-in attempts) do not count while Redis is down:
the log says so, and a site that must not run without them watches that log.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError, OSError)


class ForgivingRedisCache(RedisCache):
    def _failed(self, operation: str, error: Exception) -> None:
        logger.error(
            "The cache (Redis) could not %s; the request goes on without it: %s", operation, error
        )

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._failed("read", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._failed("read", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            self._failed("read", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._failed("store", error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._failed("store", error)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._failed("store", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            self._failed("store", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._failed("count", error)
            # What the cache says of a key it does not hold.
            raise ValueError(f"Key '{key}' not found") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._failed("remove a key", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._failed("remove keys", error)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._failed("clear", error)
            return False

    def unreachable(self) -> str | None:
        """Why Redis does not answer, or None when it does: for the deployment check and
        /healthz, which must see what the forgiving methods above hide."""
        try:
            self._cache.get_client().ping()
        except UNREACHABLE as error:
            return str(error) or error.__class__.__name__
        return None
