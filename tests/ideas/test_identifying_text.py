"""The team is warned, never stopped, when a blind round's idea names its member, team or unit."""

import pytest
from django.urls import reverse

from ideas.mentions import MEMBER, TEAM, UNIT, identifying_mentions
from ideas.models import Idea, IdeaStatus, Profile
from tests.factories import UserFactory, make_idea, make_round, make_team, make_unit

pytestmark = pytest.mark.django_db

HEADING = "Your text may tell the jury who you are"


@pytest.fixture
def team():
    lead = UserFactory(email="niina.nurse@example.org", first_name="Niina", last_name="Nurse")
    member = UserFactory(email="pekka.psychologist@example.org")
    Profile.objects.create(user=member, name="Pekka Psykologi")
    unit = make_unit("Kallio Child Health Clinic")
    unit.name_fi = "Kallion neuvola"
    unit.save()
    return make_team(lead=lead, members=[member], units=[unit], name="Team Aalto"), lead


def named_idea(team, *, blind: bool = True, **text) -> Idea:
    competition = make_round(phase="open", blind_judging=blind)
    return make_idea(team=team, competition=competition, **text)


def test_mentions_find_members_by_name_and_email_the_team_and_units_in_any_language(team):
    team, _lead = team
    idea = named_idea(
        team,
        summary="Niina Nurse and PEKKA PSYKOLOGI meet weekly.",
        problem="Write to niina.nurse@example.org for details.",
        service_model="Team Aalto runs it at Kallion neuvolassa.",
        impact="The kallio child health clinic's clients benefit.",
    )

    found = {(m.kind, m.name, m.field) for m in identifying_mentions(idea)}

    assert found == {
        (MEMBER, "Niina Nurse", "summary"),
        (MEMBER, "Pekka Psykologi", "summary"),
        (MEMBER, "niina.nurse@example.org", "problem"),
        (TEAM, "Team Aalto", "service_model"),
        (UNIT, "Kallion neuvola", "service_model"),
        (UNIT, "Kallio Child Health Clinic", "impact"),
    }


def test_a_name_that_starts_inside_another_word_is_no_mention_one_with_an_ending_is(team):
    team, _lead = team
    idea = named_idea(team, summary="The dreamteam Aalto of Aniina Nurse; Niina Nursen idea.")
    found = {(m.kind, m.name) for m in identifying_mentions(idea)}
    assert found == {(MEMBER, "Niina Nurse")}


def test_the_editor_warns_where_a_blind_rounds_text_names_the_team_and_still_saves(client, team):
    team, lead = team
    idea = named_idea(team, summary="Run by Team Aalto.", problem="Ask Niina Nurse.")
    client.force_login(lead)

    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()

    assert HEADING in page
    assert "“Team Aalto” (your team) in “summary”" in page
    assert "“Niina Nurse” (a member) in “the problem today”" in page
    data = {name: getattr(idea, name) for name in idea.text()} | {
        "version": idea.version,
        "action": "save",
        "impact": "Our unit Kallio Child Health Clinic grows.",
    }
    saved = client.post(reverse("ideas:idea", args=[idea.pk]), data, follow=True)
    assert "Your draft is saved." in saved.content.decode()
    assert "(a unit of your team) in “expected impact”" in saved.content.decode()
    idea.refresh_from_db()
    assert idea.impact == "Our unit Kallio Child Health Clinic grows."


def test_submitting_a_blind_rounds_idea_that_names_the_team_warns_but_submits(client, team):
    team, lead = team
    idea = named_idea(team, summary="Team Aalto's consultation hour.")
    client.force_login(lead)
    data = {name: getattr(idea, name) for name in idea.text()} | {
        "version": idea.version,
        "action": "submit",
    }

    response = client.post(reverse("ideas:idea", args=[idea.pk]), data, follow=True)

    page = response.content.decode()
    assert "Your idea is submitted." in page
    assert "This round is judged blind, but the idea&#x27;s text names your team" in page
    assert HEADING in page
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED


@pytest.mark.parametrize(
    ("blind", "summary", "warned"),
    [
        (True, "Run by Team Aalto.", True),
        (False, "Run by Team Aalto.", False),  # an open round's jurors see the team anyway
        (True, "A nurse consults a psychologist.", False),
    ],
)
def test_no_warning_in_an_open_round_or_for_text_that_names_nobody(
    client, team, blind, summary, warned
):
    team, lead = team
    idea = named_idea(team, blind=blind, summary=summary)
    client.force_login(lead)
    data = {name: getattr(idea, name) for name in idea.text()} | {
        "version": idea.version,
        "action": "submit",
    }

    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    submitted = client.post(reverse("ideas:idea", args=[idea.pk]), data, follow=True)

    assert (HEADING in page) is warned
    assert ("This round is judged blind, but" in submitted.content.decode()) is warned
