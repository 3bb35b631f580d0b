"""The coordinator's jury screen and person chooser in the admin, and the round editor's jury
rows: allowed for coordinators, denied to everyone else, bad input refused on the field."""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset

from ideas.models import Profile
from judging import permissions, services
from judging.models import JurorInvitation, JuryMember
from tests.factories import UserFactory, make_idea, make_juror, make_round
from tests.ideas.test_competition_page import round_form_data

pytestmark = pytest.mark.django_db


def jury_url(competition, name="round", *args) -> str:
    return reverse(f"jury:{name}", args=[competition.pk, *args])


def person(name: str, email: str):
    user = UserFactory(email=email)
    Profile.objects.create(user=user, name=name)
    return user


def invite_data(**fields) -> dict:
    return {
        "action": "invite",
        "invite-name": "Nina Newcomer",
        "invite-email": "nina@example.org",
        "invite-language": "en",
        "invite-role": "member",
    } | {f"invite-{key}": value for key, value in fields.items()}


def pending_invitation(competition, coordinator, email="secret.invitee@example.org"):
    return services.add_juror_by_email(
        competition=competition, name="Sam Secret", email=email, language="en", by=coordinator
    ).invitation


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", True),
        ("superuser", True),
        ("editor", False),
        ("juror", False),
        ("team_member", False),
        ("anonymous", False),
    ],
)
def test_can_manage_jury(coordinator, who, expected):
    from django.contrib.auth.models import AnonymousUser, Group

    competition = make_round(phase="open")
    users = {
        "coordinator": lambda: coordinator,
        "superuser": lambda: UserFactory(is_superuser=True),
        "editor": lambda: Group.objects.get(name="Editors").user_set.create(username="ed"),
        "juror": lambda: make_juror(competition),
        "team_member": lambda: make_idea(competition=competition).team.memberships.get().user,
        "anonymous": AnonymousUser,
    }
    assert permissions.can_manage_jury(users[who]()) is expected


# --- allowed ------------------------------------------------------------------------------------


def test_jury_screen_lists_jurors_and_waiting_invitations(client, coordinator):
    competition = make_round(phase="open")
    make_juror(competition, person("Anna Virtanen", "anna@example.org"), role="chair")
    pending_invitation(competition, coordinator)
    client.force_login(coordinator)

    html = client.get(jury_url(competition)).content.decode()

    assert "Anna Virtanen" in html and "anna@example.org" in html and "Chair" in html
    assert "secret.invitee@example.org" in html and "Sam Secret" in html
    assert jury_url(competition, "resend", JurorInvitation.objects.get().pk) in html


def test_jury_screen_names_an_erased_juror_a_former_juror(client, coordinator):
    from home.former_people import make_former_person

    competition = make_round(phase="judging")
    former = make_former_person()
    make_juror(competition, former)
    client.force_login(coordinator)

    html = client.get(jury_url(competition)).content.decode()

    assert "Former juror" in html
    assert former.get_username() not in html


def test_judging_dashboard_and_page_listing_link_to_the_jury_screen(client, coordinator):
    competition = make_round(phase="open")
    client.force_login(coordinator)

    dashboard = client.get(reverse("judging_admin:dashboard", args=[competition.pk])).text
    listing = client.get(reverse("wagtailadmin_explore", args=[competition.get_parent().pk])).text

    assert jury_url(competition) in dashboard
    assert jury_url(competition) in listing


def test_coordinator_adds_a_chosen_person(client, coordinator):
    competition = make_round(phase="open")
    anna = person("Anna Virtanen", "anna@example.org")
    client.force_login(coordinator)

    response = client.post(
        jury_url(competition), {"action": "choose", "choose-user": anna.pk, "choose-role": "chair"}
    )

    assert response.status_code == 302
    assert JuryMember.objects.get(competition=competition, user=anna).role == "chair"
    assert "Anna Virtanen is on the jury now." in client.get(jury_url(competition)).text


def test_coordinator_adds_an_account_by_email_and_invites_a_new_person(client, coordinator):
    competition = make_round(phase="open")
    anna = person("Anna Virtanen", "anna@example.org")
    client.force_login(coordinator)

    client.post(jury_url(competition), invite_data(email="ANNA@example.org"))
    joined = client.get(jury_url(competition)).text
    client.post(jury_url(competition), invite_data(language="fi"))
    invited = client.get(jury_url(competition)).text

    assert JuryMember.objects.filter(competition=competition, user=anna).exists()
    assert "Anna Virtanen is on the jury now" in joined
    invitation = JurorInvitation.objects.get()
    assert (invitation.email, invitation.language) == ("nina@example.org", "fi")
    assert "The invitation is sent to nina@example.org." in invited
    assert "nina@example.org" in invited.split("Invitations waiting for an answer")[1]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address."),
        ("anna@example.org", "Anna Virtanen is already on this round&#x27;s jury."),
        ("waiting@example.org", "has been invited to this round&#x27;s jury already"),
    ],
)
def test_bad_juror_email_is_refused_on_the_field_nothing_sent_values_kept(
    client, coordinator, django_capture_on_commit_callbacks, email, message
):
    competition = make_round(phase="open")
    make_juror(competition, person("Anna Virtanen", "anna@example.org"))
    pending_invitation(competition, coordinator, email="waiting@example.org")
    mail.outbox.clear()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            jury_url(competition), invite_data(email=email, name="Typed Name", language="sv")
        )

    html = response.text
    assert response.status_code == 400
    assert message in html
    assert 'value="Typed Name"' in html and f'value="{email}"' in html
    assert '<option value="sv" selected>' in html
    assert JurorInvitation.objects.count() == 1
    assert JuryMember.objects.filter(competition=competition).count() == 1
    assert mail.outbox == []


def test_chosen_person_already_on_the_jury_is_refused_on_the_field(client, coordinator):
    competition = make_round(phase="open")
    anna = make_juror(competition, person("Anna Virtanen", "anna@example.org"))
    client.force_login(coordinator)

    response = client.post(
        jury_url(competition), {"action": "choose", "choose-user": anna.pk, "choose-role": "member"}
    )

    assert response.status_code == 400
    assert "Anna Virtanen is already on this round&#x27;s jury." in response.text
    assert JuryMember.objects.filter(user=anna).count() == 1


def test_coordinator_sends_again_and_cancels_from_the_screen(
    client, coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="open")
    invitation = pending_invitation(competition, coordinator)
    old_hash = invitation.token_hash
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(jury_url(competition, "resend", invitation.pk))
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert mail.outbox[-1].to == ["secret.invitee@example.org"]

    client.post(jury_url(competition, "cancel", invitation.pk))
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    html = client.get(jury_url(competition)).text
    assert "is cancelled; its link no longer works" in html
    assert "No invitation is waiting for an answer." in html


def test_waiting_invitations_listed_with_the_same_number_of_queries_for_1_and_10(
    client, coordinator, count_queries
):
    client.force_login(coordinator)
    counts = []
    for n in (1, 10):
        competition = make_round(phase="open")
        for i in range(n):
            pending_invitation(competition, coordinator, email=f"person{i}@example.org")
        client.get(jury_url(competition))
        counts.append(count_queries(lambda c=competition: client.get(jury_url(c))))
        assert client.get(jury_url(competition)).text.count("Send again to") == n
    assert counts[0] == counts[1]


# --- denied -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["team_member", "juror"])
def test_jury_screens_are_denied_to_team_members_and_jurors(client, coordinator, who):
    competition = make_round(phase="open")
    juror = make_juror(competition, person("Anna Virtanen", "anna.juror@example.org"))
    idea = make_idea(competition=competition)
    invitation = pending_invitation(competition, coordinator)
    outsider = person("Olli Outsider", "olli@example.org")
    mail.outbox.clear()
    user = juror if who == "juror" else idea.team.memberships.get().user
    client.force_login(user)

    responses = [
        client.get(jury_url(competition)),
        client.post(jury_url(competition), invite_data(email="intruder@example.org")),
        client.post(jury_url(competition), {"action": "choose", "choose-user": outsider.pk}),
        client.post(jury_url(competition, "resend", invitation.pk)),
        client.post(jury_url(competition, "cancel", invitation.pk)),
    ]

    for response in responses:
        assert response.status_code in (302, 403)
        html = response.content.decode()
        assert "secret.invitee@example.org" not in html and "anna.juror@example.org" not in html
    assert list(JuryMember.objects.values_list("user_id", flat=True)) == [juror.pk]
    assert list(JurorInvitation.objects.all()) == [invitation]
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert mail.outbox == []


def test_jury_screen_of_a_translation_is_not_found(client, coordinator):
    competition = make_round(phase="open")
    finnish = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    client.force_login(coordinator)

    response = client.get(reverse("jury:round", args=[finnish.pk]), follow=True)

    assert response.status_code == 404
    assert client.get(jury_url(competition)).status_code == 200


# --- the person chooser ---------------------------------------------------------------------------


def chooser_results(client, query=None):
    url = reverse("user_chooser:choose_results")
    return client.get(url, {"q": query} if query is not None else {})


def test_chooser_finds_people_by_name_and_by_email_and_lists_nobody_unasked(client, coordinator):
    person("Anna Virtanen", "anna.v@example.org")
    person("Bertil Lindqvist", "bertil@example.org")
    client.force_login(coordinator)

    by_name = chooser_results(client, "virtan").text
    by_email = chooser_results(client, "BERTIL@example").text
    unasked = chooser_results(client).text
    modal = client.get(reverse("user_chooser:choose")).json()["html"]

    assert "Anna Virtanen" in by_name and "Bertil" not in by_name
    assert "Bertil Lindqvist" in by_email and "Anna" not in by_email
    for listing in (unasked, modal):
        assert "anna.v@example.org" not in listing and "bertil@example.org" not in listing
    assert 'name="q"' in modal


def test_chosen_person_is_named_with_their_email(client, coordinator):
    anna = person("Anna Virtanen", "anna.v@example.org")
    client.force_login(coordinator)

    chosen = client.get(reverse("user_chooser:chosen", args=[anna.pk])).json()

    assert chosen["result"]["title"] == "Anna Virtanen <anna.v@example.org>"


@pytest.mark.parametrize("who", ["team_member", "juror"])
def test_chooser_is_denied_to_non_coordinators(client, who):
    competition = make_round(phase="open")
    juror = make_juror(competition)
    anna = person("Anna Virtanen", "anna.v@example.org")
    user = (
        juror if who == "juror" else make_idea(competition=competition).team.memberships.get().user
    )
    client.force_login(user)

    for response in (
        chooser_results(client, "Virtanen"),
        client.get(reverse("user_chooser:choose"), {"q": "Virtanen"}),
        client.get(reverse("user_chooser:chosen", args=[anna.pk])),
    ):
        assert response.status_code in (302, 403)
        assert "anna.v@example.org" not in response.content.decode()


def test_chooser_is_denied_to_an_editor_who_is_not_a_coordinator(client):
    from django.contrib.auth.models import Group

    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    person("Anna Virtanen", "anna.v@example.org")
    client.force_login(editor)

    response = chooser_results(client, "Virtanen")

    assert response.status_code in (302, 403)
    assert "anna.v@example.org" not in response.content.decode()


# --- the round editor's jury rows -------------------------------------------------------------


def test_round_editor_chooses_jurors_by_search_and_links_to_the_jury_screen(client, coordinator):
    competition = make_round(phase="open")
    make_juror(competition, person("Anna Virtanen", "anna.v@example.org"))
    competition.get_latest_revision_as_object().save_revision(user=coordinator).publish()
    person("Olli Outsider", "olli.outsider@example.org")
    client.force_login(coordinator)

    html = client.get(reverse("wagtailadmin_pages:edit", args=[competition.pk])).text

    assert "Anna Virtanen &lt;anna.v@example.org&gt;" in html
    assert "olli.outsider@example.org" not in html  # no list of every account
    assert reverse("user_chooser:choose") in html
    assert jury_url(competition) in html


def test_round_editor_names_a_juror_chosen_twice_in_a_sentence(client, coordinator):
    competition = make_round(phase="open", criteria=1)
    anna = person("Anna Virtanen", "anna.v@example.org")
    client.force_login(coordinator)
    row = {"user": str(anna.pk), "role": "member"}
    criterion = competition.criteria.get()
    data = round_form_data(
        title=competition.title,
        slug=competition.slug,
        criteria=inline_formset(
            [
                {
                    "id": str(criterion.pk),
                    "name": criterion.name,
                    "description": "",
                    "lowest_means": "",
                    "highest_means": "",
                    "weight": "1",
                    "scale_min": "1",
                    "scale_max": "5",
                }
            ],
            initial=1,
        ),
        jury_members=inline_formset([row, row | {"role": "chair"}]),
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=[competition.pk]), data)

    html = response.text
    assert "Anna Virtanen is already on this round&#x27;s jury." in html
    assert "duplicate data" not in html
    assert not JuryMember.objects.exists()


def test_jury_screen_of_a_two_stage_round_shows_who_is_in_the_final_jury(client, coordinator):
    from datetime import timedelta

    from ideas.models import CompetitionPage

    competition = make_round(phase="judging")
    make_juror(competition, person("Anna Virtanen", "anna@example.org"))
    make_juror(competition, person("Bo Ek", "bo@example.org"))
    JuryMember.objects.filter(user__email="bo@example.org").update(final_jury=False)
    client.force_login(coordinator)

    # One stage: nobody is told of a final jury.
    assert "In the final jury" not in client.get(jury_url(competition)).content.decode()
    CompetitionPage.objects.filter(pk=competition.pk).update(
        screening_closes_at=competition.closes_at + timedelta(days=15)
    )
    html = client.get(jury_url(competition)).content.decode()

    assert "In the final jury" in html
    rows = {name: row for row in html.split("<tr>") for name in ("Anna", "Bo") if name in row}
    assert "<td>Yes</td>" in rows["Anna"] and "<td>No</td>" in rows["Bo"]
    assert "is chosen on each juror" in html
