"""Coordinators' texts of the automatic e-mails: sent instead of the built-in text in the
recipient's language, the built-in text where a language has none; placeholders filled from
the real e-mail, as typed, and refused when the e-mail does not offer them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Locale

from home.addresses import set_site_address
from home.email_texts import check_text, kinds
from home.models import EmailText
from ideas import notifications, services
from ideas.models import IdeaStatus, Profile
from judging import notifications as judging_notifications
from judging import services as judging_services
from judging.models import JurorNotice
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_innovation,
    make_juror,
    make_round,
    make_team,
)

pytestmark = pytest.mark.django_db

TYPED = "Nurses & <psychologists> 'together'"


@pytest.fixture(autouse=True)
def public_address():
    set_site_address("https://ideas.example.org")


def speaking(language: str):
    user = UserFactory()
    Profile.objects.create(user=user, language=language)
    return user


def by_recipient() -> dict:
    return {message.to[0]: message for message in mail.outbox}


def test_edited_receipt_goes_to_the_finnish_member_and_the_built_in_one_to_the_swedish():
    EmailText.objects.create(
        kind="receipt",
        language="fi",
        subject="Idea saapui: {title}",
        body="Tiimi {team} jätti idean kilpailuun.\n\n{text}\n\nMuutokset viimeistään {deadline}.",
    )
    finnish, swedish = speaking("fi"), speaking("sv")
    idea = make_idea(
        team=make_team(lead=finnish, members=[swedish], name=TYPED),
        title=TYPED,
        problem="Parents <b>wait</b> & worry",
    )

    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=finnish)

    received = by_recipient()
    assert received[finnish.email].subject == f"Idea saapui: {TYPED}"
    assert received[finnish.email].body.startswith(f"Tiimi {TYPED} jätti idean kilpailuun.")
    assert "Ongelma nyt\nParents <b>wait</b> & worry" in received[finnish.email].body
    assert "(Helsingin aikaa)" in received[finnish.email].body
    assert received[swedish.email].subject == f"Mottagen: {TYPED}"
    assert "Tiimi" not in received[swedish.email].body


def test_receipt_of_a_change_uses_the_text_written_for_changes():
    EmailText.objects.create(
        kind="receipt", language="en", subject="First: {title}", body="Arrived."
    )
    EmailText.objects.create(
        kind="receipt_changed",
        language="en",
        subject="Changed by {changed_by}: {title}",
        body="{changed_by} changed it.",
    )
    lead = UserFactory()
    Profile.objects.create(user=lead, name="Maija", language="en")
    idea = make_idea(team=make_team(lead=lead), title="Psychologist within reach")
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    idea.refresh_from_db()

    services.save_idea(
        idea=idea,
        text={**idea.text(), "summary": "Now the same day."},
        base_version=idea.version,
        by=lead,
    )

    first, change = mail.outbox
    assert first.subject == "First: Psychologist within reach"
    assert change.subject == "Changed by Maija: Psychologist within reach"
    assert change.body == "Maija changed it."


def test_values_are_put_in_as_typed_and_never_read_as_placeholders():
    EmailText.objects.create(
        kind="withdrawn", language="en", subject="Out: {title}", body="{ title } by {team}."
    )
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead, name="{link} & co"), title="{team} <b>&</b>")
    services.set_idea_status(idea=idea, status=IdeaStatus.WITHDRAWN, by=lead)

    message = mail.outbox[0]
    assert message.subject == "Out: {team} <b>&</b>"
    assert message.body == "{team} <b>&</b> by {link} & co."


def test_subject_stays_one_line_when_a_value_has_several():
    EmailText.objects.create(
        kind="reminder", language="en", subject="Still drafts: {ideas}", body="{ideas}"
    )
    competition = make_round(phase="open")
    competition.closes_at = timezone.now() + timedelta(hours=20)
    competition.save()
    team = make_team()
    make_idea(team=team, competition=competition, title="First")
    make_idea(team=team, competition=competition, title="")

    notifications.send_deadline_reminders()

    message = mail.outbox[0]
    assert message.subject.startswith("Still drafts: - ")
    titles = message.subject.removeprefix("Still drafts: - ").split(" - ")
    assert sorted(titles) == ["First", "Untitled idea"]
    assert sorted(message.body.split("\n")) == ["- First", "- Untitled idea"]


def test_text_its_email_no_longer_accepts_falls_back_to_the_built_in_text():
    # Written before the e-mail stopped offering {gone}: saved without the form's checks.
    EmailText.objects.create(kind="withdrawn", language="en", subject="Out: {gone}", body="x")
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead), title="Reading corner")

    services.set_idea_status(idea=idea, status=IdeaStatus.WITHDRAWN, by=lead)

    assert mail.outbox[0].subject == "Withdrawn: Reading corner"


def test_juror_notice_uses_the_edited_text_in_the_jurors_language_only():
    competition = make_round(phase="judging", title="Round 2026")
    finnish_page = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish_page.title = "Kierros 2026"
    finnish_page.save_revision().publish()
    EmailText.objects.create(
        kind="judging_open",
        language="fi",
        subject="Arvioi nyt: {competition}",
        body="Sinulla on {assigned} arvioitavaa. Linkki: {link}",
    )
    finnish = make_juror(competition, speaking("fi"))
    english = make_juror(competition)
    make_assignment(finnish, make_idea(competition=competition, status=IdeaStatus.SUBMITTED))

    for juror in (finnish, english):
        judging_notifications.juror_notice(
            notice=JurorNotice.objects.create(
                competition=competition, user=juror, kind=JurorNotice.JUDGING_OPEN
            )
        )

    received = by_recipient()
    assert received[finnish.email].subject == "Arvioi nyt: Kierros 2026"
    assert received[finnish.email].body == (
        f"Sinulla on 1 arvioitavaa. Linkki: https://ideas.example.org/fi/jury/{competition.pk}/"
    )
    assert received[english.email].subject == "Judging has opened: Round 2026"


def test_jury_notices_offer_nothing_that_names_a_team():
    for key in ("jury_set", "judging_open"):
        for name in ("team", "title", "text", "changed_by", "invited_by"):
            with pytest.raises(ValidationError):
                check_text(f"{{{name}}}", kinds()[key])


# --- every placeholder of every kind, filled from a real e-mail -------------------------------


def send_receipt():
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead, name="Clinic team"), title="Nurse and psy")
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    return ["Nurse and psy", "Clinic team", "Round", "Title\nNurse and psy", "(Helsinki time)"]


def send_receipt_changed():
    lead = UserFactory()
    Profile.objects.create(user=lead, name="Maija")
    idea = make_idea(team=make_team(lead=lead), title="Nurse and psy")
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    idea.refresh_from_db()
    mail.outbox.clear()
    text = {**idea.text(), "summary": "Changed."}
    services.save_idea(idea=idea, text=text, base_version=idea.version, by=lead)
    return ["Nurse and psy", "Summary\nChanged.", "Maija"]


def send_invitation():
    lead = UserFactory()
    Profile.objects.create(user=lead, name="Maija")
    team = make_team(lead=lead, name="Clinic team")
    _invitation, token = services.invite_member(team=team, email="psy@example.org", by=lead)
    return ["Clinic team", "Maija", f"https://ideas.example.org/en/invitations/{token}/"]


def send_reminder():
    competition = make_round(phase="open")
    competition.closes_at = timezone.now() + timedelta(hours=20)
    competition.save()
    make_idea(team=make_team(name="Clinic team"), competition=competition, title="Nurse")
    notifications.send_deadline_reminders()
    return ["Clinic team", "- Nurse", "(Helsinki time)"]


def send_withdrawn():
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead, name="Clinic team"), title="Nurse and psy")
    services.set_idea_status(idea=idea, status=IdeaStatus.WITHDRAWN, by=lead)
    return ["Nurse and psy", "Clinic team", "Round", "(Helsinki time)"]


def send_outcome_reminder():
    coordinator = UserFactory(is_superuser=True)
    competition = make_round(phase="results")
    page = make_innovation(competition, title="Psychologist within reach")
    notifications.send_outcome_reminders(now=competition.results_published_at + timedelta(days=200))
    assert mail.outbox[0].to == [coordinator.email]
    link = f"https://ideas.example.org/admin/pages/{page.pk}/edit/"
    return ["Psychologist within reach", "6", link]


def send_juror_notice(kind: str):
    def send():
        competition = make_round(phase="judging", title="Round 2026")
        juror = make_juror(competition)
        judging_notifications.juror_notice(
            notice=JurorNotice.objects.create(competition=competition, user=juror, kind=kind)
        )
        link = f"https://ideas.example.org/en/jury/{competition.pk}/"
        return ["Round 2026", link, "(Helsinki time)"]

    return send


def send_juror_reminder():
    competition = make_round(phase="judging", title="Round 2026")
    juror = make_juror(competition)
    make_assignment(juror, make_idea(competition=competition, status=IdeaStatus.SUBMITTED))
    competition.juror_reminder_days = 3
    competition.judging_closes_at = timezone.now() + timedelta(days=2)
    competition.save()
    assert judging_services.remind_jurors() == 1
    link = f"https://ideas.example.org/en/jury/{competition.pk}/"
    return ["Round 2026", "unfinished=[1]", link, "(Helsinki time)"]


def send_juror_invitation():
    inviter = UserFactory(is_superuser=True)
    Profile.objects.create(user=inviter, name="Liisa Laine")
    competition = make_round(phase="open", title="Round 2026")
    added = judging_services.add_juror_by_email(
        competition=competition,
        name="Nina Newcomer",
        email="Nina@Example.org",
        language="en",
        by=inviter,
    )
    link = f"https://ideas.example.org/en/jury/invitations/{added.token}/"
    return ["Round 2026", "Nina Newcomer", "nina@example.org", "Liisa Laine", "(Helsinki", link]


SENDERS = {
    "receipt": send_receipt,
    "receipt_changed": send_receipt_changed,
    "invitation": send_invitation,
    "reminder": send_reminder,
    "withdrawn": send_withdrawn,
    "outcome_reminder": send_outcome_reminder,
    "jury_set": send_juror_notice(JurorNotice.JURY_SET),
    "judging_open": send_juror_notice(JurorNotice.JUDGING_OPEN),
    "final_stage": send_juror_notice(JurorNotice.FINAL_STAGE),
    "juror_reminder": send_juror_reminder,
    "juror_invitation": send_juror_invitation,
}


def test_every_kind_of_email_has_a_test_that_sends_it():
    assert set(SENDERS) == set(kinds())


@pytest.mark.parametrize("key", sorted(SENDERS))
def test_every_placeholder_is_filled_from_the_real_email(key):
    kind = kinds()[key]
    body = "\n".join(f"{name}=[{{{name}}}]" for name in kind.names)
    EmailText.objects.create(kind=key, language="en", subject=f"Edited {key}", body=body)

    expected = SENDERS[key]()

    message = mail.outbox[0]
    assert message.subject == f"Edited {key}"
    assert "{" not in message.body
    assert "=[]" not in message.body, message.body
    for value in expected:
        assert value in message.body, message.body
