"""The page cache in Chromium: a stored page replays no stale nonce, shows the site's colours
from their stylesheet, is axe clean, and is fresh at once after a publication."""

from django.db import transaction
from wagtail.models import Site

from home.addresses import set_site_address
from home.models import SiteSettings
from tests.e2e.test_security_headers import PolicyWatch
from tests.factories import make_standard_page


def test_an_anonymous_visitor_reads_stored_pages_that_stay_true(
    page, live_server, settings, axe_check, tmp_path
):
    settings.IDEATORI_PAGE_CACHE_SECONDS = 600
    settings.IDEATORI_SITE_URL = live_server.url
    set_site_address(live_server.url)
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.primary_colour = "#005799"
    site_settings.save()
    about = make_standard_page(title="About the competition", slug="about")
    watch = PolicyWatch(page)

    first = page.goto(about.url)
    stored = page.reload()
    colour = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--ideatori-primary')"
    )
    page.screenshot(path=tmp_path / "stored-page.png", full_page=True)
    watch.collect()
    axe_check(page)

    assert first.headers["cache-control"] == "public, max-age=60, s-maxage=600"
    assert stored.headers["cache-control"] == "public, max-age=60, s-maxage=600"
    assert colour.strip() == "#005799"
    assert watch.found == []

    about.title = "About this year's competition"
    with transaction.atomic():
        about.save_revision().publish()
    # A reload asks the server (a plain visit may take the browser's own copy, max-age).
    page.reload()

    assert page.locator("h1").inner_text() == "About this year's competition"
