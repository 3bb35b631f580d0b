"""The team's pages finished: a submitted idea edited until the deadline, the lead renaming the
team and changing its units, invitations refused, cancelled and used, and a person returning
where they were going after confirming their e-mail."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ideas import services
from ideas.models import IdeaRevision, IdeaStatus, Invitation, Membership
from tests.factories import UserFactory, make_idea, make_round, make_team, make_unit

pytestmark = pytest.mark.django_db


# --- a submitted idea stays editable until the deadline ---------------------------------------


@pytest.fixture
def submitted():
    lead, member = UserFactory(), UserFactory()
    idea = make_idea(team=make_team(lead=lead, members=[member]), title="Shared hour")
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    mail.outbox.clear()
    idea.refresh_from_db()
    return idea, lead, member


def form_data(idea, **changes):
    return idea.text() | {"version": idea.version, "action": "save"} | changes


def test_submitted_idea_is_edited_stays_submitted_and_the_team_is_told(client, submitted):
    idea, lead, member = submitted
    client.force_login(member)
    page = client.get(f"/en/my/ideas/{idea.pk}/").content.decode()
    assert "Save changes" in page and "data-autosave-url" not in page

    response = client.post(
        f"/en/my/ideas/{idea.pk}/", form_data(idea, problem="Parents wait six weeks.")
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED and idea.submitted_at is not None
    assert idea.problem == "Parents wait six weeks."
    latest = IdeaRevision.objects.filter(idea=idea).order_by("-version").first()
    assert latest.changed_fields == ["problem"] and latest.author == member
    assert sorted(message.to[0] for message in mail.outbox) == sorted([lead.email, member.email])
    assert {message.subject for message in mail.outbox} == {"Changed: Shared hour"}
    assert "Parents wait six weeks." in mail.outbox[0].body
    assert member.email in mail.outbox[0].body  # who changed it
    followed = client.get(f"/en/my/ideas/{idea.pk}/").content.decode()
    assert "Your changes are saved. The idea stays submitted" in followed


def test_submitted_idea_cannot_lose_a_required_field_and_keeps_the_typing(client, submitted):
    idea, _lead, member = submitted
    client.force_login(member)

    response = client.post(
        f"/en/my/ideas/{idea.pk}/", form_data(idea, problem="", summary="A new summary typed")
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required to submit the idea." in html
    assert "A new summary typed" in html
    assert 'id="id_problem_error"' in html
    assert re.search(r'<textarea[^>]*aria-describedby="id_problem_error"', html)
    idea.refresh_from_db()
    assert idea.problem and idea.summary != "A new summary typed"
    assert not mail.outbox


def test_submitted_idea_is_not_autosaved(client, submitted):
    idea, _lead, member = submitted
    client.force_login(member)

    response = client.post(f"/en/my/ideas/{idea.pk}/autosave/", form_data(idea, title="Auto"))

    assert response.status_code == 409
    idea.refresh_from_db()
    assert idea.title == "Shared hour"


def test_submitted_idea_is_read_only_after_the_deadline(client):
    lead = UserFactory()
    competition = make_round(phase="judging")
    idea = make_idea(
        team=make_team(lead=lead), competition=competition, status=IdeaStatus.SUBMITTED
    )
    client.force_login(lead)

    page = client.get(f"/en/my/ideas/{idea.pk}/").content.decode()
    response = client.post(f"/en/my/ideas/{idea.pk}/", form_data(idea, title="Too late"))

    assert "Save changes" not in page
    assert response.status_code == 409
    idea.refresh_from_db()
    assert idea.title != "Too late"


# --- the lead changes the team ----------------------------------------------------------------


@pytest.fixture
def team():
    lead, member = UserFactory(), UserFactory()
    return make_team(lead=lead, members=[member], name="Worried parents"), lead, member


def test_lead_renames_the_team_and_changes_its_units(client, team):
    team, lead, _member = team
    clinic, mental = make_unit("Child health clinic"), make_unit("Mental health services")
    client.force_login(lead)
    assert "Rename the team" in client.get(f"/en/my/teams/{team.pk}/").content.decode()

    response = client.post(
        f"/en/my/teams/{team.pk}/edit/",
        {"name": "First contact", "service_units": [clinic.pk, mental.pk]},
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "First contact"
    assert set(team.service_units.all()) == {clinic, mental}


def test_team_edit_refuses_an_empty_name_on_the_field_keeping_the_units(client, team):
    team, lead, _member = team
    clinic = make_unit("Child health clinic")
    client.force_login(lead)

    response = client.post(
        f"/en/my/teams/{team.pk}/edit/", {"name": "", "service_units": [clinic.pk]}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input[^>]*name="name"[^>]*aria-invalid="true"', html)
    assert re.search(rf'<input[^>]*value="{clinic.pk}"[^>]*checked', html)
    team.refresh_from_db()
    assert team.name == "Worried parents"


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_the_lead_changes_the_team(client, team, who):
    team, _lead, member = team
    if who == "member":
        client.force_login(member)
    elif who == "outsider":
        client.force_login(UserFactory())

    get = client.get(f"/en/my/teams/{team.pk}/edit/")
    post = client.post(f"/en/my/teams/{team.pk}/edit/", {"name": "Taken over"})

    assert get.status_code in {302, 404} and post.status_code in {302, 404}
    team.refresh_from_db()
    assert team.name == "Worried parents"
    if who == "member":
        assert "Rename the team" not in client.get(f"/en/my/teams/{team.pk}/").content.decode()


# --- invitations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("lead", "This is your own address: you are already in the team."),
        ("member", "This person is already a member of the team."),
        ("pending", "An invitation to this address is waiting for an answer."),
    ],
)
def test_invitation_that_reaches_nobody_new_is_refused_on_the_field(client, team, address, message):
    team, lead, member = team
    services.invite_member(team=team, email="waiting@example.org", by=lead)
    mail.outbox.clear()
    email = {"lead": lead.email, "member": member.email, "pending": "waiting@example.org"}
    client.force_login(lead)

    response = client.post(f"/en/my/teams/{team.pk}/", {"email": email[address].upper()})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert re.search(r'<input[^>]*name="email"[^>]*aria-invalid="true"', html)
    assert email[address].upper() in html
    assert not mail.outbox
    assert Invitation.objects.filter(team=team).count() == 1


def test_lead_cancels_a_pending_invitation_and_its_link_says_so(client, team):
    team, lead, _member = team
    invitation, token = services.invite_member(team=team, email="psy@example.org", by=lead)
    other, _other_token = services.invite_member(team=team, email="sw@example.org", by=lead)
    client.force_login(lead)

    response = client.post(f"/en/my/teams/{team.pk}/invitations/{invitation.pk}/cancel/")

    assert response.status_code == 302
    page = client.get(f"/en/my/teams/{team.pk}/").content.decode()
    assert "The invitation to psy@example.org is cancelled" in page
    pending = page.split("Waiting for an answer", 1)[1]
    assert "psy@example.org" not in pending and "sw@example.org" in pending
    client.logout()
    link = client.get(f"/en/invitations/{token}/")
    assert link.status_code == 410
    assert "cancelled the invitation" in link.content.decode()
    client.force_login(UserFactory(email="psy@example.org"))
    client.post(f"/en/invitations/{token}/", {"action": "accept"})
    assert not Membership.objects.filter(team=team, user__email="psy@example.org").exists()
    other.refresh_from_db()
    assert other.cancelled_at is None


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_lead_cancels_an_invitation(client, team, who):
    team, lead, member = team
    invitation, _token = services.invite_member(team=team, email="psy@example.org", by=lead)
    client.force_login(member if who == "member" else UserFactory())

    response = client.post(f"/en/my/teams/{team.pk}/invitations/{invitation.pk}/cancel/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_expired_invitation_link_says_it_expired(client, team):
    team, lead, _member = team
    past = timezone.now() - timedelta(days=8)
    _invitation, token = services.invite_member(
        team=team, email="psy@example.org", by=lead, now=past
    )

    response = client.get(f"/en/invitations/{token}/")

    assert response.status_code == 410
    assert "Worried parents expired on" in response.content.decode()


def test_declined_invitation_link_says_it_was_declined(client, team):
    team, lead, _member = team
    _invitation, token = services.invite_member(team=team, email="psy@example.org", by=lead)
    client.post(f"/en/invitations/{token}/", {"action": "decline"})

    response = client.get(f"/en/invitations/{token}/")

    assert response.status_code == 410
    assert "was declined" in response.content.decode()


def test_team_page_queries_are_the_same_for_1_and_10_members(client, count_queries, team):
    team, lead, _member = team
    client.force_login(lead)
    client.get(f"/en/my/teams/{team.pk}/")
    two = count_queries(lambda: client.get(f"/en/my/teams/{team.pk}/"))
    for _ in range(8):
        Membership.objects.create(team=team, user=UserFactory(), role="member")

    ten = count_queries(lambda: client.get(f"/en/my/teams/{team.pk}/"))

    assert two == ten
    assert client.get(f"/en/my/teams/{team.pk}/").content.decode().count("<tr>") == 11


# --- back where one was going after confirming the e-mail address ----------------------------


def test_a_new_person_returns_to_the_invitation_after_confirming_their_address(client, team):
    team, lead, _member = team
    _invitation, token = services.invite_member(team=team, email="new@example.org", by=lead)
    invitation_path = f"/en/invitations/{token}/"

    to_sign_in = client.post(invitation_path, {"action": "accept"})
    sign_in_page = client.get(to_sign_in["Location"]).content.decode()
    sign_up = re.search(r'href="(/en/accounts/signup/\?next=[^"]+)"', sign_in_page).group(1)
    client.post(
        sign_up.replace("&amp;", "&"),
        {
            "email": "new@example.org",
            "password1": "a-long-and-unusual-password-42",
            "password2": "a-long-and-unusual-password-42",
        },
    )
    confirm = re.search(r"http://localhost(/en/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    back = client.post(confirm.group(1))

    assert back.status_code == 302 and back["Location"] == invitation_path
    client.post(invitation_path, {"action": "accept"})
    assert Membership.objects.filter(team=team, user__email="new@example.org").exists()
