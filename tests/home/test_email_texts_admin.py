"""The e-mail texts in the admin: coordinators only, the placeholders listed, bad input refused
on the field with the typed text kept, a preview with sample values in the text's language."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError

from home.email_texts import check_text, kinds
from home.models import EmailText
from home.permissions import can_edit_email_texts
from ideas.permissions import is_coordinator
from tests.factories import UserFactory, make_juror, make_round, make_team

pytestmark = pytest.mark.django_db

INDEX = "/admin/snippets/home/emailtext/"
ADD = f"{INDEX}add/"
PREVIEW = f"{INDEX}preview/"


def form(**fields) -> dict:
    return {
        "kind": "receipt",
        "language": "fi",
        "subject": "Idea saapui: {title}",
        "body": "Tiimi {team} jätti idean.\n\n{text}",
    } | fields


def seeded(**fields) -> EmailText:
    return EmailText.objects.create(
        **{
            "kind": "withdrawn",
            "language": "fi",
            "subject": "Seeded subject {title}",
            "body": "Seeded body of the text",
        }
        | fields
    )


# --- who may -----------------------------------------------------------------------------------


def person(who: str):
    if who == "anonymous":
        return AnonymousUser()
    if who == "superuser":
        return UserFactory(is_superuser=True)
    user = UserFactory()
    if who == "coordinator":
        user.groups.add(Group.objects.get(name="Coordinators"))
    elif who == "team member":
        make_team(lead=user)
    elif who == "juror":
        make_juror(make_round(), user)
    return user


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("signed-in user", False),
        ("team member", False),
        ("juror", False),
        ("coordinator", True),
        ("superuser", True),
    ],
)
def test_who_may_edit_email_texts(who, allowed):
    user = person(who)

    assert can_edit_email_texts(user) is allowed
    # The shell may not import ideas' rule; it must answer as ideas does.
    assert can_edit_email_texts(user) is is_coordinator(user)


def test_coordinator_lists_filters_and_edits_the_texts(client, coordinator):
    text = seeded()
    seeded(kind="invitation", subject="Join {team}", body="{link}")
    client.force_login(coordinator)

    listing = client.get(INDEX).content.decode()
    invitations = client.get(INDEX, {"kind": "invitation"}).content.decode()
    edit = client.get(f"{INDEX}edit/{text.pk}/").content.decode()

    assert "Seeded subject {title}" in listing and "Join {team}" in listing
    assert "Withdrawal notice, to the team" in listing
    assert "Join {team}" in invitations and "Seeded subject" not in invitations
    assert "Seeded body of the text" in edit


@pytest.mark.parametrize("who", ["team member", "juror", "anonymous"])
def test_the_texts_are_closed_to_others(client, who):
    text = seeded()
    user = person(who)
    if who != "anonymous":
        client.force_login(user)

    for url in (INDEX, f"{INDEX}edit/{text.pk}/", ADD):
        response = client.get(url)

        assert response.status_code in {302, 403}, url
        assert "Seeded" not in response.content.decode()
    response = client.post(ADD, form())
    assert response.status_code in {302, 403}
    assert EmailText.objects.count() == 1


def test_listing_query_count_is_the_same_for_1_and_10_texts(client, coordinator, count_queries):
    seeded(kind="receipt", subject="{title}", body="x")
    client.force_login(coordinator)
    client.get(INDEX)
    with_one = count_queries(lambda: client.get(INDEX))
    for key in list(kinds())[1:6]:
        seeded(kind=key, language="fi", subject="Subject", body="x")
    for key in list(kinds())[:4]:
        seeded(kind=key, language="sv", subject="Subject", body="x")
    assert EmailText.objects.count() == 10

    with_ten = count_queries(lambda: client.get(INDEX))

    assert with_one == with_ten


# --- the form ----------------------------------------------------------------------------------


def test_coordinator_writes_a_text_that_is_then_kept(client, coordinator):
    client.force_login(coordinator)

    response = client.post(ADD, form(body="Tiimi {team}\r\n\r\n{text}"))

    assert response.status_code == 302
    text = EmailText.objects.get()
    assert (text.kind, text.language, text.subject) == ("receipt", "fi", "Idea saapui: {title}")
    assert text.body == "Tiimi {team}\n\n{text}"


def test_the_form_lists_the_placeholders_of_the_email(client, coordinator):
    text = seeded(kind="invitation", subject="Join {team}", body="{link}")
    client.force_login(coordinator)

    on_add = client.get(ADD).content.decode()
    on_edit = client.get(f"{INDEX}edit/{text.pk}/").content.decode()

    for token in ("{title}", "{team}", "{deadline}", "{text}", "{link}", "{assigned}"):
        assert token in on_add
    assert "the link to accept or decline" in on_edit
    assert "{invited_by}" in on_edit
    assert "{deadline}" not in on_edit


@pytest.mark.parametrize("field", ["subject", "body"])
def test_unknown_placeholder_is_refused_on_the_field_naming_it_and_the_text_kept(
    client, coordinator, field
):
    client.force_login(coordinator)
    typed = "Hei {team}, katso {titel} ja {link}"

    response = client.post(ADD, form(**{field: typed}))

    page = response.content.decode()
    assert response.status_code == 200
    assert EmailText.objects.count() == 0
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert "{titel}" in errors[field][0] and "{link}" in errors[field][0]
    assert "{title}, {team}, {competition}, {text}, {deadline}" in errors[field][0]
    assert "Hei {team}, katso {titel} ja {link}" in page


@pytest.mark.parametrize("field", ["subject", "body"])
@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_subject_or_body_is_refused_on_the_field(client, coordinator, field, empty):
    client.force_login(coordinator)

    response = client.post(ADD, form(**{field: empty}))

    assert EmailText.objects.count() == 0
    assert list(response.context["form"].errors) == [field]
    other = "body" if field == "subject" else "subject"
    assert form()[other].split("\n")[0] in response.content.decode()


def test_a_second_text_for_the_same_email_and_language_is_refused(client, coordinator):
    seeded(kind="receipt", language="fi")
    client.force_login(coordinator)

    response = client.post(ADD, form())

    assert EmailText.objects.count() == 1
    assert "already has a text in this language" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Received: {title}", False),
        ("Received: { title }", False),
        ("No placeholder at all", False),
        ("{Title}", True),
        ("{{ title }}", True),
        ("{title", True),
        ("title}", True),
        ("{}", True),
        ("{idea.team.name}", True),
        ("{% load i18n %}", True),
    ],
)
def test_placeholder_syntax(text, refused):
    receipt = kinds()["receipt"]
    if refused:
        with pytest.raises(ValidationError):
            check_text(text, receipt)
    else:
        check_text(text, receipt)


# --- the preview -------------------------------------------------------------------------------


def test_preview_fills_sample_values_in_the_texts_language(client, coordinator):
    client.force_login(coordinator)
    data = form(
        language="fi",
        subject="Saapui: {title}",
        body="Viimeistään {deadline}\n{text}",
    )

    checked = client.post(PREVIEW, data).json()
    page = client.get(PREVIEW).content.decode()

    assert checked["is_valid"] is True
    assert "Saapui: Psykologi lähellä" in page
    assert "Viimeistään 31. maaliskuuta 2026 kello 16.00 (Helsingin aikaa)" in page
    assert "Tiivistelmä" in page
    assert EmailText.objects.count() == 0


def test_preview_of_a_text_with_an_unknown_placeholder_is_refused(client, coordinator):
    client.force_login(coordinator)

    checked = client.post(PREVIEW, form(body="{titel}")).json()

    assert checked["is_valid"] is False


def test_preview_is_closed_to_a_team_member(client):
    client.force_login(person("team member"))

    response = client.post(PREVIEW, form())

    assert response.status_code in {302, 403}
    assert "Saapui" not in response.content.decode()
