"""Reads in the audit trail, each through its real view: attachment downloads by a team
member, a coordinator and a juror; a coordinator opening an idea (the admin and the team's
page); exports of the ranking, the reviews and the ideas. Who, when, from which address, what
— and nothing recorded for a read that was refused."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from home import audit
from home.models import AuditEntry
from ideas.models import Attachment, IdeaStatus
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_round,
    pdf_bytes,
)

PDF = pdf_bytes()

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
CLIENT = "203.0.113.20"


@pytest.fixture(autouse=True)
def behind_the_load_balancer(settings):
    settings.IDEATORI_TRUSTED_PROXIES = ["10.0.0.0/24"]


def browser(user) -> Client:
    person = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    person.force_login(user)
    return person


@pytest.fixture
def judged():
    """A round in judging: a submitted idea with a file, its team's lead and an assigned
    juror; another idea with a file that nobody here may read."""
    competition = make_round(phase="judging", criteria=1)
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Nurse and psy")
    other = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Not theirs")
    juror = make_juror(competition)
    make_assignment(juror, idea)
    files = {}
    for each in (idea, other):
        attachment = Attachment(
            idea=each, original_name=f"{each.title}.pdf", content_type="application/pdf", size=9
        )
        attachment.file.save("plan.pdf", ContentFile(PDF), save=False)
        attachment.save()
        files[each.pk] = attachment
    lead = idea.team.memberships.get(role="lead").user
    return {"idea": idea, "other": other, "juror": juror, "lead": lead, "files": files}


def team_download(idea, attachment) -> str:
    return reverse("ideas:attachment", kwargs={"pk": idea.pk, "attachment_pk": attachment.pk})


def the_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def assert_made(entry: AuditEntry, user, before) -> None:
    assert entry.user_id == user.pk
    assert entry.address == CLIENT
    assert before <= entry.timestamp <= timezone.now()


@pytest.mark.parametrize("who", ["lead", "coordinator"])
def test_a_download_from_the_team_view_is_recorded_with_the_reader_role(judged, coordinator, who):
    user = {"lead": judged["lead"], "coordinator": coordinator}[who]
    idea, attachment = judged["idea"], judged["files"][judged["idea"].pk]
    before = timezone.now()

    response = browser(user).get(team_download(idea, attachment))

    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    entry = the_entry(audit.ATTACHMENT_DOWNLOADED)
    assert_made(entry, user, before)
    assert (entry.content_type.model_class(), entry.object_id) == (Attachment, str(attachment.pk))
    role = {"lead": "member", "coordinator": "coordinator"}[who]
    assert entry.data == {"idea": idea.pk, "role": role}
    assert entry.message == f"Downloaded an attachment of idea {idea.pk} as " + (
        "team member" if who == "lead" else "coordinator"
    )


def test_a_jurors_download_is_recorded(judged):
    idea, juror = judged["idea"], judged["juror"]
    before = timezone.now()

    response = browser(juror).get(reverse("judging:attachment", args=[idea.pk, 1]))

    # A blind round's juror receives the copy without metadata: a PDF, not the original bytes.
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    entry = the_entry(audit.ATTACHMENT_DOWNLOADED)
    assert_made(entry, juror, before)
    assert entry.object_id == str(judged["files"][idea.pk].pk)
    assert entry.data == {"idea": idea.pk, "role": "juror", "number": 1}


def test_a_refused_download_records_nothing(judged):
    other = judged["other"]
    lead = browser(judged["lead"])
    juror = browser(judged["juror"])

    refused = [
        lead.get(team_download(other, judged["files"][other.pk])),
        juror.get(reverse("judging:attachment", args=[other.pk, 1])),
        browser(UserFactory()).get(team_download(judged["idea"], judged["files"][other.pk])),
    ]

    assert [r.status_code for r in refused] == [404, 404, 404]
    assert not AuditEntry.objects.filter(action=audit.ATTACHMENT_DOWNLOADED).exists()


def test_a_coordinator_opening_an_idea_in_the_admin_is_recorded(judged, coordinator):
    idea = judged["idea"]
    before = timezone.now()

    response = browser(coordinator).get(f"/admin/idea/inspect/{idea.pk}/")

    assert response.status_code == 200 and "Nurse and psy" in response.content.decode()
    entry = the_entry(audit.IDEA_OPENED)
    assert_made(entry, coordinator, before)
    assert (entry.object_id, entry.label) == (str(idea.pk), "Nurse and psy")
    assert entry.data["place"] == "admin" and entry.data["role"] == "coordinator"
    assert entry.message == "Opened the idea in the admin as coordinator"


def test_a_coordinator_opening_the_teams_page_is_recorded_the_team_is_not(judged, coordinator):
    idea = judged["idea"]
    page = reverse("ideas:idea", kwargs={"pk": idea.pk})
    history = reverse("ideas:history", kwargs={"pk": idea.pk})

    assert browser(judged["lead"]).get(page).status_code == 200
    assert not AuditEntry.objects.filter(action=audit.IDEA_OPENED).exists()
    assert browser(coordinator).get(page).status_code == 200
    assert browser(coordinator).get(history).status_code == 200

    entries = AuditEntry.objects.filter(action=audit.IDEA_OPENED).order_by("pk")
    assert [(e.user_id, e.data["place"], e.object_id) for e in entries] == [
        (coordinator.pk, "team_page", str(idea.pk)),
        (coordinator.pk, "history", str(idea.pk)),
    ]


@pytest.mark.parametrize("table, file_format", [("ranking", "csv"), ("reviews", "xlsx")])
def test_a_judging_export_is_recorded(judged, coordinator, table, file_format):
    competition = judged["idea"].competition
    before = timezone.now()
    url = reverse("judging_admin:export", args=[competition.pk, table, file_format])

    response = browser(coordinator).get(url)

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    entry = the_entry(audit.EXPORTED)
    assert_made(entry, coordinator, before)
    assert entry.object_id == str(competition.pk)
    assert entry.data == {"table": table, "format": file_format, "round": competition.pk}
    assert entry.message == f"Exported the {table} as {file_format.upper()}"


def test_a_refused_judging_export_records_nothing(judged):
    competition = judged["idea"].competition
    url = reverse("judging_admin:export", args=[competition.pk, "ranking", "csv"])

    response = browser(judged["juror"]).get(url)

    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(action=audit.EXPORTED).exists()


def test_an_export_of_the_ideas_admin_is_recorded_with_its_filters(judged, coordinator):
    competition = judged["idea"].competition
    before = timezone.now()

    response = browser(coordinator).get(
        "/admin/idea/", {"export": "csv", "competition": competition.pk}
    )

    assert response.status_code == 200
    assert "Nurse and psy" in b"".join(response.streaming_content).decode()
    entry = the_entry(audit.EXPORTED)
    assert_made(entry, coordinator, before)
    assert entry.data == {
        "table": "ideas",
        "format": "csv",
        "filters": {"competition": [str(competition.pk)]},
    }


def test_a_download_and_an_export_go_on_when_their_entries_cannot_be_written(
    judged, coordinator, caplog
):
    from django.db import connection

    from tests.home.test_audit import REFUSE_INSERTS

    with connection.cursor() as cursor:  # undone with the test's transaction
        for statement in REFUSE_INSERTS[connection.vendor]:
            cursor.execute(statement)
    competition = judged["idea"].competition

    with caplog.at_level("ERROR", logger="ideatori.audit"):
        download = browser(judged["juror"]).get(
            reverse("judging:attachment", args=[judged["idea"].pk, 1])
        )
        export = browser(coordinator).get(
            reverse("judging_admin:export", args=[competition.pk, "ranking", "csv"])
        )

    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert export.status_code == 200 and export.content.decode().startswith("\ufeffRank,")
    assert not AuditEntry.objects.exists()
    assert "ideatori.attachment_downloaded could not be written" in caplog.text
    assert "ideatori.exported could not be written" in caplog.text
