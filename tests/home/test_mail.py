"""Every e-mail the site sends, as it arrives: subjects and bodies as typed (no HTML escaping),
in the recipient's language, with links to the site's public address."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from wagtail.models import Locale, Site

from home.addresses import set_site_address
from home.models import SiteSettings
from ideas import notifications, services
from ideas.models import IdeaStatus, Profile
from judging import notifications as judging_notifications
from judging.models import JurorNotice
from tests.factories import (
    UserFactory,
    make_idea,
    make_innovation,
    make_juror,
    make_round,
    make_team,
)

pytestmark = pytest.mark.django_db

TYPED = "Nurses & <psychologists> 'together'"
ESCAPES = ("&amp;", "&lt;", "&gt;", "&#x27;", "&#39;", "&quot;")


@pytest.fixture(autouse=True)
def public_address():
    set_site_address("https://ideas.example.org")


def assert_as_typed(message, *, subject_part: str = TYPED) -> None:
    assert subject_part in message.subject, message.subject
    assert "\n" not in message.subject
    for escape in ESCAPES:
        assert escape not in message.subject, message.subject
        assert escape not in message.body, message.body


def test_invitation_subject_and_body_as_typed_with_the_public_link():
    lead = UserFactory()
    team = make_team(lead=lead, name=TYPED)
    _invitation, token = services.invite_member(team=team, email="psy@example.org", by=lead)

    assert len(mail.outbox) == 1
    assert_as_typed(mail.outbox[0])
    assert TYPED in mail.outbox[0].body
    assert f"https://ideas.example.org/en/invitations/{token}/" in mail.outbox[0].body


def test_receipt_and_withdrawal_subjects_as_typed():
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead), title=TYPED, problem=TYPED)
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    services.set_idea_status(idea=idea, status=IdeaStatus.WITHDRAWN, by=lead)

    receipt, withdrawal = mail.outbox
    assert receipt.subject == f"Received: {TYPED}"
    assert withdrawal.subject == f"Withdrawn: {TYPED}"
    assert_as_typed(receipt)
    assert_as_typed(withdrawal)
    assert TYPED in receipt.body


def test_deadline_reminder_body_names_the_team_as_typed():
    lead = UserFactory()
    competition = make_round(phase="open")
    competition.closes_at = timezone.now() + timedelta(hours=20)
    competition.save()
    make_idea(team=make_team(lead=lead, name=TYPED), competition=competition, title=TYPED)

    assert notifications.send_deadline_reminders() == 1

    assert_as_typed(mail.outbox[0], subject_part="Two days left")
    assert TYPED in mail.outbox[0].body


def test_outcome_reminder_subject_as_typed_linking_the_public_admin_address(coordinator):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    competition = make_round(phase="results")
    page = make_innovation(competition, title=TYPED)

    sent = notifications.send_outcome_reminders(
        now=competition.results_published_at + timedelta(days=200)
    )

    assert sent == 1
    assert_as_typed(mail.outbox[0])
    assert f"https://ideas.example.org/admin/pages/{page.pk}/edit/" in mail.outbox[0].body


def test_juror_notice_in_the_jurors_language_with_the_round_title_there():
    competition = make_round(phase="judging", title=TYPED)
    finnish = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.title = "Hoitajat & <psykologit> 'yhdessä'"
    finnish.save_revision().publish()
    juror = make_juror(competition)
    Profile.objects.create(user=juror, language="fi")

    judging_notifications.juror_notice(
        notice=JurorNotice.objects.create(
            competition=competition, user=juror, kind=JurorNotice.JUDGING_OPEN
        )
    )

    message = mail.outbox[0]
    assert message.subject == "Arviointi on alkanut: Hoitajat & <psykologit> 'yhdessä'"
    assert_as_typed(message, subject_part="Hoitajat & <psykologit> 'yhdessä'")
    assert f"https://ideas.example.org/fi/jury/{competition.pk}/" in message.body
    assert TYPED not in message.body


@pytest.mark.parametrize(
    ("language", "greeting", "about"),
    [
        ("en", "Hello,", "is where the service centre's units propose new ways"),
        ("fi", "Hei,", None),
        ("sv", "Hej,", None),
    ],
)
def test_sign_up_confirmation_says_what_the_site_is_in_the_readers_language(
    client, language, greeting, about
):
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.organisation_name_en = TYPED
    site_settings.organisation_name_fi = "Palvelukeskus & <ideat> 'yhdessä'"
    site_settings.organisation_name_sv = "Servicecenter & <idéer> 'tillsammans'"
    site_settings.save()
    names = {"en": TYPED, "fi": site_settings.organisation_name_fi}
    names["sv"] = site_settings.organisation_name_sv

    client.post(
        f"/{language}/accounts/signup/",
        {
            "email": "new.person@example.org",
            "password1": "a-long-and-unusual-password-42",
            "password2": "a-long-and-unusual-password-42",
        },
    )

    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert message.subject.startswith(f"{names[language]}: ")
    assert_as_typed(message, subject_part=names[language])
    assert message.body.startswith(greeting)
    assert f"https://ideas.example.org/{language}/accounts/confirm-email/" in message.body
    assert "127.0.0.1" not in message.body and "testserver" not in message.body
    assert "Hello from" not in message.body
    if about:
        assert about in message.body
    with translation.override(language):
        assert names[language] in message.body
