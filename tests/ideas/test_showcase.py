"""The public side of innovations: showcase filters and search, the innovation page, the
feed, the API and the sitemap, with their query counts."""

import io
import json
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page

from ideas.models import Adoption, InnovationIndexPage, InnovationPage, Metric, PilotStatusChange
from tests.factories import (
    home_page,
    make_innovation,
    make_innovations,
    make_round,
    make_showcase,
    make_unit,
)

pytestmark = pytest.mark.django_db


def innovation(competition, **fields):
    units = fields.pop("units", [])
    metrics = fields.pop("metrics", 0)
    adopted = fields.pop("adopted", False)
    status = fields.pop("status", "")
    page = make_innovation(competition, **fields)
    page.units = units
    page.metrics = [
        Metric(name=f"Metric {i}", unit="days", baseline=Decimal(30), result=Decimal(6))
        for i in range(metrics)
    ]
    if adopted:
        page.adoptions = [
            Adoption(adopter="Northern centre", kind="centre", adopted_on=date(2026, 2, 2))
        ]
    if status:
        page.status_changes = [PilotStatusChange(status=status, date=date(2025, 9, 1))]
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def catalogue():
    """Three innovations in two rounds that differ in every filtered field."""
    round_2025 = make_round(phase="results")
    health, library = make_unit(service_area="health"), make_unit(service_area="culture")
    pages = {
        "clinic": innovation(
            round_2025,
            title="Psychologist at the clinic",
            summary="Parents meet a psychologist within days.",
            client_group="families",
            units=[health],
            status="permanent",
            adopted=True,
        ),
        "library": innovation(
            round_2025,
            title="Evening library hours",
            summary="Newcomer families get help with letters.",
            award="runner_up",
            client_group="immigrants",
            units=[library],
            status="piloting",
        ),
    }
    return make_showcase(), pages


def titles(client, url) -> str:
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("award=runner_up", ["Evening library hours"], ["Psychologist at the clinic"]),
        ("client_group=families", ["Psychologist at the clinic"], ["Evening library hours"]),
        ("service_area=culture", ["Evening library hours"], ["Psychologist at the clinic"]),
        ("pilot_status=permanent", ["Psychologist at the clinic"], ["Evening library hours"]),
        ("adopted=yes", ["Psychologist at the clinic"], ["Evening library hours"]),
        ("adopted=no", ["Evening library hours"], ["Psychologist at the clinic"]),
        ("q=psychologist", ["Psychologist at the clinic"], ["Evening library hours"]),
        ("q=letters&award=runner_up", ["Evening library hours"], ["Psychologist at the clinic"]),
        ("award=winner&adopted=yes&service_area=health", ["Psychologist at the clinic"], []),
    ],
)
def test_showcase_filters_and_search(client, catalogue, query, shown, hidden):
    showcase, _pages = catalogue
    html = titles(client, f"{showcase.url}?{query}")
    for title in shown:
        assert title in html
    for title in hidden:
        assert title not in html


def test_showcase_filters_by_round_year(client, catalogue):
    showcase, pages = catalogue
    year = pages["clinic"].get_parent().specific.opens_at.year
    html = titles(client, f"{showcase.url}?year={year}")
    assert "Psychologist at the clinic" in html and "Evening library hours" in html
    html = titles(client, f"{showcase.url}?year={year - 5}&award=runner_up")
    assert "Psychologist at the clinic" not in html  # an unknown year is dropped, the rest kept
    assert "Evening library hours" in html


def test_showcase_empty_result_says_what_to_do(client, catalogue):
    showcase, _pages = catalogue
    html = titles(client, f"{showcase.url}?award=honourable_mention")
    assert "No innovation matches these filters" in html
    assert "Show all innovations" in html
    assert "Psychologist at the clinic" not in html


def test_unknown_filter_values_are_ignored_keeping_the_rest(client, catalogue):
    showcase, _pages = catalogue
    response = client.get(f"{showcase.url}?award=runner_up&client_group=martians&adopted=maybe")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Evening library hours" in html
    assert "Psychologist at the clinic" not in html
    assert 'value="runner_up" selected' in html


@pytest.mark.parametrize(
    "search", ["<script>alert(1)</script>", "psychologist " * 77, "x" * 1000, "%_'\"\\"]
)
def test_long_or_markup_search_is_handled_and_escaped(client, catalogue, search):
    showcase, _pages = catalogue
    response = client.get(showcase.url, {"q": search})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    if "<script>" in search:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if len(search) > 200:
        assert "Only the first 200 characters of the search were used." in html


def test_showcase_pages_keep_the_filter_in_the_links(client):
    competition = make_round(phase="results")
    for number in range(13):
        innovation(competition, title=f"Pilot {number:02d}", client_group="families")
    showcase = make_showcase()
    html = titles(client, f"{showcase.url}?client_group=families")
    assert "Page 1 of 2" in html
    assert "?client_group=families&amp;page=2" in html
    assert "Page 2 of 2" in titles(client, f"{showcase.url}?client_group=families&page=2")
    assert "Page 2 of 2" in titles(client, f"{showcase.url}?client_group=families&page=99")


def test_innovation_page_shows_outcomes_chart_alternative_and_adoption(client):
    competition = make_round(phase="results")
    page = innovation(competition, title="Psychologist at the clinic", metrics=1, adopted=True)
    html = titles(client, page.url)
    assert "Metric 0: 30 days before the pilot, 6 days after." in html
    assert '<table class="hds-table metrics">' in html
    assert "Northern centre" in html


def test_feed_is_valid_atom_with_innovations_and_updates():
    competition = make_round(phase="results")
    page = make_innovation(competition, title="Psychologist at the clinic")
    page.updates = [
        (
            "update",
            {"date": date(2026, 4, 20), "heading": "Ten improvements", "text": "<p>Done.</p>"},
        )
    ]
    page.save_revision().publish()

    feed = feedparser.parse(Client().get("/en/feeds/innovations/").content)

    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles_ = [entry.title for entry in feed.entries]
    assert "New innovation: Psychologist at the clinic" in titles_
    assert "Psychologist at the clinic: Ten improvements" in titles_
    assert all(entry.link.startswith("http") for entry in feed.entries)


def test_sitemap_is_valid_xml_listing_every_language(client):
    from wagtail.models import Locale

    competition = make_round(phase="results")
    page = make_innovation(competition, title="Psychologist at the clinic")
    for code in ("fi", "sv"):
        translated = page.copy_for_translation(
            Locale.objects.get(language_code=code), copy_parents=True
        )
        translated.save_revision().publish()
        for ancestor in translated.get_ancestors().filter(depth__gt=1):
            if not ancestor.live:
                ancestor.specific.save_revision().publish()

    root = ElementTree.fromstring(client.get("/sitemap.xml").content)

    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    for code in ("en", "fi", "sv"):
        assert any(f"/{code}/" in location and page.slug in location for location in locations)
    assert any(location.endswith("/en/") for location in locations)


API_FIELDS = {
    "id",
    "meta",
    "title",
    "summary",
    "problem",
    "service_model",
    "target_group",
    "client_group",
    "pathway_before",
    "pathway_after",
    "professions",
    "award",
    "jury_rationale",
    "pilot_status",
    "status_changes",
    "metrics",
    "quotes",
    "adoptions",
    "updates",
}


def test_api_returns_the_documented_fields(client):
    competition = make_round(phase="results")
    page = innovation(competition, title="Psychologist at the clinic", metrics=1, adopted=True)

    detail = client.get(f"/api/v2/innovations/{page.pk}/").json()

    assert API_FIELDS <= set(detail)
    assert detail["metrics"][0]["baseline"] in ("30.00", 30.0, "30")
    assert detail["adoptions"][0]["adopter"] == "Northern centre"
    listing = client.get("/api/v2/innovations/").json()
    assert listing["meta"]["total_count"] == 1
    assert {"summary", "award", "pilot_status"} <= set(listing["items"][0])


def test_api_refuses_unpublished_private_and_other_pages(client):
    from wagtail.models import PageViewRestriction

    competition = make_round(phase="results")
    draft = make_innovation(competition, title="Draft innovation")
    draft.unpublish()
    private = make_innovation(competition, title="Private innovation")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    for page_id in (draft.pk, private.pk, competition.pk, home_page().pk):
        response = client.get(f"/api/v2/innovations/{page_id}/")
        assert response.status_code == 404, (
            page_id,
            response.status_code,
            response.get("Location"),
        )
    listing = json.dumps(client.get("/api/v2/innovations/?type=home.HomePage").json())
    assert "Draft innovation" not in listing and "Private innovation" not in listing


def build(count: int):
    competition = make_round(phase="results")
    pages = [
        innovation(
            competition,
            title=f"Innovation {n}",
            client_group="families",
            units=[make_unit()],
            metrics=count,
            adopted=True,
            status="piloting",
        )
        for n in range(count)
    ]
    return make_showcase(), pages[0]


@pytest.mark.parametrize(
    "url",
    [
        lambda showcase, page: f"{showcase.url}?client_group=families&adopted=yes",
        lambda showcase, page: f"{showcase.url}?q=innovation",
        lambda showcase, page: page.url,
        lambda showcase, page: "/en/feeds/innovations/",
        lambda showcase, page: "/api/v2/innovations/?fields=*",
    ],
    ids=["filtered list", "search", "innovation page", "feed", "api list"],
)
def test_same_number_of_queries_with_1_and_20_innovations(count_queries, url):
    counts = []
    for count in (1, 20):
        showcase, page = build(count)
        client = Client()
        target = url(showcase, page)
        client.get(target)  # warm the site-root cache, as a running site has it
        counts.append(count_queries(lambda target=target, client=client: client.get(target)))
        Page.objects.filter(depth__gt=2).exclude(pk=showcase.pk).delete()
    assert counts[0] == counts[1]


def test_no_public_page_runs_more_than_its_query_budget(count_queries):
    showcase, page = build(3)
    pages = {
        "/en/": "Ideatori",
        page.get_parent().url: page.get_parent().title,
        showcase.url: "Innovation 2",
        page.url: "Metric 2",
    }
    assert_within_query_budget(count_queries, pages)


# An uncached render: with the page cache an anonymous visitor's page is rendered once per
# address and purge, and a hit runs no query (tests/home/test_page_cache.py). The budget was
# 15 while a custom HomePage.route read the address in two queries; Wagtail's own routing
# reads one page a step, 4 more on an innovation page (make bench: 14 → 18 queries, time
# within the machine's noise), and it is what the next developer expects.
PAGE_QUERY_BUDGET = 20


def assert_within_query_budget(count_queries, pages: dict[str, str]):
    client = Client()
    for url, shown in pages.items():
        client.get(url)  # warm the site-root cache, as a running site has it
        responses = []
        queries = count_queries(
            lambda url=url, responses=responses: responses.append(client.get(url))
        )
        assert shown in responses[0].content.decode(), url
        assert queries <= PAGE_QUERY_BUDGET, (url, queries)


def test_no_demo_page_runs_more_than_its_query_budget_in_any_language(count_queries):
    """The demo's pages carry every kind of content (criterion means, metrics, quotes,
    adoptions, updates, translations), in the three languages."""
    call_command("load_demo", stdout=io.StringIO())
    pages = {}
    for winner in InnovationPage.objects.filter(award="winner").select_related("locale"):
        language = winner.locale.language_code
        showcase = InnovationIndexPage.objects.get(locale=winner.locale)
        home = f"/{language}/"
        pages |= {
            home: winner.title,
            winner.get_parent().url: winner.title,
            showcase.url: winner.title,
            f"{showcase.url}?q={winner.title.split()[1]}": winner.title,
            winner.url: "metric-chart-desc",
        }
    assert len(pages) == 15
    assert_within_query_budget(count_queries, pages)


def test_search_costs_the_same_queries_at_20_and_200_matches(count_queries):
    """The search backend counts, ranks and pages in the database: a search reads one page of
    results, not every match (200 rather than 2,000 matches: building 2,000 pages takes
    minutes here; ``make bench`` times 20 and 2,000)."""
    counts, shown = [], []
    for matches in (20, 200):
        competition = make_round(phase="results")
        make_innovations(competition, matches, summary="A psychologist at the clinic.")
        make_innovations(competition, 3, summary="Evening library hours.")
        showcase = make_showcase()
        client = Client()
        url = f"{showcase.url}?q=psychologist"
        client.get(url)  # warm the site-root cache, as a running site has it
        responses = []
        counts.append(
            count_queries(
                lambda url=url, client=client, responses=responses: responses.append(
                    client.get(url)
                )
            )
        )
        html = responses[0].content.decode()
        shown.append((html.count('class="card__title"'), f"{matches} innovations" in html))
        Page.objects.filter(depth__gt=2).exclude(pk=showcase.pk).delete()
    assert counts[0] == counts[1]
    assert shown == [(12, True), (12, True)]


def test_search_lists_the_best_match_first_and_pages_in_that_order(client):
    competition = make_round(phase="results")
    for n in range(12):
        innovation(
            competition,
            title=f"Evening hours {n}",
            summary="Opening hours for families; now and then a psychologist drops by.",
        )
    innovation(
        competition,
        title="Psychologist at the clinic",
        summary="A psychologist for every family: psychologist visits within days.",
    )
    showcase = make_showcase()

    first = client.get(showcase.url, {"q": "psychologist"}).content.decode()
    second = client.get(showcase.url, {"q": "psychologist", "page": 2}).content.decode()

    assert "13 innovations" in first
    assert first.index("Psychologist at the clinic") < first.index("Evening hours")
    shown = [html.count('class="card__title"') for html in (first, second)]
    assert shown == [12, 1]
    assert "Psychologist at the clinic" not in second
