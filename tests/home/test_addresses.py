"""The site's public address is said in one place, the default Wagtail Site, and every
absolute link the site gives starts from it: the API's html_url, the sitemap, the feed."""

from xml.etree import ElementTree

import feedparser
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from wagtail.models import Site

from home.addresses import public_url, set_site_address
from home.apps import apply_site_address
from tests.factories import make_innovation, make_round

pytestmark = pytest.mark.django_db

PUBLIC = "https://ideas.example.org"


@pytest.fixture
def innovation():
    set_site_address(PUBLIC)
    competition = make_round(phase="results", slug="2025")
    return make_innovation(competition, title="Psychologist at the clinic", slug="psychologist")


def test_api_html_url_is_the_public_address(client, innovation):
    expected = f"{PUBLIC}/en/competitions/2025/psychologist/"

    detail = client.get(f"/api/v2/innovations/{innovation.pk}/").json()
    listing = client.get("/api/v2/innovations/").json()

    assert detail["meta"]["html_url"] == expected
    assert listing["items"][0]["meta"]["html_url"] == expected
    assert detail["meta"]["detail_url"].endswith(f"/api/v2/innovations/{innovation.pk}/")


def test_api_still_answers_404_for_what_it_does_not_serve(client, innovation):
    response = client.get("/api/v2/innovations/999999/")

    assert response.status_code == 404
    assert "Location" not in response.headers


def test_sitemap_and_feed_links_are_the_public_address(client, innovation):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in sitemap.findall("s:url/s:loc", namespace)]
    feed = feedparser.parse(client.get("/en/feeds/innovations/").content)

    assert f"{PUBLIC}/en/competitions/2025/psychologist/" in locations
    assert all(location.startswith(f"{PUBLIC}/") for location in locations)
    assert [entry.link for entry in feed.entries] == [
        f"{PUBLIC}/en/competitions/2025/psychologist/"
    ]
    assert feed.feed.link == f"{PUBLIC}/"
    assert all(entry.id.startswith(PUBLIC) for entry in feed.entries)


@pytest.mark.parametrize(
    ("url", "hostname", "port"),
    [
        ("https://ideas.example.org", "ideas.example.org", 443),
        ("http://127.0.0.1:8000", "127.0.0.1", 8000),
        ("http://intranet.example.org/", "intranet.example.org", 80),
    ],
)
def test_the_setting_sets_the_default_site_on_migrate(url, hostname, port):
    with override_settings(IDEATORI_SITE_URL=url):
        apply_site_address(sender=None)

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == (hostname, port)
    assert public_url("/en/") == url.rstrip("/") + "/en/"


@pytest.mark.parametrize("url", ["ideas.example.org", "ftp://ideas.example.org", "https://:443"])
def test_an_address_that_is_not_one_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        set_site_address(url)
