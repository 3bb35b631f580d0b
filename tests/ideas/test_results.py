"""Publishing a round's results, the second coordinator's approval, and what the public sees
before and after: nothing about any idea before, only awarded ideas after."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import Site, Workflow

from home.models import SiteSettings
from ideas import services
from ideas.models import CompetitionPage, IdeaStatus, InnovationPage
from ideas.permissions import results_published
from judging import services as judging_services
from tests.factories import UserFactory, make_decided_round, make_showcase

pytestmark = pytest.mark.django_db

SECRETS = [
    "Confidential unawarded proposal",
    "Sensitive text only the team and jury may read.",
    "Clients of the shelter are identified too easily.",
    "Team Hushhush",
    "Team Firstcontact",
]
WINNER_TEXT = ["Psychologist within reach", "Parents meet a psychologist within days."]


def public_texts(client, competition) -> dict[str, str]:
    """Every public surface an anonymous visitor or an open-data client can read."""
    showcase = make_showcase()
    urls = {
        "home": "/en/",
        "round": competition.url,
        "showcase": showcase.url,
        "showcase search": showcase.url + "?q=psychologist",
        "feed": "/en/feeds/innovations/",
        "sitemap": "/sitemap.xml",
        "api": "/api/v2/innovations/?fields=*",
    }
    texts = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    api = json.loads(texts["api"])
    texts["api"] = json.dumps(api, ensure_ascii=False)
    return texts


def publish_everything(competition, winner, by):
    services.publish_results(competition=competition, by=by)
    page = judging_services.create_innovation_page(
        idea=type(winner).objects.get(pk=winner.pk), by=by
    )
    page.get_latest_revision().publish(user=by)
    return InnovationPage.objects.get(pk=page.pk)


def test_before_results_no_idea_text_title_or_team_is_public(client, coordinator):
    competition, winner, _loser = make_decided_round()

    for name, text in public_texts(client, competition).items():
        for secret in [*SECRETS, *WINNER_TEXT]:
            assert secret not in text, (name, secret)


def test_after_results_only_the_awarded_idea_is_public(client, coordinator):
    competition, winner, _loser = make_decided_round()
    page = publish_everything(competition, winner, coordinator)

    texts = public_texts(client, competition)

    assert "Psychologist within reach" in texts["round"]
    assert "It closes a gap in the chain of care." in texts["round"]
    assert "Psychologist within reach" in texts["showcase"]
    assert "Psychologist within reach" in texts["showcase search"]
    assert "Psychologist within reach" in texts["feed"]
    assert page.url in texts["sitemap"]
    assert "Psychologist within reach" in texts["api"]
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)


def test_an_innovation_page_cannot_be_made_from_an_unawarded_idea(coordinator):
    competition, _winner, loser = make_decided_round()
    services.publish_results(competition=competition, by=coordinator)

    with pytest.raises(services.NotAllowed):
        judging_services.create_innovation_page(
            idea=type(loser).objects.get(pk=loser.pk), by=coordinator
        )
    assert not InnovationPage.objects.exists()


def test_innovation_page_is_drafted_from_the_idea_and_the_decision(coordinator):
    competition, winner, _loser = make_decided_round()
    services.publish_results(competition=competition, by=coordinator)

    page = judging_services.create_innovation_page(
        idea=type(winner).objects.get(pk=winner.pk), by=coordinator
    )

    assert not page.live
    assert page.get_parent().pk == competition.pk
    assert (page.title, page.summary, page.problem) == (
        winner.title,
        winner.summary,
        winner.problem,
    )
    assert page.award == "winner"
    assert "It closes a gap in the chain of care." in page.jury_rationale
    assert list(page.units.all()) == list(winner.team.service_units.all())
    assert page.show_criterion_scores is False
    # A second request gives the same page rather than a copy.
    again = judging_services.create_innovation_page(
        idea=type(winner).objects.get(pk=winner.pk), by=coordinator
    )
    assert again.pk == page.pk


def test_publishing_results_needs_the_decision_and_a_coordinator(coordinator):
    competition, winner, _loser = make_decided_round()
    type(winner).objects.filter(pk=winner.pk).update(status=IdeaStatus.SUBMITTED)

    with pytest.raises(services.NotAllowed):
        services.publish_results(competition=competition, by=coordinator)
    type(winner).objects.filter(pk=winner.pk).update(status=IdeaStatus.AWARDED)
    with pytest.raises(services.NotAllowed):
        services.publish_results(competition=competition, by=UserFactory())

    assert services.publish_results(competition=competition, by=coordinator) is True
    competition.refresh_from_db()
    assert results_published(competition)
    assert competition.phase == "results"


def test_results_workflow_needs_a_second_coordinator(client, coordinator):
    competition, _winner, _loser = make_decided_round()
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.results_workflow = Workflow.objects.get(name="Results approval")
    settings.save()

    assert services.publish_results(competition=competition, by=coordinator) is False

    competition = CompetitionPage.objects.get(pk=competition.pk)
    assert not results_published(competition)
    assert "Psychologist within reach" not in client.get(competition.url).content.decode()
    state = competition.current_workflow_task_state
    task = state.task.specific
    assert task.get_actions(competition, coordinator) == []
    with pytest.raises(PermissionDenied):
        task.on_action(state, coordinator, "approve")
    assert not task.get_task_states_user_can_moderate(coordinator).exists()

    second = UserFactory(username="second-coordinator")
    second.groups.add(Group.objects.get(name="Coordinators"))
    assert [name for name, _label, _modal in task.get_actions(competition, second)][:2] == [
        "reject",
        "approve",
    ]
    task.on_action(state, second, "approve")

    competition = CompetitionPage.objects.get(pk=competition.pk)
    assert results_published(competition)
    assert "Psychologist within reach" in client.get(competition.url).content.decode()


def test_results_reach_the_round_translations_without_a_sync(coordinator):
    from wagtail.models import Locale

    competition, _winner, _loser = make_decided_round()
    finnish = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.save_revision().publish()

    services.publish_results(competition=competition, by=coordinator)

    finnish = CompetitionPage.objects.get(pk=finnish.pk)
    # The translation's own row was never touched: it reads its round.
    assert finnish.results_published_at is None
    assert finnish.phase_at(timezone.now()) == "results"
    assert results_published(finnish)
