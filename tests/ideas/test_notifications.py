import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from ideas import notifications, services
from ideas.models import IdeaStatus, Profile
from tests.factories import UserFactory, make_idea, make_round, make_team

pytestmark = pytest.mark.django_db


def closing_in(hours: float):
    competition = make_round(phase="open")
    competition.closes_at = timezone.now() + timedelta(hours=hours)
    competition.save()
    return competition


def test_deadline_reminder_goes_once_to_teams_with_drafts():
    lead, member = UserFactory(), UserFactory()
    soon = closing_in(hours=40)
    make_idea(team=make_team(lead=lead, members=[member]), competition=soon, title="Unsent draft")
    make_idea(team=make_team(), competition=soon, status=IdeaStatus.SUBMITTED)
    make_idea(team=make_team(), competition=closing_in(hours=60))

    first = notifications.send_deadline_reminders()
    call_command("send_deadline_reminders", stdout=io.StringIO())
    second = notifications.send_deadline_reminders()

    assert (first, second) == (1, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([lead.email, member.email])
    assert "Unsent draft" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Two days left to submit your idea"


def test_receipt_reaches_each_member_in_their_language_with_the_text_as_text():
    finnish, english = UserFactory(), UserFactory()
    Profile.objects.create(user=finnish, language="fi")
    idea = make_idea(
        team=make_team(lead=finnish, members=[english]),
        title="Psychologist within reach",
        problem="Parents <b>wait</b> & worry",
    )
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=finnish)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient[finnish.email].subject == "Vastaanotettu: Psychologist within reach"
    assert "Ongelma nyt" in by_recipient[finnish.email].body
    assert by_recipient[english.email].subject == "Received: Psychologist within reach"
    assert "Parents <b>wait</b> & worry" in by_recipient[english.email].body
    assert "&lt;" not in by_recipient[english.email].body


def test_invitation_is_sent_in_the_leads_language():
    lead = UserFactory()
    team = make_team(lead=lead, name="Neuvola")

    with translation.override("sv"):
        _invitation, token = services.invite_member(team=team, email="psy@example.org", by=lead)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["psy@example.org"]
    assert mail.outbox[0].subject == "Gå med i teamet Neuvola på Ideatori"
    assert f"/sv/invitations/{token}/" in mail.outbox[0].body


def test_invitation_reaches_a_person_with_an_account_in_their_own_language():
    lead, finnish = UserFactory(), UserFactory(email="psy@example.org")
    Profile.objects.create(user=finnish, language="fi")
    team = make_team(lead=lead, name="Neuvola")

    with translation.override("sv"):
        services.invite_member(team=team, email="PSY@example.org", by=lead)

    assert mail.outbox[0].subject == "Liity tiimiin Neuvola Ideatorissa"
