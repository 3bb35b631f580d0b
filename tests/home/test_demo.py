import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, PageLogEntry, Revision

from home.models import HomePage, StandardPage
from ideas.models import (
    CompetitionIndexPage,
    CompetitionPage,
    Idea,
    IdeaStatus,
    InnovationIndexPage,
    InnovationPage,
    Phase,
    Team,
)
from judging.models import Criterion

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "pages": sorted(Page.objects.values_list("pk", "title", "live", "numchild")),
        "revisions": Revision.objects.count(),
        "log": PageLogEntry.objects.count(),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "criteria": sorted(Criterion.objects.values_list("pk", "name", "weight")),
        "ideas": sorted(Idea.objects.values_list("pk", "status", "version", "title")),
        "teams": sorted(Team.objects.values_list("pk", "name")),
    }


def test_load_demo_builds_the_site_in_three_languages(capsys):
    call_command("load_demo")

    for language in ("en", "fi", "sv"):
        in_language = {"locale__language_code": language, "live": True}
        assert HomePage.objects.filter(**in_language).count() == 1
        assert StandardPage.objects.filter(**in_language).count() == 1
        assert CompetitionIndexPage.objects.filter(**in_language).count() == 1
        rounds = CompetitionPage.objects.filter(**in_language)
        assert sorted(r.phase for r in rounds) == sorted([Phase.OPEN, Phase.RESULTS])
        assert all(r.criteria.count() == 6 for r in rounds)
        assert InnovationIndexPage.objects.filter(**in_language).count() == 1
    # The winner in every language; the runner-up in English only.
    assert InnovationPage.objects.filter(locale__language_code="en", live=True).count() == 2
    for language in ("fi", "sv"):
        (winner,) = InnovationPage.objects.filter(locale__language_code=language, live=True)
        assert winner.award == "winner"
        assert winner.metrics.count() == 3
        assert winner.adoptions.count() == 1
        assert winner.quotes.count() == 2
        assert len(winner.updates) == 2
        assert [c.status for c in winner.status_changes.all()] == [
            "planned",
            "piloting",
            "permanent",
        ]
    finnish_winner = InnovationPage.objects.get(locale__language_code="fi")
    assert finnish_winner.title == "Psykologi lähellä lastenneuvolaa"
    assert finnish_winner.metrics.first().name.startswith("Päivät")
    finnish_round = CompetitionPage.objects.get(locale__language_code="fi", slug="2026")
    assert finnish_round.title == "Innovaatiokilpailu 2026"
    assert finnish_round.criteria.first().name == "Kohderyhmä"
    output = capsys.readouterr().out
    assert "admin@example.org / ideatori-admin" in output
    assert "coordinator@example.org / ideatori-coordinator" in output
    assert "nurse@example.org / ideatori-team" in output


def test_load_demo_adds_teams_with_ideas_in_every_status():
    call_command("load_demo", stdout=io.StringIO())

    open_round = CompetitionPage.objects.get(locale__language_code="en", slug="2026")
    ideas = Idea.objects.filter(competition=open_round)
    assert sorted(ideas.values_list("status", flat=True)) == sorted(
        [IdeaStatus.DRAFT, IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN]
    )
    spanning = Team.objects.get(name="First contact for families")
    assert spanning.service_units.count() == 2
    assert spanning.memberships.count() == 2


def test_demo_team_member_signs_in_with_email(client):
    call_command("load_demo", stdout=io.StringIO())

    client.post("/en/accounts/login/", {"login": "nurse@example.org", "password": "ideatori-team"})

    html = client.get("/en/my/ideas/").content.decode()
    assert "One visit, two professionals, for parents of toddlers" in html
    assert "Homework corner" not in html


def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    before = snapshot()

    call_command("load_demo")

    assert snapshot() == before


def test_load_demo_refuses_under_production_settings():
    with override_settings(IDEATORI_ENVIRONMENT="production"), pytest.raises(CommandError) as error:
        call_command("load_demo")

    assert "published passwords" in str(error.value)
    assert not get_user_model().objects.filter(username="admin").exists()


def test_demo_accounts_reach_the_admin(client):
    call_command("load_demo")

    for username, password in [
        ("admin", "ideatori-admin"),
        ("coordinator", "ideatori-coordinator"),
    ]:
        client.logout()
        assert client.login(username=username, password=password)
        response = client.get("/admin/")
        assert response.status_code == 200
        assert "Dashboard" in response.content.decode()


def test_open_demo_round_is_on_the_home_page(client):
    call_command("load_demo")

    html = client.get("/", follow=True).content.decode()

    assert "Innovation competition 2026" in html
    assert "Submission deadline" in html
