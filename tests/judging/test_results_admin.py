"""The coordinator's "Results and innovation pages" admin view: allowed and denied, publishing
the results, drafting an innovation page, and its query count."""

import pytest
from django.urls import reverse

from ideas.models import IdeaStatus, InnovationPage
from judging.models import Award
from tests.factories import UserFactory, make_decided_round, make_idea, make_juror

pytestmark = pytest.mark.django_db


def results_url(competition) -> str:
    return reverse("judging_admin:results", args=[competition.pk])


def test_coordinator_publishes_results_and_drafts_the_innovation_page(client, coordinator):
    competition, winner, loser = make_decided_round()
    client.force_login(coordinator)

    listing = client.get(results_url(competition)).content.decode()
    assert "Psychologist within reach" in listing and "Publish the results" in listing
    assert "Confidential unawarded proposal" not in listing

    confirm = client.get(f"/admin/judging/{competition.pk}/results/publish/").content.decode()
    competition.refresh_from_db()
    assert competition.results_published_at is None  # asking shows; it publishes nothing
    assert "What becomes public" in confirm and "Psychologist within reach" in confirm
    assert "Confidential unawarded proposal" not in confirm
    assert "1 idea without an award stays private" in confirm
    published = client.post(f"/admin/judging/{competition.pk}/results/publish/", follow=True)
    competition.refresh_from_db()
    assert competition.results_published_at is not None
    assert "The results are published." in published.content.decode()

    drafted = client.post(results_url(competition), {"action": "create", "idea": winner.pk})
    page = InnovationPage.objects.get(idea=winner)
    assert drafted["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert (page.live, page.title) == (False, "Psychologist within reach")
    refused = client.post(results_url(competition), {"action": "create", "idea": loser.pk})
    assert refused.status_code == 302 and not InnovationPage.objects.filter(idea=loser).exists()


@pytest.mark.parametrize("who", ["team member", "juror", "editor", "anonymous"])
def test_results_view_denied_to_everyone_else(client, who):
    competition, winner, _loser = make_decided_round()
    users = {
        "team member": winner.team.memberships.first().user,
        "juror": make_juror(competition),
        "editor": UserFactory(is_staff=True),
        "anonymous": None,
    }
    if users[who] is not None:
        client.force_login(users[who])

    shown = client.get(results_url(competition))
    confirm = client.get(f"/admin/judging/{competition.pk}/results/publish/")
    publish = client.post(f"/admin/judging/{competition.pk}/results/publish/")
    create = client.post(results_url(competition), {"action": "create", "idea": winner.pk})

    codes = {shown.status_code, confirm.status_code, publish.status_code, create.status_code}
    assert codes <= {302, 403}
    assert "Psychologist within reach" not in shown.content.decode()
    assert "Psychologist within reach" not in confirm.content.decode()
    competition.refresh_from_db()
    assert competition.results_published_at is None
    assert not InnovationPage.objects.exists()


def test_results_view_query_count_is_the_same_for_1_and_10_awards(
    client, coordinator, count_queries
):
    competition, winner, _loser = make_decided_round()
    client.force_login(coordinator)
    client.get(results_url(competition))
    with_one = count_queries(lambda: client.get(results_url(competition)))
    for n in range(9):
        idea = make_idea(
            competition=competition, status=IdeaStatus.AWARDED, title=f"Honourable idea {n}"
        )
        Award.objects.create(idea=idea, level="honourable_mention", rationale="Well argued.")
    response = []
    with_ten = count_queries(lambda: response.append(client.get(results_url(competition))))
    assert response[0].content.decode().count("Honourable idea") == 9
    assert with_one == with_ten
