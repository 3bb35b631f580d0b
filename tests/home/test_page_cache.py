"""The page cache (home.page_cache): hits without a query, never for whom it must not serve,
and purges that name exactly the addresses that show a page, here and at a CDN."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils import timezone
from wagtail.models import Locale, Page

from home.addresses import set_site_address
from home.cdn_purges import send_due_purges
from home.models import PendingPurge
from home.page_cache import page_cacheable
from ideas.services import publish_results
from tests.factories import (
    home_page,
    make_index,
    make_innovation,
    make_round,
    make_showcase,
    make_standard_page,
)

pytestmark = pytest.mark.django_db
SITE = "http://ideas.example.org"
HOST = "ideas.example.org"


@page_cacheable
def sets_a_cookie(request):
    response = HttpResponse("a cookie")
    response.set_cookie("seen", "1")
    return response


@page_cacheable
def posts_a_form(request):
    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    return HttpResponse(template.render({}, request))


# Two views that would be stored but for what they answer (pytest.mark.urls below).
urlpatterns = [path("cookie/", sets_a_cookie), path("form/", posts_a_form)]


class PurgeListener(BaseHTTPRequestHandler):
    """A CDN's purge API: records each PURGE as (Host header, path)."""

    def do_PURGE(self):  # noqa: N802
        self.server.purged.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_listener(port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), PurgeListener)
    server.purged = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_listener(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def point_cdn_at(settings, port: int) -> None:
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {
            "BACKEND": "home.cdn_purges.RetriedHTTPBackend",
            "LOCATION": f"http://127.0.0.1:{port}",
        }
    }


@pytest.fixture
def cdn(settings):
    server = start_listener()
    point_cdn_at(settings, server.server_address[1])
    yield server
    stop_listener(server)


@pytest.fixture
def page_cache(settings):
    settings.IDEATORI_PAGE_CACHE_SECONDS = 600
    settings.IDEATORI_PAGE_CACHE_BROWSER_SECONDS = 60
    settings.IDEATORI_SITE_URL = SITE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST, "other.example.org"]
    set_site_address(SITE)


@pytest.fixture
def visitor(client):
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture
def world(page_cache):
    competition = make_round(phase="results", title="Spring round", slug="spring")
    innovation = make_innovation(competition, title="Psychologist within reach", slug="reach")
    make_showcase()
    about = make_standard_page(title="About", slug="about")
    finnish = innovation.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.title, finnish.slug = "Psykologi lähellä", "psykologi-lahella"
    finnish.save_revision().publish()
    return {"round": competition, "innovation": innovation, "finnish": finnish, "about": about}


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        (lambda world: world["innovation"].url, "Psychologist within reach"),
        (lambda world: "/fi/competitions/spring/psykologi-lahella/", "Psykologi lähellä"),
        (lambda world: "/en/", "Ideatori"),
        (lambda world: "/en/innovations/", "Psychologist within reach"),
        (lambda world: "/en/feeds/innovations/", "Psychologist within reach"),
        (lambda world: "/sitemap.xml", "/en/competitions/spring/reach/"),
    ],
    ids=["innovation", "its Finnish page", "home", "showcase", "feed", "sitemap"],
)
def test_a_second_anonymous_visit_is_answered_from_the_cache_without_a_query(
    visitor, world, django_assert_num_queries, address, shown
):
    first = visitor.get(address(world))
    with django_assert_num_queries(0):
        second = visitor.get(address(world))

    assert second.status_code == 200
    assert second.content == first.content
    assert shown in second.content.decode()
    assert second["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert "Cookie" not in second.get("Vary", "")


def test_a_signed_in_person_is_never_served_the_stored_page(visitor, world, coordinator):
    visitor.get("/en/")
    visitor.force_login(coordinator)

    signed_in = visitor.get("/en/")
    visitor.logout()
    visitor.cookies.clear()
    anonymous = visitor.get("/en/")

    assert "Sign out" in signed_in.text
    assert "private" in signed_in["Cache-Control"]
    assert "Sign out" not in anonymous.text and "Sign in" in anonymous.text


def test_a_preview_is_neither_stored_nor_served(visitor, world, django_assert_num_queries):
    about = world["about"]
    about.title = "Draft title nobody may see yet"
    revision = about.save_revision()

    preview = revision.as_object().make_preview_request()
    visitor.get(about.url)
    with django_assert_num_queries(0):
        public = visitor.get(about.url)

    assert "Draft title nobody may see yet" in preview.content.decode()
    assert "Draft title nobody may see yet" not in public.text
    assert "About" in public.text


@pytest.mark.urls("tests.home.test_page_cache")
@pytest.mark.parametrize("address", ["/cookie/", "/form/"])
def test_a_response_that_sets_a_cookie_or_has_a_form_token_is_never_stored(
    visitor, page_cache, address
):
    first = visitor.get(address)
    visitor.cookies.clear()
    second = visitor.get(address)

    assert first.cookies and second.cookies  # answered afresh: the cookie is set again
    assert "public" not in second.get("Cache-Control", "")


def test_the_sign_in_page_is_never_stored(visitor, world):
    first = visitor.get("/en/accounts/login/")
    visitor.cookies.clear()
    second = visitor.get("/en/accounts/login/")

    assert 'name="csrfmiddlewaretoken"' in second.text
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    assert "public" not in second.get("Cache-Control", "")


def test_a_filtered_showcase_is_not_stored(visitor, world, count_queries):
    visitor.get("/en/innovations/?q=psychologist")

    assert count_queries(lambda: visitor.get("/en/innovations/?q=psychologist")) > 0


def test_a_forged_host_is_never_stored_under_another_host(
    visitor, world, count_queries, django_assert_num_queries
):
    refused = visitor.get("/en/", HTTP_HOST="evil.example")
    other = visitor.get("/en/", HTTP_HOST="other.example.org")

    assert refused.status_code == 400
    assert other.status_code == 200 and "public" not in other.get("Cache-Control", "")
    # Neither filled the site's own entry, and the other host's is not kept either.
    assert count_queries(lambda: visitor.get("/en/")) > 0
    assert count_queries(lambda: visitor.get("/en/", HTTP_HOST="other.example.org")) > 0
    with django_assert_num_queries(0):
        visitor.get("/en/")


def innovation_addresses(innovation_slug: str = "reach") -> set[str]:
    """What shows the spring round's innovation: its pages in English and Finnish, their
    listings, every home page (English and Finnish here), the showcase, the feed in every
    language and the sitemap."""
    return {
        f"/en/competitions/spring/{innovation_slug}/",
        "/fi/competitions/spring/psykologi-lahella/",
        "/en/competitions/spring/",
        "/fi/competitions/spring/",
        "/en/competitions/",
        "/fi/competitions/",
        "/en/",
        "/fi/",
        "/en/innovations/",
        "/en/feeds/innovations/",
        "/fi/feeds/innovations/",
        "/sv/feeds/innovations/",
        "/sitemap.xml",
    }


def purged(cdn) -> set[str]:
    assert {host for host, _path in cdn.purged} == {HOST}
    return {address for _host, address in cdn.purged}


def test_publishing_an_innovation_purges_exactly_what_shows_it(
    visitor, world, cdn, django_capture_on_commit_callbacks, django_assert_num_queries
):
    innovation = world["innovation"]
    for address in ("/en/", innovation.url, world["about"].url):
        visitor.get(address)
    innovation.title = "Psychologist within reach, piloted"

    with django_capture_on_commit_callbacks(execute=True):
        innovation.save_revision().publish()

    assert purged(cdn) == innovation_addresses()
    assert "Psychologist within reach, piloted" in visitor.get(innovation.url).text
    with django_assert_num_queries(0):  # a page that does not show it stays stored
        visitor.get(world["about"].url)


def test_unpublishing_an_innovation_purges_exactly_what_showed_it(
    visitor, world, cdn, django_capture_on_commit_callbacks
):
    visitor.get(world["innovation"].url)

    with django_capture_on_commit_callbacks(execute=True):
        world["innovation"].unpublish()

    assert purged(cdn) == innovation_addresses()
    assert visitor.get(world["innovation"].url).status_code == 404


def test_moving_an_innovation_purges_its_old_and_new_addresses(
    world, cdn, django_capture_on_commit_callbacks
):
    autumn = make_round(make_index(), phase="results", title="Autumn", slug="autumn")
    cdn.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=world["innovation"].pk).move(autumn, pos="last-child")

    # Everything that showed it, and its new address and listing.
    expected = innovation_addresses() | {
        "/en/competitions/autumn/reach/",
        "/en/competitions/autumn/",
    }
    assert purged(cdn) == expected


def test_publishing_results_purges_the_round_its_listings_showcase_feed_and_home_pages(
    world, cdn, coordinator, django_capture_on_commit_callbacks
):
    closed = make_round(phase="deliberation", title="Summer", slug="summer")
    cdn.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        published = publish_results(competition=closed, by=coordinator)

    assert published
    assert purged(cdn) == {
        "/en/competitions/summer/",
        "/en/competitions/",
        "/en/",
        "/fi/",
        "/en/innovations/",
        "/en/feeds/innovations/",
        "/fi/feeds/innovations/",
        "/sv/feeds/innovations/",
        "/sitemap.xml",
    }


def stored_everywhere(visitor, world) -> list[str]:
    finnish = "/fi/competitions/spring/psykologi-lahella/"
    addresses = ["/en/", world["innovation"].url, finnish, "/en/innovations/"]
    for address in addresses:
        visitor.get(address)
    return addresses


def test_a_page_put_in_the_menu_purges_every_stored_page(
    visitor, world, cdn, django_capture_on_commit_callbacks
):
    stored = stored_everywhere(visitor, world)
    about = world["about"]
    about.title, about.show_in_menus = "About the competition", True

    with django_capture_on_commit_callbacks(execute=True):
        about.save_revision().publish()

    assert {*stored, about.url, "/sitemap.xml"} <= purged(cdn)
    assert "About the competition" in visitor.get(world["innovation"].url).text


def test_a_page_taken_out_of_the_menu_purges_every_stored_page(
    visitor, world, cdn, django_capture_on_commit_callbacks
):
    about = world["about"]
    about.show_in_menus = True
    about.save_revision().publish()
    assert 'href="/en/about/"' in visitor.get(world["innovation"].url).text
    cdn.purged.clear()
    about.show_in_menus = False

    with django_capture_on_commit_callbacks(execute=True):
        about.save_revision().publish()

    assert world["innovation"].url in purged(cdn)
    assert 'href="/en/about/"' not in visitor.get(world["innovation"].url).text


def test_changed_site_settings_purge_every_stored_page(
    visitor, world, cdn, django_capture_on_commit_callbacks
):
    from wagtail.models import Site

    from home.models import SiteSettings

    stored = stored_everywhere(visitor, world)
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.organisation_name = "City of Example"

    with django_capture_on_commit_callbacks(execute=True):
        site_settings.save()

    assert set(stored) <= purged(cdn)
    assert "City of Example" in visitor.get(world["innovation"].url).text


def test_a_purge_endpoint_that_is_down_leaves_publishing_done_logs_and_retries(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a free port, with nothing listening on it yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    point_cdn_at(settings, port)
    about = world["about"]
    about.title = "About the competition"

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        about.save_revision().publish()

    about.refresh_from_db()
    assert about.live and about.title == "About the competition"
    pending = {row.url: row for row in PendingPurge.objects.all()}
    assert set(pending) == {f"{SITE}/en/about/", f"{SITE}/en/", f"{SITE}/sitemap.xml"}
    assert all(row.attempts == 1 and "Connection" in row.last_error for row in pending.values())
    assert any("did not take the purge" in record.getMessage() for record in caplog.records)

    listener = start_listener(port)  # the endpoint is back
    try:
        taken = send_due_purges(now=timezone.now() + timedelta(minutes=2))
    finally:
        stop_listener(listener)

    assert taken == 3 and not PendingPurge.objects.exists()
    assert set(listener.purged) == {(HOST, "/en/about/"), (HOST, "/en/"), (HOST, "/sitemap.xml")}


@pytest.fixture
def redis_cache(settings, tmp_path):
    """A real Redis on loopback, started here and stopped by its process id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            tmp_path,
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        settings.CACHES = {
            "default": {
                "BACKEND": "home.cache_backend.ForgivingRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
            }
        }
        yield
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_with_redis_a_hit_runs_no_query_and_a_publication_purges_it(
    redis_cache, visitor, world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    innovation = world["innovation"]
    visitor.get(innovation.url)
    with django_assert_num_queries(0):
        stored = visitor.get(innovation.url)
    kept_in_redis = caches["default"]._cache.get_client().dbsize()
    innovation.title = "Psychologist within reach, in two cities"

    with django_capture_on_commit_callbacks(execute=True):
        innovation.save_revision().publish()
    fresh = visitor.get(innovation.url)

    assert kept_in_redis >= 2  # the page and its header key
    assert "Psychologist within reach" in stored.text
    assert "Psychologist within reach, in two cities" in fresh.text


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_healthz_says_the_redis_cache_answers(redis_cache, client):
    assert client.get("/healthz").json()["cache"] is True


def test_with_redis_down_pages_are_rendered_publishing_works_and_healthz_says_so(
    settings, visitor, world, client, caplog, django_capture_on_commit_callbacks, monkeypatch
):
    """A Redis that refuses connections (nothing listens on its port) costs the cache, not
    the pages: each visit is rendered, a publication goes through, and the failure is logged
    once per pause, not once per cache call."""
    from home import cache_backend

    monkeypatch.setattr(cache_backend, "_paused_until", 0.0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    settings.CACHES = {
        "default": {
            "BACKEND": "home.cache_backend.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    innovation = world["innovation"]

    first = visitor.get(innovation.url)
    second = visitor.get(innovation.url)
    innovation.title = "Psychologist within reach, in two cities"
    with django_capture_on_commit_callbacks(execute=True):
        innovation.save_revision().publish()
    fresh = visitor.get(innovation.url)
    health = client.get("/healthz")

    assert first.status_code == second.status_code == fresh.status_code == 200
    assert "Psychologist within reach" in second.text
    assert "Psychologist within reach, in two cities" in fresh.text
    assert health.status_code == 200 and health.json()["cache"] is False
    failures = [r for r in caplog.records if "The cache (Redis) could not" in r.getMessage()]
    assert len(failures) == 1  # then left alone for PAUSE_SECONDS: no timeout per call


def test_a_view_restriction_purges_the_stored_copies_of_its_pages_and_their_listings(
    visitor, world, cdn, django_capture_on_commit_callbacks, count_queries
):
    """A page made private below a round must not be served from the copy stored while it
    was public, nor listed from a stored showcase or feed."""
    from wagtail.models import PageViewRestriction

    innovation = world["innovation"]
    for address in (innovation.url, "/en/innovations/", world["about"].url):
        visitor.get(address)
    round_page = Page.objects.get(pk=world["round"].pk)

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=round_page, restriction_type=PageViewRestriction.LOGIN
        )

    # The round's own addresses and listings, and everything that shows the innovation below
    # (its Finnish page is another tree's, which the restriction does not guard).
    finnish = "/fi/competitions/spring/psykologi-lahella/"
    assert innovation_addresses() - {finnish} <= purged(cdn)
    answer = visitor.get(innovation.url)
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert "Psychologist within reach" not in answer.content.decode()
    assert count_queries(lambda: visitor.get(world["about"].url)) == 0  # untouched: still stored

    cdn.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()

    # Public again: listed again wherever it is shown.
    assert innovation_addresses() - {finnish} <= purged(cdn)
    assert "Psychologist within reach" in visitor.get(innovation.url).content.decode()


def test_a_view_restriction_purges_the_stored_copies_of_the_pages_aliases(
    visitor, world, cdn, django_capture_on_commit_callbacks, count_queries
):
    """Wagtail guards an alias by its source's restriction, wherever the alias stands, an
    alias of that alias too, and the pages below them."""
    from wagtail.models import PageViewRestriction

    about = world["about"]
    make_standard_page(parent=about, title="Contact", slug="contact")
    alias = about.create_alias(parent=world["round"], update_slug="about-the-round", recursive=True)
    again = alias.create_alias(parent=home_page(), update_slug="about-again")
    below = [page.url for page in alias.get_children()]
    assert below == ["/en/competitions/spring/about-the-round/contact/"]
    guarded = [alias.url, again.url, *below]
    for address, title in zip(guarded, ["About", "About", "Contact"], strict=True):
        assert f"<h1>{title}</h1>" in visitor.get(address).content.decode(), address
        assert count_queries(lambda address=address: visitor.get(address)) == 0  # stored
    visitor.get(world["innovation"].url)

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=Page.objects.get(pk=about.pk), restriction_type=PageViewRestriction.LOGIN
        )

    assert {about.url, *guarded} <= purged(cdn)
    for address in guarded:
        answer = visitor.get(address)
        assert answer.status_code == 302 and "/login/" in answer["Location"], address
        assert "Contact" not in answer.content.decode()
    assert count_queries(lambda: visitor.get(world["innovation"].url)) == 0  # untouched


def test_a_menu_page_made_private_purges_every_stored_page(
    visitor, world, cdn, django_capture_on_commit_callbacks
):
    """The menu shows only public pages, and it is on every page."""
    from wagtail.models import PageViewRestriction

    about = world["about"]
    about.show_in_menus = True
    about.save_revision().publish()
    stored = stored_everywhere(visitor, world)
    assert 'href="/en/about/"' in visitor.get(world["innovation"].url).text
    cdn.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=Page.objects.get(pk=about.pk), restriction_type=PageViewRestriction.LOGIN
        )

    assert {*stored, about.url, "/sitemap.xml"} <= purged(cdn)
    assert 'href="/en/about/"' not in visitor.get(world["innovation"].url).text
