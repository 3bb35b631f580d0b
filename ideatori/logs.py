"""How every process logs: Django, gunicorn's error and access logs, the background worker.

``logging_config`` is the one configuration; Django's production settings and
``gunicorn.conf.py`` both load it. With ``json`` every line is one JSON object made by
python-json-logger: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
``request_id``, ``client`` and, for an exception, ``traceback``; with ``text`` the same in a
line for people. The request id and client come from the request being served (set by
``ideatori.middleware.RequestIdMiddleware``); outside a request they are null.

Nothing here imports Django: gunicorn's master process loads this module.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

LOG_FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming X-Request-ID may be to be kept: a load balancer's or tracer's token.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,200}")


@dataclass(frozen=True)
class RequestContext:
    request_id: str | None = None
    client: str | None = None


NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("ideatori_request", default=None)


@contextmanager
def request_context(*, request_id: str, client: str | None) -> Iterator[None]:
    token = _current.set(RequestContext(request_id=request_id, client=client))
    try:
        yield
    finally:
        _current.reset(token)


class RequestContextFilter(logging.Filter):
    """Put the request's id and client on every record that does not carry them.

    Django logs a response's 4xx or 5xx status after the middleware has returned, with the
    request on the record; other records made while a request runs take the current one.
    """

    def __init__(self, name: str = "", missing: str | None = None):
        super().__init__(name)
        self.missing = missing  # what a line outside a request shows: null in JSON, "-" in text

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if hasattr(request, "request_id"):
            context = RequestContext(request.request_id, request.META.get("REMOTE_ADDR"))
        else:
            context = _current.get() or NO_REQUEST
        if getattr(record, "request_id", None) is None:
            record.request_id = context.request_id or self.missing
        if getattr(record, "client", None) is None:
            record.client = context.client or self.missing
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(client)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(client)s"
# Attributes Django puts on its request records that are objects, not facts for a log line.
JSON_SKIPPED = ("request", "server_time")


def log_format(value: str | None) -> str:
    """``DJANGO_LOG_FORMAT`` read: ``text`` when unset; ValueError for an unknown format."""
    chosen = (value or "").strip().lower() or "text"
    if chosen not in LOG_FORMATS:
        raise ValueError(f"{value!r} is not one of {', '.join(LOG_FORMATS)}")
    return chosen


def logging_config(
    *, log_format: str = "text", level: str = "INFO", gunicorn_level: str | None = None
) -> dict:
    """A ``logging.config.dictConfig`` dictionary: every line to stderr in ``log_format``;
    gunicorn's own messages at ``gunicorn_level`` (its ``loglevel``), the rest at ``level``."""
    from pythonjsonlogger.core import RESERVED_ATTRS

    formatters = {
        # Local time with its offset (Django sets the process's zone to TIME_ZONE).
        "text": {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "timestamp": "time",
            "rename_fields": {
                "levelname": "level",
                "name": "logger",
                "exc_info": "traceback",
            },
            "reserved_attrs": [*RESERVED_ATTRS, *JSON_SKIPPED],
        },
    }
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": log_format,
        "filters": ["request_context"],
    }
    own_handler = {"handlers": ["console"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {
                "()": "ideatori.logs.RequestContextFilter",
                "missing": "-" if log_format == "text" else None,
            }
        },
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults add a console handler in DEBUG and mail to ADMINS; the root
            # handler above is the one place every line goes through.
            "django": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.error": own_handler | {"level": gunicorn_level or level},
            "gunicorn.access": own_handler | {"level": "INFO"},
            # pikepdf (blind rounds' clean copies) says at INFO that it has loaded, in every
            # process; its warnings and errors still come through.
            "pikepdf": {"level": "WARNING"},
        },
    }
