"""What one request would read several times, read once: the site's page view restrictions.

A public page asks "is anything private?" to be served, and again for its menu, its
listings and its filters; Wagtail reads the restrictions afresh each time. The middleware
opens a memo for the request and the helpers here read the restrictions into it once.
Outside a request (a management command, a background task) nothing is remembered, and a
change to a restriction empties the memo.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction

_memo: ContextVar[dict[str, Any] | None] = ContextVar("ideatori_request_memo", default=None)


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def remembered(key: str, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def view_restrictions() -> list[PageViewRestriction]:
    """Every page view restriction of every site, with its page."""
    return remembered(
        "view_restrictions",
        lambda: list(PageViewRestriction.objects.select_related("page")),
    )


@receiver([post_save, post_delete], sender=PageViewRestriction)
def _forget_restrictions(**kwargs):
    memo = _memo.get()
    if memo is not None:
        memo.pop("view_restrictions", None)


def private_q() -> Q:
    """The pages in a private section: a restricted page and those below it."""
    private = Q(pk__in=[])
    for restriction in view_restrictions():
        section = restriction.page
        private |= Q(path__startswith=section.path, depth__gte=section.depth)
    return private


def public(pages):
    """``pages.public()``: none of the pages in a private section, the restrictions read once
    per request."""
    return pages.exclude(private_q())


class ViewRestrictionsReadOnce:
    """A page mixin: where the site has no view restriction at all (read once per request),
    no page has one, and serving a page need not look its ancestors up to know it."""

    def get_view_restrictions(self):
        if not view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
