"""Outcome reminders 6 and 12 months after a round's results, at frozen moments: to the
coordinators only, once per innovation and milestone, by e-mail and on the admin dashboard."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from ideas.models import OutcomeReminder
from tests.factories import UserFactory, make_innovation, make_round

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=HELSINKI)


def update(day: date):
    return ("update", {"date": day, "heading": "Pilot news", "text": "<p>Going well.</p>"})


@pytest.fixture
def rounds():
    """A round whose results came out on 5 May 2025 with three innovations, and a later
    round (results 1 August 2025) with one."""
    spring = make_round(phase="results", results_published_at=at(2025, 5, 5, 12))
    later = make_round(phase="results", results_published_at=at(2025, 8, 1, 12))
    quiet = make_innovation(spring, title="Psychologist within reach")
    updated = make_innovation(
        spring, title="Evening library hours", updates=[update(date(2025, 11, 5))]
    )
    updated.save_revision().publish()
    draft = make_innovation(spring, title="Unpublished innovation")
    draft.unpublish()
    make_innovation(later, title="Bookable call times")
    return quiet, updated


@pytest.fixture
def people(coordinator):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    team_member = UserFactory()
    return coordinator, superuser, team_member


def reminders_at(moment: datetime) -> tuple[int, list]:
    mail.outbox.clear()
    with freeze_time(moment):
        out = io.StringIO()
        call_command("send_outcome_reminders", stdout=out)
    sent = int(out.getvalue().rsplit(":", 1)[1])
    return sent, [(message.to[0], message.subject) for message in mail.outbox]


def test_reminders_come_at_6_and_12_months_to_coordinators_only_and_never_twice(rounds, people):
    coordinator, superuser, team_member = people
    coordinators = sorted([coordinator.email, superuser.email])

    assert reminders_at(at(2025, 11, 4, 23, 59)) == (0, [])

    sent, messages = reminders_at(at(2025, 11, 5, 9))
    # "Evening library hours" has an update dated on the 6-month mark: nothing to remind.
    assert sent == 1
    assert sorted(to for to, _ in messages) == coordinators
    assert {subject for _, subject in messages} == {
        "Time for an outcome update: Psychologist within reach"
    }
    assert team_member.email not in [to for to, _ in messages]

    assert reminders_at(at(2025, 11, 5, 18)) == (0, [])
    sent, messages = reminders_at(at(2026, 2, 1, 9))  # the later round's 6 months
    assert (sent, {subject for _, subject in messages}) == (
        1,
        {"Time for an outcome update: Bookable call times"},
    )

    sent, messages = reminders_at(at(2026, 5, 5, 9))
    assert sent == 2  # both spring innovations at 12 months
    assert sorted(subject for to, subject in messages if to == coordinator.email) == [
        "Time for an outcome update: Evening library hours",
        "Time for an outcome update: Psychologist within reach",
    ]
    assert reminders_at(at(2026, 5, 6, 9)) == (0, [])
    assert reminders_at(at(2026, 8, 1, 9))[0] == 1  # the later round's 12 months
    assert reminders_at(at(2027, 8, 1, 9)) == (0, [])
    assert sorted(OutcomeReminder.objects.values_list("innovation__title", "months")) == [
        ("Bookable call times", 6),
        ("Bookable call times", 12),
        ("Evening library hours", 12),
        ("Psychologist within reach", 6),
        ("Psychologist within reach", 12),
    ]
    assert not OutcomeReminder.objects.filter(innovation__title="Unpublished innovation").exists()


def test_dashboard_panel_lists_updates_due_for_coordinators_only(client, rounds, people):
    coordinator, _superuser, _team_member = people
    editor = UserFactory(is_staff=True)
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)

    with freeze_time(at(2025, 11, 6, 9)):
        client.force_login(coordinator)
        panel = client.get("/admin/").content.decode()
        client.force_login(editor)
        other = client.get("/admin/")

    assert "Outcome updates due" in panel
    assert "Psychologist within reach</a>: 6 months since the results" in panel
    assert "Evening library hours" not in panel
    assert other.status_code == 200 and "Dashboard" in other.content.decode()
    assert "Outcome updates due" not in other.content.decode()
    assert "Psychologist within reach" not in other.content.decode()


def test_dashboard_panel_says_when_nothing_is_due(client, rounds, coordinator):
    with freeze_time(at(2025, 10, 1, 9)):
        client.force_login(coordinator)
        panel = client.get("/admin/").content.decode()
    assert "<p>Every innovation's outcomes are up to date.</p>" in panel
    assert "Psychologist within reach" not in panel
