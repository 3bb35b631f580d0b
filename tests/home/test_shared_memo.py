"""What every page reads (the site, its settings, each page's navigation and route) is kept
in the shared cache for the site's edition (``home.memo.shared``): read once, and shown fresh
at once after any change to it. The view restrictions, which decide who is served, are read
on every visit."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from home import memo
from home.models import SiteSettings
from tests.factories import make_innovation, make_round, make_standard_page

pytestmark = pytest.mark.django_db

READ_ONCE = ("wagtailcore_site", "home_sitesettings")


def menu_of(response) -> str:
    return response.content.decode().split('<nav class="main-menu"', 1)[1].split("</nav>", 1)[0]


def test_a_second_visit_reads_neither_the_site_its_settings_nor_the_navigation_again(client):
    make_standard_page(title="About the competition", show_in_menus=True)
    competition = make_round(phase="results", title="Round 2025")
    innovation = make_innovation(competition, title="Psychologist within reach")
    innovation.save_revision().publish()
    with CaptureQueriesContext(connection) as first:
        before = client.get(innovation.url)
    with CaptureQueriesContext(connection) as second:
        after = client.get(innovation.url)

    assert before.content == after.content
    assert "About the competition" in menu_of(after)
    first_sql = " ".join(query["sql"] for query in first.captured_queries)
    second_sql = " ".join(query["sql"] for query in second.captured_queries)
    assert all(table in first_sql for table in READ_ONCE)
    assert not any(table in second_sql for table in READ_ONCE)
    # Serving decides on the view restrictions: they are read on every visit.
    assert "wagtailcore_pageviewrestriction" in second_sql
    # The navigation's one query (the menu, the translations, the parent) is not asked again.
    assert len(second) < len(first)


def test_a_page_published_or_withdrawn_is_in_the_menu_at_once(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    assert "Rules" not in menu_of(client.get(about.url))

    rules = make_standard_page(title="Rules", show_in_menus=True)
    assert "Rules" in menu_of(client.get(about.url))

    rules.title = "Rules of the round"
    rules.save_revision().publish()
    assert "Rules of the round" in menu_of(client.get(about.url))

    rules.unpublish()
    assert "Rules" not in menu_of(client.get(about.url))


def test_saved_settings_and_a_new_view_restriction_show_at_once(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    members = make_standard_page(title="Members only", show_in_menus=True)
    first = client.get(about.url).content.decode()
    assert "Members only" in first and "City of Example" not in first

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "City of Example"
    settings.save()
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    after = client.get(about.url)

    assert "City of Example" in after.content.decode()
    assert "Members only" not in menu_of(after)
    assert client.get(members.url).status_code == 302


def test_a_moved_page_is_found_at_its_new_address_at_once(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    rules = make_standard_page(title="Rules", show_in_menus=True)
    assert "Rules" in menu_of(client.get(about.url))

    rules.move(about, pos="last-child")
    rules = Page.objects.get(pk=rules.pk)

    assert "Rules" not in menu_of(client.get(about.url))
    assert "<h1>Rules</h1>" in client.get(rules.url).content.decode()


def test_the_edition_is_replaced_again_when_the_change_commits(
    client, django_capture_on_commit_callbacks
):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    client.get(about.url)
    read = cache.get(memo.EDITION_KEY)

    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        about.title = "About"
        about.save_revision().publish()
    at_once = cache.get(memo.EDITION_KEY)
    for callback in on_commit:
        callback()

    # A visitor who read the old rows between the change and its commit kept them under the
    # edition the change replaced at once; the commit replaces that one too.
    assert read != at_once != cache.get(memo.EDITION_KEY)


def test_a_forged_host_adds_nothing_to_the_cache(client):
    about = make_standard_page(title="About the competition")
    client.get(about.url)
    response = client.get(about.url, HTTP_HOST="attacker.example")

    assert response.status_code == 400
    keys = list(cache._cache)
    assert any(":site:" in key for key in keys)
    assert not any("attacker" in key for key in keys)


def test_outside_a_request_nothing_is_kept(django_assert_num_queries):
    calls = []
    for _ in range(2):
        memo.shared("figure", lambda: calls.append(1))

    assert len(calls) == 2
    assert not any("figure" in key for key in cache._cache)


def test_a_second_visit_finds_its_page_without_asking_the_database(client):
    competition = make_round(phase="open", title="Round 2026")
    client.get(competition.url)
    with CaptureQueriesContext(connection) as second:
        response = client.get(competition.url)
    submit = client.get(f"{competition.url}submit/")
    again = client.get(f"{competition.url}submit/")

    assert "<h1>Round 2026</h1>" in response.content.decode()
    assert not any("wagtailcore_page" in query["sql"] for query in second.captured_queries)
    # A round's own sub-address (a routable page's) is found the same way, twice.
    assert submit["Location"] == again["Location"] == f"/en/my/ideas/start/{competition.pk}/"


def test_a_withdrawn_or_restricted_page_is_not_served_from_what_was_kept(client):
    rules = make_standard_page(title="Rules", show_in_menus=True)
    members = make_standard_page(title="Members only")
    assert client.get(rules.url).status_code == client.get(members.url).status_code == 200

    rules.unpublish()
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)

    assert client.get(rules.url).status_code == 404
    restricted = client.get(members.url)
    assert restricted.status_code == 302 and "login" in restricted["Location"]


def test_an_address_made_up_by_a_visitor_adds_nothing_to_the_cache(client):
    make_standard_page(title="About the competition")
    for path in ("/en/no-such-page/", "/en/about-the-competition/nor-this/"):
        assert client.get(path).status_code == 404

    assert not any("no-such-page" in key or "nor-this" in key for key in cache._cache)


def test_rows_kept_with_a_page_are_shown_fresh_once_it_is_published_again(client):
    from decimal import Decimal

    from ideas.models import CompetitionPage, InnovationPage, Metric

    competition = make_round(phase="results", criteria=1, title="Round 2025")
    innovation = make_innovation(competition, title="Psychologist within reach")
    innovation.metrics.add(
        Metric(name="Days to a first appointment", unit="days", baseline=Decimal(40), result=30)
    )
    innovation.save_revision().publish()
    first = client.get(innovation.url).content.decode()
    with CaptureQueriesContext(connection) as second:
        client.get(innovation.url)
    assert "Days to a first appointment" in first
    assert not any("ideas_metric" in query["sql"] for query in second.captured_queries)

    innovation = InnovationPage.objects.get(pk=innovation.pk)
    metrics = list(innovation.metrics.all())
    metrics[0].name = "Waiting days"
    innovation.metrics = metrics
    innovation.save_revision().publish()
    competition = CompetitionPage.objects.get(pk=competition.pk)
    criteria = list(competition.criteria.all())
    criteria[0].name = "Reach of the service"
    competition.criteria = criteria
    competition.save_revision().publish()

    assert "Waiting days" in client.get(innovation.url).content.decode()
    assert "Reach of the service" in client.get(competition.url).content.decode()


def test_a_renamed_service_unit_shows_at_once_on_the_innovation_pages_that_keep_it(client):
    from tests.factories import make_unit

    unit = make_unit("Child health clinic")
    innovation = make_innovation(make_round(phase="results"), title="Psychologist within reach")
    innovation.units.set([unit])
    innovation.save_revision().publish()
    assert "Child health clinic" in client.get(innovation.url).content.decode()

    unit.name = "Family health centre"
    unit.save()

    assert "Family health centre" in client.get(innovation.url).content.decode()


def test_the_showcase_landing_is_kept_and_a_new_innovation_is_on_it_at_once(client):
    from tests.factories import make_showcase

    showcase = make_showcase()
    competition = make_round(phase="results", title="Round 2025")
    make_innovation(competition, title="Psychologist within reach")
    assert "Psychologist within reach" in client.get(showcase.url).content.decode()
    with CaptureQueriesContext(connection) as second:
        client.get(showcase.url)
    assert not any("ideas_innovationpage" in query["sql"] for query in second.captured_queries)

    make_innovation(competition, title="Library on wheels")
    landing = client.get(showcase.url).content.decode()
    filtered = client.get(showcase.url, {"q": "wheels"}).content.decode()

    assert "Library on wheels" in landing and "2 innovations" in landing
    assert "Library on wheels" in filtered and "Psychologist within reach" not in filtered


def test_only_the_models_pages_read_start_a_new_edition():
    from django.db.models.signals import post_delete, post_save

    from home.models import HomePage, OutboxMessage

    # A receiver of every model's saves and deletes would also keep Django from deleting any
    # row (retention, expired sessions) without loading it first.
    for signal in (post_save, post_delete):
        assert memo._edited in signal._live_receivers(HomePage)[0]
        assert memo._edited in signal._live_receivers(SiteSettings)[0]
        assert memo._edited not in signal._live_receivers(OutboxMessage)[0]


def test_a_restriction_made_without_signals_still_guards_its_page_at_once(client):
    members = make_standard_page(title="Members only")
    assert client.get(members.url).status_code == 200

    # No signal, so no new edition: serving still reads the restrictions afresh.
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=members, restriction_type=PageViewRestriction.LOGIN)]
    )
    response = client.get(members.url)

    assert response.status_code == 302 and "login" in response["Location"]


def test_a_kept_value_the_cache_cannot_hand_back_is_read_afresh(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    client.get(about.url)
    for key in [key for key in cache._cache if ":shared:" in key]:
        cache._cache[key] = b"written by other code"

    response = client.get(about.url)

    assert response.status_code == 200
    assert "About the competition" in menu_of(response)


def test_a_migration_starts_a_new_edition():
    from django.core.management import call_command

    before = memo._read_edition()
    call_command("migrate", verbosity=0)

    assert cache.get(memo.EDITION_KEY) != before
