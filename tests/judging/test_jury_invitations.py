"""Jurors by e-mail: an account joins at once; anyone else follows an invitation's link,
creates the invited address's account and lands on their jury page. Invitations expire, are
sent again and cancelled; a used, cancelled or expired link says so; a guessed one is a 404."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from ideas.models import Profile
from ideas.services import InvitationUnusable, NotAllowed
from judging import permissions, services
from judging.models import JurorInvitation, JurorNotice, JuryMember
from tests.factories import UserFactory, make_juror, make_round

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-password-42"


def invite(competition, by, *, email="new.juror@example.org", language="en", now=None):
    return services.add_juror_by_email(
        competition=competition,
        name="Nina Newcomer",
        email=email,
        language=language,
        by=by,
        now=now,
    )


def link_path(message) -> str:
    """The path of the invitation's link in an e-mail."""
    return re.search(r"http://localhost(/\w\w/jury/invitations/[^/\s]+/)", message.body).group(1)


def sign_up(client, path, **fields):
    data = {"name": "Nina Newcomer", "password1": PASSWORD, "password2": PASSWORD} | fields
    return client.post(path, data)


# --- an account joins at once -----------------------------------------------------------------


@pytest.mark.parametrize("where", ["allauth_address", "user_email"])
def test_existing_account_added_by_email_joins_at_once_without_an_invitation(
    coordinator, django_capture_on_commit_callbacks, where
):
    competition = make_round(phase="open")
    # The address typed is either the account's e-mail or a second address of it.
    person = UserFactory(
        email="anna.virtanen@example.org" if where == "user_email" else "anna@home.example"
    )
    if where == "allauth_address":
        EmailAddress.objects.create(user=person, email="Anna.Virtanen@Example.org", verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        added = invite(competition, coordinator, email=" ANNA.virtanen@example.org ")

    assert added.member.user == person and added.invitation is None
    assert JuryMember.objects.filter(competition=competition, user=person).exists()
    assert not JurorInvitation.objects.exists()
    assert person.groups.filter(name=services.JURORS_GROUP).exists()
    # One e-mail: the existing notice that they are on the jury, not an invitation.
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "You are on the jury of" in mail.outbox[0].subject
    assert "/jury/invitations/" not in mail.outbox[0].body
    assert JurorNotice.objects.filter(user=person, kind=JurorNotice.JURY_SET).count() == 1


def test_juror_added_on_an_unpublished_round_is_told_only_when_it_is_published(coordinator):
    competition = make_round(phase="open")
    competition.unpublish()
    person = UserFactory()

    services.add_juror(competition=competition, user=person, by=coordinator)

    assert JuryMember.objects.filter(competition=competition, user=person).exists()
    assert mail.outbox == []
    competition.refresh_from_db()
    competition.get_latest_revision().publish(user=coordinator)
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_juror_added_at_once_stays_when_the_round_page_is_published_again(coordinator):
    competition = make_round(phase="open")
    person = UserFactory()

    services.add_juror(competition=competition, user=person, by=coordinator)

    competition.refresh_from_db()
    assert not competition.has_unpublished_changes
    # Publishing what the editor loads keeps the juror.
    competition.get_latest_revision_as_object().save_revision(user=coordinator).publish(
        user=coordinator
    )
    assert JuryMember.objects.filter(competition=competition, user=person).exists()


def test_juror_added_at_once_joins_a_waiting_draft_and_leaves_it_unpublished(coordinator):
    competition = make_round(phase="open")
    draft = competition.get_latest_revision_as_object()
    draft.intro = "A draft nobody has published."
    draft.save_revision(user=coordinator)
    person = UserFactory()

    services.add_juror(competition=competition, user=person, by=coordinator)

    competition.refresh_from_db()
    assert competition.has_unpublished_changes
    assert competition.intro != "A draft nobody has published."
    latest = competition.get_latest_revision_as_object()
    assert latest.intro == "A draft nobody has published."
    assert person.pk in [member.user_id for member in latest.jury_members.all()]


def test_person_chosen_twice_is_refused_in_a_sentence(coordinator):
    competition = make_round(phase="open")
    person = make_juror(competition)
    Profile.objects.create(user=person, name="Anna Virtanen")

    with pytest.raises(services.FieldErrors) as refused:
        services.add_juror(competition=competition, user=person, by=coordinator)

    assert refused.value.errors == {"user": "Anna Virtanen is already on this round's jury."}
    assert JuryMember.objects.filter(user=person).count() == 1


def test_only_a_coordinator_adds_jurors(coordinator):
    competition = make_round(phase="open")
    juror = make_juror(competition)
    with pytest.raises(NotAllowed):
        services.add_juror(competition=competition, user=UserFactory(), by=juror)
    with pytest.raises(NotAllowed):
        invite(competition, juror)
    assert JuryMember.objects.count() == 1
    assert not JurorInvitation.objects.exists()
    assert mail.outbox == []


# --- a new person follows the link --------------------------------------------------------------


def test_new_person_creates_a_verified_account_is_signed_in_and_lands_on_the_jury_page(
    client, coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="open", title="Round of the clinics")
    with django_capture_on_commit_callbacks(execute=True):
        added = invite(competition, coordinator)
    assert added.member is None
    assert added.invitation.token_hash != added.token  # only the hash is kept
    invitation_mail = mail.outbox[0]
    assert invitation_mail.to == ["new.juror@example.org"]
    assert "You are invited to the jury of Round of the clinics" in invitation_mail.subject
    path = link_path(invitation_mail)
    assert path.startswith("/en/")

    page = client.get(path).content.decode()
    assert "new.juror@example.org" in page
    assert 'value="Nina Newcomer"' in page
    assert 'name="email"' not in page  # the address is the invitation's, not typed

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, path, name="Nina N. Newcomer")

    assert response.status_code == 302
    assert response["Location"] == f"/en/jury/{competition.pk}/"
    user = get_user_model().objects.get(email="new.juror@example.org")
    assert int(client.session["_auth_user_id"]) == user.pk
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "new.juror@example.org",
        True,
        True,
    )
    assert user.check_password(PASSWORD)
    assert (user.profile.name, user.profile.language) == ("Nina N. Newcomer", "en")
    assert JuryMember.objects.filter(competition=competition, user=user).exists()
    added.invitation.refresh_from_db()
    assert added.invitation.accepted_by == user
    # No confirmation e-mail: after the invitation, only the notice that they are on the jury.
    assert [m.to for m in mail.outbox[1:]] == [["new.juror@example.org"]]
    assert "You are on the jury of Round of the clinics" in mail.outbox[1].subject
    jury_page = client.get(response["Location"])
    assert jury_page.status_code == 200
    assert "Round of the clinics" in jury_page.content.decode()


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("fi", "Sinut kutsutaan kilpailun Round X raatiin", "Luo tili osoitteelle"),
        ("sv", "Du är inbjuden till juryn för Round X", "Skapa ditt konto för"),
    ],
)
def test_invitation_email_and_page_are_in_the_language_the_coordinator_chose(
    client, coordinator, django_capture_on_commit_callbacks, language, subject, body
):
    competition = make_round(phase="open", title="Round X")
    with django_capture_on_commit_callbacks(execute=True):
        invite(competition, coordinator, language=language)

    message = mail.outbox[0]
    path = link_path(message)
    page = client.get(path).text

    assert subject in message.subject
    assert body in message.body and "new.juror@example.org" in message.body
    assert path.startswith(f"/{language}/jury/invitations/")
    assert "Create the account and join the jury" not in page
    sign_up(client, path)
    assert get_user_model().objects.get(email="new.juror@example.org").profile.language == language


def test_the_invited_address_cannot_be_changed_on_the_sign_up_form(client, coordinator):
    competition = make_round(phase="open")
    path = link_path_of(invite(competition, coordinator))

    sign_up(client, path, email="someone.else@example.org")

    User = get_user_model()
    assert not User.objects.filter(email__iexact="someone.else@example.org").exists()
    assert not EmailAddress.objects.filter(email__iexact="someone.else@example.org").exists()
    assert User.objects.get(email="new.juror@example.org").emailaddress_set.get().verified


def test_sign_up_refuses_differing_or_weak_passwords_and_keeps_the_name(client, coordinator):
    competition = make_round(phase="open")
    path = link_path_of(invite(competition, coordinator))

    differing = sign_up(client, path, name="Typed Name", password2="another-long-password-43")
    weak = sign_up(client, path, password1="password", password2="password")

    assert differing.status_code == 400 and "The two passwords differ." in differing.text
    assert 'value="Typed Name"' in differing.text
    assert weak.status_code == 400 and "too common" in weak.text
    assert not get_user_model().objects.filter(email="new.juror@example.org").exists()


def link_path_of(added) -> str:
    return f"/en/jury/invitations/{added.token}/"


def test_someone_with_an_account_by_now_signs_in_and_joins(client, coordinator):
    competition = make_round(phase="open")
    path = link_path_of(invite(competition, coordinator))
    person = UserFactory(email="new.juror@example.org")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)

    page = client.get(path).text
    assert "Sign in" in page and 'name="password1"' not in page
    assert sign_up(client, path).status_code == 400  # no second account for the address
    assert get_user_model().objects.filter(email="new.juror@example.org").count() == 1

    client.force_login(person)
    response = client.post(path)

    assert response["Location"] == f"/en/jury/{competition.pk}/"
    assert JuryMember.objects.filter(competition=competition, user=person).exists()


def test_someone_signed_in_with_another_address_cannot_use_the_link(client, coordinator):
    competition = make_round(phase="open")
    added = invite(competition, coordinator)
    other = UserFactory(email="other@example.org")
    client.force_login(other)

    page = client.get(link_path_of(added)).text
    response = client.post(link_path_of(added))

    assert "This invitation is for new.juror@example.org" in page
    assert response.status_code == 400
    assert not JuryMember.objects.exists()
    added.invitation.refresh_from_db()
    assert added.invitation.accepted_at is None


# --- expiry, sending again, cancelling, reuse, guessing ------------------------------------------


def test_invitation_expires_after_14_days(client, coordinator):
    competition = make_round(phase="open")
    fifteen_days_ago = timezone.now() - timedelta(days=15)
    added = invite(competition, coordinator, now=fifteen_days_ago)
    assert added.invitation.expires_at == fifteen_days_ago + timedelta(days=14)

    page = client.get(link_path_of(added))
    posted = sign_up(client, link_path_of(added))

    assert page.status_code == 410 and "expired on" in page.text
    assert posted.status_code == 410
    assert not get_user_model().objects.filter(email="new.juror@example.org").exists()


def test_invitation_works_on_its_last_day(client, coordinator):
    competition = make_round(phase="open")
    added = invite(competition, coordinator, now=timezone.now() - timedelta(days=13, hours=23))
    assert client.get(link_path_of(added)).status_code == 200


def test_sending_again_kills_the_old_link_and_the_new_one_works(
    client, coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="open")
    added = invite(competition, coordinator, now=timezone.now() - timedelta(days=20))
    old_path = link_path_of(added)

    with django_capture_on_commit_callbacks(execute=True):
        token = services.resend_juror_invitation(invitation=added.invitation, by=coordinator)

    new_path = link_path(mail.outbox[-1])
    assert new_path == f"/en/jury/invitations/{token}/"
    assert client.get(old_path).status_code == 404
    assert sign_up(client, old_path).status_code == 404
    added.invitation.refresh_from_db()
    assert added.invitation.expires_at > timezone.now() + timedelta(days=13)
    assert sign_up(client, new_path)["Location"] == f"/en/jury/{competition.pk}/"
    assert JuryMember.objects.filter(user__email="new.juror@example.org").exists()


def test_cancelled_invitation_link_says_so_and_does_nothing(client, coordinator):
    competition = make_round(phase="open")
    added = invite(competition, coordinator)

    services.cancel_juror_invitation(invitation=added.invitation, by=coordinator)

    page = client.get(link_path_of(added))
    assert page.status_code == 410 and "The coordinator cancelled the invitation" in page.text
    assert sign_up(client, link_path_of(added)).status_code == 410
    assert not get_user_model().objects.filter(email="new.juror@example.org").exists()
    with pytest.raises(InvitationUnusable):
        services.resend_juror_invitation(invitation=added.invitation, by=coordinator)


def test_used_link_says_it_was_used_and_makes_no_second_account(client, coordinator):
    competition = make_round(phase="open")
    added = invite(competition, coordinator)
    sign_up(client, link_path_of(added))
    client.logout()

    page = client.get(link_path_of(added))
    again = sign_up(client, link_path_of(added), name="Someone Else")

    assert page.status_code == 410 and "It has been used already" in page.text
    assert again.status_code == 410
    assert get_user_model().objects.filter(email="new.juror@example.org").count() == 1
    assert JuryMember.objects.filter(competition=competition).count() == 1
    with pytest.raises(InvitationUnusable):
        services.cancel_juror_invitation(invitation=added.invitation, by=coordinator)


def test_guessed_token_is_a_404(client, coordinator):
    invite(make_round(phase="open"), coordinator)
    assert client.get("/en/jury/invitations/guessed-token/").status_code == 404
    assert sign_up(client, "/en/jury/invitations/guessed-token/").status_code == 404
    assert not get_user_model().objects.filter(email="new.juror@example.org").exists()


def test_address_already_invited_or_on_the_jury_is_refused_and_nothing_is_sent(coordinator):
    competition = make_round(phase="open")
    invite(competition, coordinator, now=timezone.now() - timedelta(days=30))
    make_juror(competition, UserFactory(email="on.jury@example.org"))
    mail.outbox.clear()

    for email, message in [
        ("New.Juror@example.org", "has been invited to this round's jury already"),
        ("on.jury@example.org", "is already on this round's jury."),
        ("not-an-address", "Enter a valid e-mail address."),
    ]:
        with pytest.raises(services.FieldErrors) as refused:
            invite(competition, coordinator, email=email)
        assert message in refused.value.errors["email"]

    assert JurorInvitation.objects.count() == 1
    assert mail.outbox == []


# --- who may use an invitation: truth tables ------------------------------------------------------

HOLDERS = ["anonymous", "holder", "other_account"]
STATES = ["waiting", "expired", "cancelled", "accepted"]


@pytest.fixture
def invitation_case(coordinator):
    def build(who: str, state: str, *, account_exists: bool):
        competition = make_round(phase="open")
        now = timezone.now()
        invitation = invite(
            competition, coordinator, now=now - timedelta(days=20 if state == "expired" else 0)
        ).invitation
        if state == "cancelled":
            invitation.cancelled_at = now
        if state == "accepted":
            invitation.accepted_at = now
        holder = None
        if account_exists or who == "holder":
            holder = UserFactory(email="new.juror@example.org")
        user = {
            "anonymous": AnonymousUser(),
            "holder": holder,
            "other_account": UserFactory(email="other@example.org"),
        }[who]
        return user, invitation

    return build


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [(w, s, w == "holder" and s == "waiting") for w in HOLDERS for s in STATES],
)
def test_can_join_by_invitation(invitation_case, who, state, expected):
    user, invitation = invitation_case(who, state, account_exists=True)
    assert permissions.can_join_by_invitation(user, invitation) is expected


@pytest.mark.parametrize(
    ("who", "state", "account_exists", "expected"),
    [
        (w, s, exists, w == "anonymous" and s == "waiting" and not exists)
        for w in ("anonymous", "other_account")
        for s in STATES
        for exists in (False, True)
    ],
)
def test_can_sign_up_by_invitation(invitation_case, who, state, account_exists, expected):
    user, invitation = invitation_case(who, state, account_exists=account_exists)
    assert permissions.can_sign_up_by_invitation(user, invitation) is expected


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", False), ("holder", True), ("other_account", False)]
)
def test_holds_invited_address(invitation_case, who, expected):
    user, invitation = invitation_case(who, "waiting", account_exists=False)
    assert permissions.holds_invited_address(user, invitation) is expected
