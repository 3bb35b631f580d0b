"""What one request would read several times, read once; what every request reads, read once
per edition of the site.

A public page asks "is anything private?" to be served, and again for its menu, its
listings and its filters; Wagtail reads the restrictions afresh each time. The middleware
opens a memo for the request and the helpers here read the restrictions into it once.
Outside a request (a management command, a background task) nothing is remembered, and a
change to a restriction empties the memo.

``shared`` goes one step further, for what every public page reads and only an editor
changes: the site of the request's host, the site settings, each page's navigation
(``home.navigation``) and route, and the lists a few pages show. These are kept in the shared
cache (``CACHES["default"]``: every app server sees the same) under the site's current
*edition*, a token that a saved or deleted page, site, settings, restriction, locale, image or
model registered with ``shown_on_pages``, a moved page and a migration replace
(``new_edition``; at once, and again when the transaction commits, so that a reader between
the two cannot keep what it read before the commit). A replaced edition's entries are never
read again and expire after SHARED_SECONDS, which also bounds how long a change made without
Django's signals (a queryset ``update``) can go unseen. What decides who is served, the view
restrictions and whether staff must use single sign-on, is not kept: it is read on every
request. With the page cache off, this is what keeps an uncached page from asking the database
for what it asked on the previous one; with the cache unreachable, everything is read afresh.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import translation
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import post_page_move

logger = logging.getLogger(__name__)

EDITION_KEY = "ideatori:edition"
SHARED_SECONDS = 300
_MISSING = object()

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

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail.views import serve  # needs the models loaded

        if view_func is serve:
            _known_route(request, view_kwargs.get("path", view_args[0] if view_args else ""))


def _known_route(request, path: str) -> None:
    """The site and the page of a Wagtail page's request, from the shared cache: Wagtail
    takes both when already on the request (``Site.find_for_request``,
    ``Page.route_for_request``), and routes as usual otherwise. Only for an allowed host, so
    that a forged ``Host`` adds no entry, and only a path that leads to a page, so that
    addresses made up by a visitor add none either. Other views (a form's, a report's) need no
    site or ask Wagtail themselves."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return
    site = shared(f"site:{host}:{request.get_port()}", lambda: Site._find_for_request(request))
    request._wagtail_site = site
    if site is not None:
        # A path as typed, unless long: cache keys stay under memcached's 250 characters.
        where = path if len(path) <= 100 else hashlib.sha256(path.encode()).hexdigest()
        request._wagtail_route_for_request = shared(
            f"route:{site.pk}:{translation.get_language()}:{where}",
            lambda: _route(request, path),
            keep=lambda found: found is not None,
        )


def _route(request, path: str):
    """Wagtail's route, with the page's locale and the rows the page names in
    ``published_with_page`` (its own inline rows, which only publishing the page changes)
    read with it, so that they are kept with it."""
    found = Page.route_for_request(request, path)
    if found is not None:
        prefetch_related_objects(
            [found.page], "locale", *getattr(found.page, "published_with_page", ())
        )
    return found


def remembered(key: str, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def edition() -> str | None:
    """The site's current edition (once per request), or None when the cache does not
    answer."""
    return remembered(EDITION_KEY, _read_edition)


def _read_edition() -> str | None:
    current = cache.get(EDITION_KEY)
    if current is None:
        cache.add(EDITION_KEY, secrets.token_hex(8), None)
        current = cache.get(EDITION_KEY)
    return current


def shared(key: str, compute: Callable[[], Any], *, keep: Callable[[Any], bool] | None = None):
    """``compute()``, kept for the request and in the shared cache under the current edition
    (only when ``keep(value)``, if given). Outside a request, or without the cache, computed
    each time."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        current = edition()
        value = _MISSING
        if current is not None:
            stored = f"ideatori:shared:{current}:{key}"
            try:
                value = cache.get(stored, _MISSING)
            except Exception:  # e.g. pickled by other code: read afresh, and replaced below
                logger.warning("The cache could not hand back %s; read afresh", key, exc_info=True)
        if value is _MISSING:
            value = compute()
            if current is not None and (keep is None or keep(value)):
                cache.set(stored, value, SHARED_SECONDS)
        memo[key] = value
    return memo[key]


def new_edition() -> None:
    """What ``shared`` kept is out of date: at once, and again when the transaction commits."""
    _replace_edition()
    transaction.on_commit(_replace_edition)


def _replace_edition() -> None:
    cache.set(EDITION_KEY, secrets.token_hex(8), None)
    memo = _memo.get()
    if memo is not None:
        memo.clear()


# Every model whose rows ``shared`` values are read from (an image: the settings' logo).
EDITED = (Page, Site, PageViewRestriction, Locale, AbstractImage)


_shown: list[type] = []


def shown_on_pages(*models: type) -> None:
    """Models of other apps whose rows public pages show and keep (an innovation's service
    units): a change to one starts a new edition too."""
    _shown.extend(models)


def _edited(sender, instance, raw=False, created=False, **kwargs) -> None:
    from home.models import SiteSettings

    # Site settings made with the defaults on first reading (``for_site``) change nothing.
    if not raw and not (isinstance(instance, SiteSettings) and created):
        new_edition()


def _moved(**kwargs) -> None:
    new_edition()


def _migrated(**kwargs) -> None:
    # A deployment: rows a migration changed without signals, and values pickled by the
    # code before it, are not read again.
    new_edition()


def connect_signals() -> None:
    """Each model ``shared`` values are read from starts a new edition when saved or deleted.
    Connected model by model: a receiver for every model would keep Django from deleting any
    row without loading it first."""
    from django.apps import apps

    from home.models import SiteSettings

    watched = (*EDITED, *_shown, SiteSettings)
    for model in apps.get_models():
        if issubclass(model, watched):
            uid = f"edition_{model._meta.label_lower}"
            post_save.connect(_edited, sender=model, dispatch_uid=f"{uid}_saved")
            post_delete.connect(_edited, sender=model, dispatch_uid=f"{uid}_deleted")
    post_page_move.connect(_moved, dispatch_uid="edition_moved")
    post_migrate.connect(_migrated, dispatch_uid="edition_migrated")


def view_restrictions() -> list[PageViewRestriction]:
    """Every page view restriction of every site, with its page: read once per request, never
    kept longer, since serving a page decides on them."""
    return remembered(
        "view_restrictions",
        lambda: list(PageViewRestriction.objects.select_related("page")),
    )


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
