from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas import services
from ideas.models import Idea, IdeaStatus, Invitation, Membership, Role
from ideas.models.teams import hash_token
from tests.factories import UserFactory, make_idea, make_round, make_team, make_unit

pytestmark = pytest.mark.django_db


def text_of(idea: Idea, **changes) -> dict[str, str]:
    return idea.text() | changes


# --- teams and invitations --------------------------------------------------------------------


def test_create_team_makes_the_creator_its_lead_across_units():
    nurse = UserFactory()
    clinic, mental_health = make_unit("Child health clinic"), make_unit("Mental health services")

    team = services.create_team(
        name="Clinic and psychologists",
        service_units=[clinic, mental_health],
        lead=nurse,
        profession="Public health nurse",
    )

    assert set(team.service_units.all()) == {clinic, mental_health}
    lead = team.memberships.get()
    assert (lead.user, lead.role, lead.profession) == (nurse, Role.LEAD, "Public health nurse")


def test_invitation_accepted_once_makes_a_member_and_cannot_be_reused():
    lead, colleague, stranger = UserFactory(), UserFactory(), UserFactory()
    team = make_team(lead=lead)
    invitation, token = services.invite_member(team=team, email=colleague.email, by=lead)

    membership = services.accept_invitation(token=token, user=colleague, profession="Psychologist")

    assert (membership.team, membership.role) == (team, Role.MEMBER)
    with pytest.raises(services.InvitationUnusable):
        services.accept_invitation(token=token, user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_invitation_expires_after_seven_days():
    lead, colleague = UserFactory(), UserFactory()
    team = make_team(lead=lead)
    invitation, token = services.invite_member(team=team, email=colleague.email, by=lead)

    with pytest.raises(services.InvitationUnusable):
        services.accept_invitation(
            token=token, user=colleague, now=invitation.created_at + timedelta(days=7, seconds=1)
        )

    assert not team.memberships.filter(user=colleague).exists()
    just_in_time = invitation.created_at + timedelta(days=7, seconds=-1)
    assert services.accept_invitation(token=token, user=colleague, now=just_in_time).team == team


def test_declined_or_guessed_invitation_is_unusable():
    lead, colleague = UserFactory(), UserFactory()
    team = make_team(lead=lead)
    _invitation, token = services.invite_member(team=team, email=colleague.email, by=lead)
    services.decline_invitation(token=token)

    for attempt in (token, token[:-1] + "x", "guessed"):
        with pytest.raises(services.InvitationUnusable):
            services.accept_invitation(token=attempt, user=colleague)
    assert not team.memberships.filter(user=colleague).exists()


def test_invitation_keeps_only_a_hash_of_its_token():
    lead = UserFactory()
    invitation, token = services.invite_member(
        team=make_team(lead=lead), email="A@Example.org", by=lead
    )

    assert invitation.token_hash == hash_token(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.email == "a@example.org"


def test_only_the_lead_invites_removes_and_hands_over():
    lead, member = UserFactory(), UserFactory()
    team = make_team(lead=lead, members=[member])
    lead_membership = team.memberships.get(user=lead)

    with pytest.raises(services.NotAllowed):
        services.invite_member(team=team, email="x@example.org", by=member)
    with pytest.raises(services.NotAllowed):
        services.remove_member(membership=lead_membership, by=member)
    with pytest.raises(services.NotAllowed):
        services.hand_over_lead(team=team, to=team.memberships.get(user=member), by=member)
    assert not Invitation.objects.filter(team=team).exists()
    assert team.memberships.get(role=Role.LEAD).user == lead


def test_a_team_always_has_a_lead():
    lead, member = UserFactory(), UserFactory()
    team = make_team(lead=lead, members=[member])

    with pytest.raises(services.NotAllowed):
        services.remove_member(membership=team.memberships.get(user=lead), by=lead)

    services.hand_over_lead(team=team, to=team.memberships.get(user=member), by=lead)

    assert team.memberships.get(role=Role.LEAD).user == member
    assert team.memberships.get(user=lead).role == Role.MEMBER
    services.remove_member(membership=team.memberships.get(user=lead), by=member)
    assert list(team.memberships.values_list("user", "role")) == [(member.pk, Role.LEAD)]


def test_lead_cannot_hand_over_to_another_teams_member():
    lead = UserFactory()
    team = make_team(lead=lead)
    other = make_team(members=[UserFactory()])

    with pytest.raises(services.NotAllowed):
        services.hand_over_lead(team=team, to=other.memberships.get(role=Role.MEMBER), by=lead)

    assert team.memberships.get(role=Role.LEAD).user == lead


# --- ideas ------------------------------------------------------------------------------------


@pytest.fixture
def draft():
    lead, member = UserFactory(), UserFactory()
    return make_idea(team=make_team(lead=lead, members=[member]), competition=make_round())


def writers(idea):
    lead = idea.team.memberships.get(role=Role.LEAD).user
    member = idea.team.memberships.get(role=Role.MEMBER).user
    return lead, member


def test_save_keeps_a_revision_with_author_and_changed_fields(draft):
    lead, _member = writers(draft)

    saved = services.save_idea(
        idea=draft, text=text_of(draft, problem="Parents wait six weeks."), base_version=1, by=lead
    )

    assert (saved.version, saved.problem) == (2, "Parents wait six weeks.")
    revision = saved.revisions.get(version=2)
    assert (revision.author, revision.changed_fields) == (lead, ["problem"])
    assert revision.text["problem"] == "Parents wait six weeks."


def test_save_that_changes_nothing_writes_nothing(draft):
    lead, _member = writers(draft)

    saved = services.save_idea(idea=draft, text=draft.text(), base_version=1, by=lead)

    assert saved.version == 1
    assert not saved.revisions.exists()


def test_concurrent_edit_the_later_save_is_refused_and_nothing_is_overwritten(draft):
    lead, member = writers(draft)
    services.save_idea(
        idea=draft, text=text_of(draft, impact="Fewer referrals."), base_version=1, by=lead
    )

    with pytest.raises(services.EditConflict) as conflict:
        services.save_idea(
            idea=draft,
            text=text_of(draft, impact="Faster appointments."),
            base_version=1,
            by=member,
        )

    assert conflict.value.current.impact == "Fewer referrals."
    assert conflict.value.current.version == 2
    draft.refresh_from_db()
    assert (draft.impact, draft.version) == ("Fewer referrals.", 2)
    assert draft.revisions.count() == 1


def test_restore_brings_back_an_earlier_text_as_a_new_version(draft):
    lead, _member = writers(draft)
    services.save_idea(
        idea=draft, text=text_of(draft, title="First title"), base_version=1, by=lead
    )
    first = draft.revisions.get(version=2)
    services.save_idea(
        idea=draft, text=text_of(draft, title="Second title"), base_version=2, by=lead
    )

    restored = services.restore_revision(revision=first, base_version=3, by=lead)

    assert (restored.title, restored.version) == ("First title", 4)
    assert list(restored.revisions.values_list("version", flat=True)) == [4, 3, 2]


def test_save_after_the_deadline_is_refused_and_the_text_kept(draft):
    lead, _member = writers(draft)
    late = draft.competition.closes_at + timedelta(seconds=1)

    with pytest.raises(services.DeadlinePassed):
        services.save_idea(
            idea=draft, text=text_of(draft, title="Too late"), base_version=1, by=lead, now=late
        )

    draft.refresh_from_db()
    assert draft.title != "Too late"


def test_late_submit_is_refused_with_the_reason_and_the_draft_kept(draft):
    lead, _member = writers(draft)
    late = draft.competition.closes_at + timedelta(seconds=1)
    before = draft.text()

    with pytest.raises(services.DeadlinePassed) as refused:
        services.set_idea_status(idea=draft, status=IdeaStatus.SUBMITTED, by=lead, now=late)

    assert "deadline passed" in str(refused.value)
    assert "draft is kept" in str(refused.value)
    draft.refresh_from_db()
    assert (draft.status, draft.text(), draft.submitted_at) == (IdeaStatus.DRAFT, before, None)


def test_submit_with_missing_required_fields_names_each_field(draft):
    lead, _member = writers(draft)
    draft.competition.required_idea_fields = ["title", "problem", "pilot_plan"]
    draft.competition.save()
    Idea.objects.filter(pk=draft.pk).update(problem="", pilot_plan="")

    with pytest.raises(services.MissingFields) as refused:
        services.set_idea_status(idea=draft, status=IdeaStatus.SUBMITTED, by=lead)

    assert set(refused.value.errors) == {"problem", "pilot_plan"}
    draft.refresh_from_db()
    assert draft.status == IdeaStatus.DRAFT
    assert draft.title.startswith("Idea")


def test_submit_withdraw_and_reopen_before_the_deadline(draft):
    lead, member = writers(draft)

    submitted = services.set_idea_status(idea=draft, status=IdeaStatus.SUBMITTED, by=member)
    assert submitted.status == IdeaStatus.SUBMITTED and submitted.submitted_at is not None

    withdrawn = services.set_idea_status(idea=draft, status=IdeaStatus.WITHDRAWN, by=lead)
    assert withdrawn.status == IdeaStatus.WITHDRAWN and withdrawn.submitted_at is None

    reopened = services.set_idea_status(idea=draft, status=IdeaStatus.DRAFT, by=member)
    assert reopened.status == IdeaStatus.DRAFT
    assert [r.note for r in reopened.revisions.order_by("version")] == [
        "submitted",
        "withdrawn",
        "draft",
    ]


def test_submitted_idea_cannot_be_saved_by_an_editor_holding_the_old_version(draft):
    lead, member = writers(draft)
    services.set_idea_status(idea=draft, status=IdeaStatus.SUBMITTED, by=lead)

    with pytest.raises(services.EditConflict):
        services.save_idea(
            idea=draft, text=text_of(draft, title="Edited"), base_version=1, by=member
        )

    draft.refresh_from_db()
    assert draft.title != "Edited"


@pytest.mark.parametrize("outsider", ["other_team", "anonymous"])
def test_outsiders_cannot_change_an_idea(draft, outsider):
    user = (
        make_team(members=[UserFactory()]).memberships.first().user
        if outsider == "other_team"
        else AnonymousUser()
    )

    with pytest.raises(services.NotAllowed):
        services.set_idea_status(idea=draft, status=IdeaStatus.SUBMITTED, by=user)
    with pytest.raises(services.NotAllowed):
        services.save_idea(
            idea=draft, text=text_of(draft, title="Hijacked"), base_version=1, by=user
        )

    draft.refresh_from_db()
    assert (draft.status, draft.version) == (IdeaStatus.DRAFT, 1)
    assert draft.title != "Hijacked"


def test_impossible_transition_is_refused(draft):
    lead, _member = writers(draft)

    with pytest.raises(services.NotAllowed):
        services.set_idea_status(idea=draft, status=IdeaStatus.DRAFT, by=lead)

    draft.refresh_from_db()
    assert draft.status == IdeaStatus.DRAFT and draft.version == 1


def test_start_idea_only_while_the_round_is_open():
    lead = UserFactory()
    team = make_team(lead=lead)
    closed = make_round(phase="judging")

    with pytest.raises(services.DeadlinePassed):
        services.start_idea(competition=closed, team=team, by=lead)

    idea = services.start_idea(competition=make_round(phase="open"), team=team, by=lead)
    assert (idea.status, idea.version, idea.created_by) == (IdeaStatus.DRAFT, 1, lead)
    assert not Idea.objects.filter(competition=closed).exists()
