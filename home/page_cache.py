"""The page cache: anonymous visitors' public pages answered from the shared cache.

Django's own cache middleware does the storing and the fetching (``CACHES["default"]``: local
memory, or Redis with ``REDIS_URL``); these subclasses only say when. A response is stored
only when all of these hold:

- the view said it may be (``allow_page_cache``): Wagtail pages without a view restriction,
  served at their own address (``home.wagtail_hooks``), the feed and the sitemap;
- the request is a GET or HEAD without a query string (a filtered showcase or a second page
  of a listing is not stored: no purge could name every combination);
- it carries neither a session nor a messages cookie (nobody signed in, no pending message),
  and is not a preview;
- it came to the site's own host (``DJANGO_SITE_URL``): the key holds the host, and a
  request to another allowed host is neither answered from nor stored in the cache;
- the answer is a 200 that sets no cookie and used no CSRF token (a page with a form
  that posts is never stored), and is not marked private or no-store.

Such responses carry ``Cache-Control: public, max-age=…, s-maxage=…`` so that a CDN holds
them too. ``purge_urls`` removes addresses from the cache and, through
``wagtail.contrib.frontend_cache``, from the CDN; ``urls_showing`` says which addresses show a
page. What every page shows around its content — the main menu and the site settings — is
purged everywhere when it changes (``purge_everything``); a view restriction made, changed or
removed purges its page and every page below it (``purge_restricted``). A response to someone
signed in is marked private.
"""

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.utils.cache import _generate_cache_header_key, get_cache_key, patch_cache_control
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cdn_purges import queue_purges

logger = logging.getLogger(__name__)

ALLOWED = "_ideatori_page_cache_allowed"
HIT = "_ideatori_page_cache_hit"
KEY_PREFIX = "pages"
# django.contrib.messages' cookie storage.
MESSAGES_COOKIE = "messages"


def allow_page_cache(request: HttpRequest) -> None:
    """Let the response to ``request`` be stored, if the rules above allow it."""
    setattr(request, ALLOWED, True)


def page_cacheable(view):
    """A view whose anonymous answers may be stored (the feed, the sitemap)."""

    def wrapped(request, *args, **kwargs):
        allow_page_cache(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", "page_cacheable")
    wrapped.__doc__ = view.__doc__
    return wrapped


def shared_seconds() -> int:
    return settings.IDEATORI_PAGE_CACHE_SECONDS


def canonical_origin() -> str:
    """``https://ideas.example.org``: the one origin whose pages are stored."""
    return settings.IDEATORI_SITE_URL or settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def is_anonymous_request(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


def is_preview(request: HttpRequest) -> bool:
    return getattr(request, "is_preview", False) or getattr(request, "is_dummy", False)


def may_use_cache(request: HttpRequest) -> bool:
    """Whether a request may be answered from, or stored in, the page cache. No query."""
    return (
        shared_seconds() > 0
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and is_anonymous_request(request)
        and not is_preview(request)
        and request.get_host() == urlsplit(canonical_origin()).netloc
    )


def may_store(request: HttpRequest, response) -> bool:
    user = getattr(request, "user", None)
    control = response.get("Cache-Control", "")
    return (
        getattr(request, ALLOWED, False)
        and may_use_cache(request)
        and not (user is not None and user.is_authenticated)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not any(word in control for word in ("private", "no-store", "no-cache"))
    )


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.IDEATORI_PAGE_CACHE_BROWSER_SECONDS}, "
        f"s-maxage={shared_seconds()}"
    )


class UpdatePageCacheMiddleware(UpdateCacheMiddleware):
    """Stores what ``may_store`` allows; first in the chain after the proxy and health check."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.key_prefix = KEY_PREFIX

    def process_response(self, request, response):
        hit = getattr(request, HIT, False)
        storing = not hit and may_store(request, response)
        if storing:
            # One copy for every anonymous visitor: who is signed in never reads it (their
            # session cookie bypasses the cache), so the page does not vary by cookie.
            vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
            vary = [v for v in vary if v.lower() != "cookie"]
            if vary:
                response.headers["Vary"] = ", ".join(vary)
            else:
                response.headers.pop("Vary", None)
            # Django's middleware keeps a response for its max-age: the shared lifetime.
            response.headers["Cache-Control"] = f"max-age={shared_seconds()}"
            self.cache_timeout = shared_seconds()
        else:
            request._cache_update_cache = False
        response = super().process_response(request, response)
        if storing or hit:
            response.headers["Cache-Control"] = public_cache_control()
            response.headers.pop("Expires", None)
        elif not is_anonymous_request(request) and "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        return response


class FetchFromPageCacheMiddleware(FetchFromCacheMiddleware):
    """Answers a stored page; after ``LocaleMiddleware`` (the key holds the language) and
    before anything that reads the session or the database."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.key_prefix = KEY_PREFIX

    def process_request(self, request):
        if not may_use_cache(request):
            request._cache_update_cache = False
            return None
        response = super().process_request(request)
        if response is not None:
            setattr(request, HIT, True)
        return response


# --- purging ----------------------------------------------------------------------------------


class _StoredRequest(HttpRequest):
    """A request for an address as the cache middleware saw it, to name its keys."""

    def __init__(self, url: str, language: str):
        super().__init__()
        self.url = url
        self.method = "GET"
        self.LANGUAGE_CODE = language

    def build_absolute_uri(self, location=None):
        return self.url


def _forget(path: str) -> None:
    cache = caches[settings.CACHE_MIDDLEWARE_ALIAS]
    url = canonical_origin() + path
    keys = []
    for language, _name in settings.LANGUAGES:
        request = _StoredRequest(url, language)
        # Django names no public function for the header key; without it the page is a miss.
        keys.append(_generate_cache_header_key(KEY_PREFIX, request))
        for method in ("GET", "HEAD"):
            key = get_cache_key(request, KEY_PREFIX, method, cache)
            if key:
                keys.append(key)
    cache.delete_many(keys)


def purge_urls(urls: Iterable[str]) -> set[str]:
    """Remove whole addresses from the page cache and from the CDN; returns them.

    The CDN is told through ``wagtail.contrib.frontend_cache``'s backends
    (``WAGTAILFRONTENDCACHE``) by the background worker, from an outbox (``home.cdn_purges``):
    a purge endpoint that is down does not stop the caller; the failure is logged and retried.
    """
    urls = set(urls)
    for url in urls:
        _forget(urlsplit(url).path)
    queue_purges(urls)
    return urls


def _full_url(page: Page) -> str | None:
    return page.specific_deferred.get_full_url()


def home_pages() -> list[Page]:
    """The site's home page in every language."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return []
    return list(site.root_page.get_translations(inclusive=True))


def sitemap_url() -> str:
    from django.urls import reverse

    root = Site.objects.get(is_default_site=True).root_url
    return root + reverse("sitemap")


def urls_showing(page: Page) -> set[str]:
    """Every address that shows ``page``: the page in each language under that translation's
    own path, each translation's ancestors (its listings and its language's home page), the
    sitemap, and what the ``page_cache_urls_showing`` hooks add (the showcase, the feed)."""
    pages = {page.pk: page}
    for translation in page.get_translations(inclusive=True):
        pages[translation.pk] = translation
        for ancestor in translation.get_ancestors().filter(depth__gt=1):
            pages[ancestor.pk] = ancestor
    urls = {url for url in (_full_url(p) for p in pages.values()) if url}
    urls.add(sitemap_url())
    for hook in hooks.get_hooks("page_cache_urls_showing"):
        urls.update(hook(page.specific_deferred))
    return urls


def purge_page(page: Page) -> set[str]:
    """Purge every address that shows ``page``; returns them."""
    return purge_urls(urls_showing(page))


def purge_moved_page(
    page: Page, parent_before: Page, url_path_before: str, url_path_after: str
) -> set[str]:
    """Purge a moved page's addresses, before and after, with those of the pages below it,
    and the listings it left (its old parent and that parent's ancestors)."""
    urls = urls_showing(page)
    for listing in parent_before.get_ancestors(inclusive=True).filter(depth__gt=1):
        url = _full_url(listing)
        if url:
            urls.add(url)
    new = _full_url(page)
    if new:
        old = new[: len(new) - len(_site_relative(url_path_after))] + _site_relative(
            url_path_before
        )
        urls.add(old)
        for below in page.get_descendants().live():
            url = _full_url(below)
            if url and url.startswith(new):
                urls.update({url, old + url[len(new) :]})
    return purge_urls(urls)


def purge_restricted(page: Page) -> set[str]:
    """A view restriction made, changed or removed on ``page``: it guards every page below it
    too. Purge what shows the page and, for each live page below it, its address and what the
    ``page_cache_urls_showing`` hooks add (the showcase, the feeds, the home pages): the
    public copy stored before the restriction must not be served after it. A page in the main
    menu is on every page, which the menu shows only while it is public: then every stored
    page too. The same for the page's aliases and the pages below them, which Wagtail guards
    by their source's restriction."""
    urls: set[str] = set()
    for guarded in (page, *aliases_of(page)):
        urls |= urls_showing(guarded)
        for below in guarded.get_descendants().live().specific(defer=True):
            urls |= own_addresses(below)
    if was_or_is_in_menu(page):
        urls |= every_stored_url()
    return purge_urls(urls)


def aliases_of(page: Page) -> list[Page]:
    """The live aliases of ``page``, directly or of an alias of it, as far as the chain goes:
    ``Page.get_view_restrictions`` follows an alias to its source, and an alias of an alias
    keeps the alias as its source. Not aliases of the pages below ``page``: Wagtail asks
    those pages' own restrictions, not their ancestors'."""
    found: dict[int, Page] = {}
    sources = {page.pk}
    while sources:
        step = Page.objects.filter(alias_of__in=sources).exclude(pk__in=[page.pk, *found])
        sources = set()
        for alias in step.specific(defer=True):
            found[alias.pk] = alias
            sources.add(alias.pk)
    return [alias for alias in found.values() if alias.live]


def own_addresses(page: Page) -> set[str]:
    """``page``'s own address and what the ``page_cache_urls_showing`` hooks add for it (the
    showcase, the feeds, the home pages); ``page`` specific."""
    urls = {url for url in (page.get_full_url(),) if url}
    for hook in hooks.get_hooks("page_cache_urls_showing"):
        urls.update(hook(page))
    return urls


def every_stored_url() -> set[str]:
    """Every address the page cache may hold: each live public page in every language, what
    the ``page_cache_urls_showing`` hooks add for them, the sitemap."""
    urls = {sitemap_url()}
    for page in Page.objects.live().public().filter(depth__gt=1).specific(defer=True):
        urls |= own_addresses(page)
    return urls


def purge_everything() -> set[str]:
    """What every page shows around its content changed (the menu, the site settings)."""
    return purge_urls(every_stored_url())


def was_or_is_in_menu(page: Page, revision=None) -> bool:
    """The menu shows ``page`` now, or did before this publication (it was taken out). The
    menu is the home page's children marked for it (``home.navigation``)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or page.depth != site.root_page.depth + 1:
        return False
    if page.show_in_menus:
        return True
    earlier = (
        page.revisions.exclude(pk=getattr(revision, "pk", None)).order_by("-created_at", "-pk")
    ).first()
    return bool(earlier and earlier.content.get("show_in_menus"))


def _site_relative(url_path: str) -> str:
    """``/home/competitions/2026/`` → ``competitions/2026/`` (below the language's home)."""
    parts = url_path.strip("/").split("/", 1)
    return parts[1] + "/" if len(parts) > 1 else ""


def _after_commit(action, *args) -> None:
    # After the commit: a visitor between the purge and the commit would store the old page.
    transaction.on_commit(lambda: action(*args))


def _published_or_unpublished(sender, instance, revision=None, **kwargs) -> None:
    # A page in the main menu is shown on every page, in its title and its place.
    if was_or_is_in_menu(instance, revision):
        _after_commit(purge_everything)
    else:
        _after_commit(purge_page, instance)


def _site_settings_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    # The organisation's name, logo, colours and contact are on every page. A row made with
    # the defaults on first reading (``SiteSettings.for_site``) changes nothing shown.
    if not created and not raw:
        _after_commit(purge_everything)


def _moved(sender, instance, parent_page_before, url_path_before, url_path_after, **kwargs) -> None:
    if url_path_before != url_path_after:
        _after_commit(
            purge_moved_page, instance, parent_page_before, url_path_before, url_path_after
        )


def _restriction_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _after_commit(_purge_restricted_page, instance.page_id)


def _purge_restricted_page(page_id: int) -> None:
    # Read after the commit: a restriction deleted with its page leaves no page, and the
    # page's deletion purges what showed it.
    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        purge_restricted(page)


def connect_signals() -> None:
    """Publishing, unpublishing and moving any page purge what shows it (results and
    outcomes are published as revisions of their pages, so they are included), and so does a
    view restriction made, changed or removed."""
    page_published.connect(_published_or_unpublished, dispatch_uid="page_cache_published")
    page_unpublished.connect(_published_or_unpublished, dispatch_uid="page_cache_unpublished")
    post_page_move.connect(_moved, dispatch_uid="page_cache_moved")
    for signal in (post_save, post_delete):
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"page_cache_restriction_{signal is post_save}",
        )
    from .models import SiteSettings

    post_save.connect(_site_settings_saved, sender=SiteSettings, dispatch_uid="page_cache_site")
