"""One truth per round: every language's page reads its round's dates, phase and judging
settings; the SQL phase agrees with the Python one; and the predicates that depend on time
answer by the round's phase at each of its boundaries."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from wagtail.models import Locale

from ideas import permissions
from ideas.models import CompetitionPage, IdeaStatus, Phase
from ideas.models.pages import ROUND_DATE_FIELDS
from judging import permissions as judging_permissions
from tests.factories import UserFactory, make_idea, make_round, make_team

pytestmark = pytest.mark.django_db

MICRO = timedelta(microseconds=1)


def finnish_translation(competition: CompetitionPage) -> CompetitionPage:
    """A published Finnish translation whose own row then goes stale: other dates, other
    settings, no results, as a translation that nobody synchronised would carry."""
    finnish = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.title = "Kierros"
    finnish.save_revision().publish()
    CompetitionPage.objects.filter(pk=finnish.pk).update(
        opens_at=competition.opens_at + timedelta(days=300),
        closes_at=competition.closes_at + timedelta(days=300),
        judging_closes_at=competition.judging_closes_at + timedelta(days=300),
        results_at=competition.results_at + timedelta(days=300),
        results_published_at=None,
        blind_judging=not competition.blind_judging,
        reviews_per_idea=7,
        jurors_see_other_scores=not competition.jurors_see_other_scores,
    )
    return CompetitionPage.objects.get(pk=finnish.pk)


@pytest.fixture
def rounds():
    competition = make_round(phase="results", reviews_per_idea=2)
    return competition, finnish_translation(competition)


def boundaries(competition) -> list[tuple[str, object, Phase]]:
    """Each edge of the round, a microsecond before and at it, with the phase expected."""
    edges = [
        ("opens_at", competition.opens_at, Phase.UPCOMING, Phase.OPEN),
        ("closes_at", competition.closes_at, Phase.OPEN, Phase.JUDGING),
        ("judging_closes_at", competition.judging_closes_at, Phase.JUDGING, Phase.DELIBERATION),
        (
            "results_published_at",
            competition.results_published_at,
            Phase.DELIBERATION,
            Phase.RESULTS,
        ),
    ]
    moments = []
    for name, at, before, after in edges:
        moments.append((f"just before {name}", at - MICRO, before))
        moments.append((f"at {name}", at, after))
    return moments


def test_every_language_has_the_round_phase_at_each_boundary(rounds):
    competition, finnish = rounds
    for label, moment, expected in boundaries(competition):
        assert competition.phase_at(moment) == expected, label
        assert finnish.phase_at(moment) == expected, label


def test_sql_phase_agrees_with_the_round_at_each_boundary(rounds):
    competition, finnish = rounds
    for label, moment, expected in boundaries(competition):
        found = set(CompetitionPage.objects.in_phase(expected, at=moment))
        assert found == {competition, finnish}, label
        others = [phase for phase in Phase if phase != expected]
        assert not CompetitionPage.objects.in_phase(*others, at=moment).exists(), label


def test_translation_shows_the_round_dates_and_settings(rounds):
    competition, finnish = rounds
    assert finnish.round == competition
    for name in ("opens_at", "closes_at", "judging_closes_at", "results_published_at"):
        assert getattr(finnish.round, name) == getattr(competition, name)
    assert finnish.round.blind_judging == competition.blind_judging
    assert finnish.round.reviews_per_idea == 2
    assert finnish.next_milestone_at(competition.opens_at) == competition.next_milestone_at(
        competition.opens_at
    )


def test_round_without_a_page_in_the_default_language_is_its_own_round():
    competition = make_round(phase="open")
    finnish = finnish_translation(competition)
    competition.delete()

    alone = CompetitionPage.objects.get(pk=finnish.pk)

    assert alone.round == alone
    assert alone.phase_at(alone.opens_at + timedelta(days=1)) == Phase.OPEN
    assert list(CompetitionPage.objects.in_phase(Phase.OPEN, at=alone.opens_at)) == [alone]


# --- the predicates, by phase -----------------------------------------------------------------

ROUND_PREDICATES = {
    "accepts_ideas": (permissions.accepts_ideas, {Phase.OPEN}),
    "before_deadline": (permissions.before_deadline, {Phase.UPCOMING, Phase.OPEN}),
    "results_published": (permissions.results_published, {Phase.RESULTS}),
    "judging_open": (judging_permissions.judging_open, {Phase.JUDGING}),
    "judging_started": (
        judging_permissions.judging_started,
        {Phase.JUDGING, Phase.DELIBERATION, Phase.RESULTS},
    ),
}


@pytest.mark.parametrize("name", sorted(ROUND_PREDICATES))
def test_round_predicate_truth_table_at_each_boundary(rounds, name):
    predicate, allowed = ROUND_PREDICATES[name]
    competition, finnish = rounds
    for label, moment, phase in boundaries(competition):
        for page in (competition, finnish):
            assert predicate(page, moment) is (phase in allowed), (label, page.locale)


USER_PREDICATES = {
    "can_decide": (permissions.can_decide, {("coordinator", Phase.DELIBERATION)}),
    "can_publish_results": (
        permissions.can_publish_results,
        {("coordinator", Phase.DELIBERATION)},
    ),
}


@pytest.mark.parametrize("name", sorted(USER_PREDICATES))
def test_coordinator_predicate_truth_table_at_each_boundary(rounds, coordinator, name):
    predicate, allowed = USER_PREDICATES[name]
    competition, finnish = rounds
    make_idea(team=make_team(), competition=competition, status=IdeaStatus.AWARDED)
    users = {"coordinator": coordinator, "member": UserFactory(), "anonymous": AnonymousUser()}
    for label, moment, phase in boundaries(competition):
        for role, user in users.items():
            for page in (competition, finnish):
                expected = (role, phase) in allowed
                assert predicate(user, page, moment) is expected, (label, role, page.locale)


IDEA_PREDICATES = {
    # (predicate, idea status, phases in which a team member is allowed)
    "can_edit_idea (draft)": (permissions.can_edit_idea, IdeaStatus.DRAFT, {Phase.OPEN}),
    "can_edit_idea (submitted)": (permissions.can_edit_idea, IdeaStatus.SUBMITTED, {Phase.OPEN}),
    "can_submit_idea": (permissions.can_submit_idea, IdeaStatus.DRAFT, {Phase.OPEN}),
    "can_withdraw_idea": (
        permissions.can_withdraw_idea,
        IdeaStatus.SUBMITTED,
        {Phase.UPCOMING, Phase.OPEN},
    ),
    "can_reopen_idea": (permissions.can_reopen_idea, IdeaStatus.WITHDRAWN, {Phase.OPEN}),
}


@pytest.mark.parametrize("name", sorted(IDEA_PREDICATES))
def test_team_predicate_truth_table_at_each_boundary(rounds, name):
    predicate, status, allowed = IDEA_PREDICATES[name]
    competition, _finnish = rounds
    member = UserFactory()
    idea = make_idea(team=make_team(lead=member), competition=competition, status=status)
    outsider = UserFactory()
    for label, moment, phase in boundaries(competition):
        assert predicate(member, idea, moment) is (phase in allowed), label
        assert predicate(outsider, idea, moment) is False, label


def test_can_start_idea_truth_table_at_each_boundary(rounds):
    competition, finnish = rounds
    member = UserFactory()
    team = make_team(lead=member)
    for label, moment, phase in boundaries(competition):
        for page in (competition, finnish):
            assert permissions.can_start_idea(member, team, page, moment) is (
                phase == Phase.OPEN
            ), label
            assert permissions.can_start_idea(UserFactory(), team, page, moment) is False


# --- the editor never offers a translation's round fields -------------------------------------


def test_translation_editor_shows_round_fields_read_only(client, coordinator, rounds):
    from wagtail.test.utils.form_data import (
        nested_form_data,
        querydict_from_html,
        rich_text,
        streamfield,
    )

    competition, finnish = rounds
    client.force_login(coordinator)
    url = f"/admin/pages/{finnish.pk}/edit/"
    html = client.get(url).content.decode()
    form = querydict_from_html(html, form_id="page-edit-form")

    for name in ("opens_at", "closes_at", "judging_closes_at", "results_at", "reviews_per_idea"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert " disabled" in tag, tag
    assert "Set on the round&#x27;s page in English" in html
    # A crafted post with other dates changes nothing of the round, and the translation's
    # own row takes the round's values.
    typed = nested_form_data(
        {
            "body": streamfield([]),
            "idea_fields": streamfield([]),
            "eligibility": rich_text(""),
            "action-publish": "publish",
            "closes_at": "2099-01-01 12:00",
            "reviews_per_idea": "9",
            "title": "Kierros 2",
        }
    )
    for name, value in typed.items():
        form[name] = value
    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = CompetitionPage.objects.get(pk=finnish.pk)
    assert saved.title == "Kierros 2"
    assert saved.closes_at == competition.closes_at.replace(microsecond=0)
    assert saved.reviews_per_idea == competition.reviews_per_idea == 2
    competition.refresh_from_db()
    assert competition.reviews_per_idea == 2


# --- two stages: the round says which stage it judges in ----------------------------------------


def test_two_stage_round_has_its_stage_at_the_screening_boundary(rounds):
    from ideas.models import Stage

    competition, finnish = rounds
    screening_ends = competition.closes_at + timedelta(days=5)
    CompetitionPage.objects.filter(pk=competition.pk).update(screening_closes_at=screening_ends)
    competition = CompetitionPage.objects.get(pk=competition.pk)
    finnish = CompetitionPage.objects.get(pk=finnish.pk)  # its own row has no screening date
    for page in (competition, finnish):
        assert page.two_stage
        assert page.stage_at(screening_ends - MICRO) == Stage.SCREENING
        assert page.stage_at(screening_ends) == Stage.FINAL
        # Both stages are the judging phase, named by their stage.
        assert page.phase_at(screening_ends) == Phase.JUDGING
        assert page.phase_label_at(screening_ends - MICRO) == "Screening"
        assert page.phase_label_at(screening_ends) == "Final judging"
        assert page.phase_label_at(competition.judging_closes_at) == "Jury deliberating"
        # The round page's next date: the screening's end, then judging's.
        assert page.next_milestone_at(screening_ends - MICRO).at == screening_ends
        assert page.next_milestone_at(screening_ends - MICRO).label == "Screening ends"
        assert page.next_milestone_at(screening_ends).at == competition.judging_closes_at


def test_one_stage_round_judges_in_its_only_stage():
    from ideas.models import Stage

    competition = make_round(phase="judging")
    assert not competition.two_stage
    assert competition.stage == Stage.SCREENING
    assert competition.phase_label == "Judging"


@pytest.mark.parametrize(
    ("days_after_close", "message"),
    [
        (0, "Must be later than “submission deadline”."),
        (20, "Must be earlier than “judging ends”."),
        (30, "Must be earlier than “judging ends”."),
    ],
)
def test_screening_date_outside_judging_is_refused_on_its_field(days_after_close, message):
    from django.core.exceptions import ValidationError

    competition = make_round(phase="judging")
    competition.screening_closes_at = competition.closes_at + timedelta(days=days_after_close)
    with pytest.raises(ValidationError) as refused:
        competition.clean()
    assert refused.value.message_dict == {"screening_closes_at": [message]}


def test_screening_date_within_judging_or_empty_is_accepted():
    from django.core.exceptions import ValidationError

    competition = make_round(phase="judging")
    screening = competition.closes_at + timedelta(days=10)
    refused = []
    for value in (None, screening):
        competition.screening_closes_at = value
        try:
            competition.clean()
        except ValidationError as error:
            refused.append(error.message_dict)
        competition.save()
        competition.refresh_from_db()
        refused.append(competition.screening_closes_at == value)

    assert refused == [True, True]  # neither refused, each kept as given
    assert competition.two_stage


def test_a_closed_screening_cannot_be_opened_again_while_the_jury_judges():
    """Moved later or removed once it has closed, the screening's end would send the final
    stage back to the screening without a word."""
    competition = make_round(phase="judging")
    closed = competition.closes_at + timedelta(days=5)  # five days ago: the final stage
    CompetitionPage.objects.filter(pk=competition.pk).update(screening_closes_at=closed)
    competition = CompetitionPage.objects.get(pk=competition.pk)
    now = timezone.now()

    def reopens(screening):
        return competition.reopens_screening(now, {"screening_closes_at": screening})

    later = competition.judging_closes_at - timedelta(days=1)
    assert [reopens(None), reopens(later)] == [True, True]
    # Moved earlier, still past, the final stage stays; unchanged, nothing changes.
    assert [reopens(closed - timedelta(days=1)), reopens(closed)] == [False, False]
    # Judging ended by the same edit: no stage to go back to.
    ended = {"screening_closes_at": None, "judging_closes_at": now - timedelta(minutes=1)}
    assert not competition.reopens_screening(now, ended)
    # A required date left empty is the field's own error, not this one.
    assert not competition.reopens_screening(now, {"screening_closes_at": None, "closes_at": None})


def test_a_screening_still_open_may_be_moved_removed_or_closed_now():
    competition = make_round(phase="judging")
    open_until = competition.closes_at + timedelta(days=15)  # five days from now
    CompetitionPage.objects.filter(pk=competition.pk).update(screening_closes_at=open_until)
    competition = CompetitionPage.objects.get(pk=competition.pk)
    now = timezone.now()
    # Later, removed, or closed now (the coordinator's way to end the screening early).
    for value in (open_until + timedelta(days=2), None, now - timedelta(minutes=1)):
        assert not competition.reopens_screening(now, {"screening_closes_at": value})
    # A round not yet judging, or judged in one stage, has no closed screening to reopen.
    upcoming = make_round(phase="open")
    assert not upcoming.reopens_screening(now, {"screening_closes_at": None})
    one_stage = make_round(phase="judging")
    assert not one_stage.reopens_screening(now, {"screening_closes_at": open_until})


def test_editor_refuses_to_reopen_a_closed_screening_on_its_field_and_keeps_the_edit(
    client, coordinator
):
    from ideas.models import Stage
    from tests.ideas.test_questions import edit_round

    competition = make_round(phase="judging", criteria=1)
    closed = competition.closes_at + timedelta(days=5)
    CompetitionPage.objects.filter(pk=competition.pk).update(screening_closes_at=closed)
    client.force_login(coordinator)

    def typed(when):
        return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")

    dates = {name: typed(getattr(competition, name)) for name in ROUND_DATE_FIELDS}
    response = edit_round(
        client, competition, [], intro="Typed by the coordinator.", screening_closes_at="", **dates
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "screening&#x27;s end can no longer be moved later or removed" in html
    assert "Typed by the coordinator." in html
    live = CompetitionPage.objects.get(pk=competition.pk)
    assert live.screening_closes_at == closed and live.intro != "Typed by the coordinator."
    assert live.stage == Stage.FINAL

    # The same edit with the screening's end kept is saved.
    response = edit_round(
        client,
        competition,
        [],
        intro="Typed by the coordinator.",
        screening_closes_at=typed(closed),
        **dates,
    )
    assert response.status_code == 302
    assert CompetitionPage.objects.get(pk=competition.pk).stage == Stage.FINAL
