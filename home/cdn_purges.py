"""Purges for the CDN, kept until it took them (an outbox, like ``home.outbox``'s e-mails).

``home.page_cache.purge_urls`` writes a ``PendingPurge`` per address and asks the background
worker to send them. Each address goes to every ``WAGTAILFRONTENDCACHE`` backend; one that
fails is logged and tried again after 1, 2, 4 … minutes (at most an hour apart) by the
scheduled ``send_cdn_purges`` job, so that a purge endpoint that was down still gets told.
Meanwhile the CDN serves the old page for at most its ``s-maxage``.
"""

import logging
from datetime import datetime, timedelta
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.utils import get_backends

from .models import PendingPurge

logger = logging.getLogger(__name__)

LONGEST_WAIT = timedelta(hours=1)
TIMEOUT_SECONDS = 10


class PurgeFailed(Exception):
    pass


class RetriedHTTPBackend(HTTPBackend):
    """frontend_cache's HTTP backend (a ``PURGE`` to ``LOCATION`` with the page's own host),
    except that a purge the endpoint did not take raises, so that it is retried."""

    def purge(self, url: str) -> None:
        parts = urlsplit(url)
        target = urlunsplit((self.cache_scheme, self.cache_netloc, parts.path, parts.query, ""))
        request = Request(target, method="PURGE", headers={"Host": parts.netloc})
        try:
            with urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (configured)
                answer.read()
        except (URLError, OSError) as error:
            raise PurgeFailed(f"{type(error).__name__}: {error}") from error


def queue_purges(urls: set[str]) -> None:
    """Keep ``urls`` for the CDN and ask the worker to send them now."""
    if not urls or not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    now = timezone.now()
    PendingPurge.objects.bulk_create(
        [PendingPurge(url=url, next_attempt_at=now) for url in sorted(urls)],
        update_conflicts=True,
        unique_fields=["url"],
        update_fields=["next_attempt_at"],
    )
    try:
        send_purges_task.enqueue()
    except Exception:
        logger.exception("Could not enqueue the CDN purges; the scheduled job sends them.")


@task()
def send_purges_task() -> int:
    return send_due_purges()


def send_due_purges(*, now: datetime | None = None) -> int:
    """Send every purge whose time has come; returns how many the CDN took."""
    now = now or timezone.now()
    backends = get_backends()
    due = PendingPurge.objects.filter(next_attempt_at__lte=now).order_by("pk")[:500]
    taken = 0
    for row in due:
        errors = []
        for name, backend in backends.items():
            if not backend.invalidates_hostname(urlsplit(row.url).hostname):
                continue
            try:
                backend.purge(row.url)
            except Exception as error:  # any backend's failure is retried, never raised
                errors.append(f"{name}: {error}")
        if not errors:
            row.delete()
            taken += 1
            continue
        row.attempts += 1
        row.last_error = "; ".join(errors)[:500]
        row.next_attempt_at = now + min(timedelta(minutes=2 ** (row.attempts - 1)), LONGEST_WAIT)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        logger.error(
            "The CDN did not take the purge of %s (attempt %d, next at %s): %s",
            row.url,
            row.attempts,
            row.next_attempt_at.isoformat(),
            row.last_error,
        )
    return taken
