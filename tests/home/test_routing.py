"""Serving a page: Wagtail's routing (the front page's own one-query routing went with the
page cache), the menu, and view restrictions read once per request."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from tests.factories import make_innovation, make_round, make_standard_page

pytestmark = pytest.mark.django_db


def test_routing_finds_pages_at_every_depth_and_keeps_wagtails_answers(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    rules = make_standard_page(parent=about, title="Rules")
    competition = make_round(phase="results", title="Round 2025")
    innovation = make_innovation(competition, title="Psychologist within reach")
    innovation.save_revision().publish()
    draft = make_standard_page(parent=about, title="Unfinished")
    draft.unpublish()
    under_draft = make_standard_page(parent=draft, title="Under a draft")

    assert "<h1>About the competition</h1>" in client.get(about.url).content.decode()
    assert "<h1>Rules</h1>" in client.get(rules.url).content.decode()
    assert "Psychologist within reach" in client.get(innovation.url).content.decode()
    # A round answers its own "submit/" address, as a routable page does in Wagtail.
    open_round = make_round(phase="open")
    submit = client.get(f"{open_round.url}submit/")
    assert submit["Location"] == f"/en/my/ideas/start/{open_round.pk}/"
    assert client.get(f"{about.url}no-such-page/").status_code == 404
    assert client.get(f"{rules.url}deeper/still/").status_code == 404
    assert client.get(f"{competition.url}no-such-innovation/").status_code == 404
    assert client.get("/en/no-such-page/").status_code == 404
    # A draft is not served; a live page under it is, as Wagtail's own routing does.
    assert client.get(f"{about.url}unfinished/").status_code == 404
    assert "<h1>Under a draft</h1>" in client.get(under_draft.url).content.decode()


def test_menu_marks_the_current_page_and_lists_only_live_menu_pages(client):
    about = make_standard_page(title="About the competition", show_in_menus=True)
    make_standard_page(title="Hidden from the menu", show_in_menus=False)
    withdrawn = make_standard_page(title="Withdrawn page", show_in_menus=True)
    withdrawn.unpublish()

    html = client.get(about.url).content.decode()
    menu = html.split('<nav class="main-menu"', 1)[1].split("</nav>", 1)[0]

    assert f'href="{about.url}" aria-current="page">About the competition</a>' in menu
    assert 'href="/en/">Front page</a>' in menu
    assert "Hidden from the menu" not in menu and "Withdrawn page" not in menu
    home_menu = client.get("/en/").content.decode().split('<nav class="main-menu"', 1)[1]
    assert 'href="/en/" aria-current="page">Front page</a>' in home_menu


def test_private_section_stays_private_and_out_of_the_menu(client, django_user_model):
    members = make_standard_page(title="Members only", show_in_menus=True)
    inside = make_standard_page(parent=members, title="Jury handbook")
    open_page = make_standard_page(title="About the competition", show_in_menus=True)
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)

    for url in (members.url, inside.url):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    html = client.get(open_page.url).content.decode()
    assert "About the competition" in html and "Members only" not in html

    restricted = PageViewRestriction.objects.get(page=members)
    restricted.restriction_type = PageViewRestriction.GROUPS
    restricted.save()
    restricted.groups.set([Group.objects.get(name="Coordinators")])
    visitor = django_user_model.objects.create_user("visitor", password="x" * 12)
    client.force_login(visitor)
    assert client.get(inside.url).status_code == 302
    visitor.groups.add(Group.objects.get(name="Coordinators"))
    assert "<h1>Jury handbook</h1>" in client.get(inside.url).content.decode()
