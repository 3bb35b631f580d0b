"""'Download my data': every kind of the person's data in the ZIP, and nobody else's."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.timezone import now

from home.models import OutboxMessage
from ideas import services as idea_services
from ideas.models import IdeaStatus, Profile
from judging.models import ConflictOfInterest
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
    make_unit,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def someone(name: str):
    user = UserFactory(username=name, email=f"{name}@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Profile.objects.create(user=user, name=f"{name.title()} Fullname", profession=f"{name} job")
    return user


@pytest.fixture
def seeded():
    """Niina's data of every kind, beside her teammate Olli's and a juror Jaana's."""
    niina, olli, jaana = someone("niina"), someone("olli"), someone("jaana")
    unit = make_unit("Child health clinic")
    Profile.objects.filter(user=niina).update(service_unit=unit)
    team = make_team(lead=niina, members=[olli], name="Clinic team")
    open_round = make_round(phase="open")
    idea = make_idea(team=team, competition=open_round, title="Nurse's idea")
    idea.created_by = niina
    idea.save()
    idea_services.save_idea(
        idea=idea, text=idea.text() | {"problem": "NIINA-WROTE-THIS"}, base_version=1, by=niina
    )
    idea_services.save_idea(
        idea=idea, text=idea.text() | {"impact": "OLLI-WROTE-THIS"}, base_version=2, by=olli
    )
    idea_services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("niina-plan.pdf", PDF + b"NIINA-FILE"),
        content_type="application/pdf",
        by=niina,
    )
    idea_services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("olli-budget.pdf", PDF + b"OLLI-FILE"),
        content_type="application/pdf",
        by=olli,
    )
    # Niina is also a juror of another round, beside Jaana.
    judged = make_round(phase="judging", criteria=2)
    make_juror(judged, niina)
    make_juror(judged, jaana)
    entry = make_idea(competition=judged, status=IdeaStatus.SUBMITTED, title="Judged idea")
    make_review(make_assignment(niina, entry), 4, comment="NIINA-REVIEW")
    make_review(make_assignment(jaana, entry), 1, comment="JAANA-REVIEW")
    other = make_idea(competition=judged, status=IdeaStatus.SUBMITTED, title="Conflicted")
    ConflictOfInterest.objects.create(
        idea=other, juror=niina, active=True, source="declared", reason="NIINA-CONFLICT"
    )
    # Someone else's idea and team, and e-mails.
    make_idea(team=make_team(lead=jaana, name="Jaana's team"), title="JAANA-IDEA")
    inviter = UserFactory()
    idea_services.invite_member(
        team=make_team(lead=inviter, name="Other team"), email=niina.email, by=inviter
    )
    for to, subject in (("niina@example.org", "NIINA-MAIL"), ("olli@example.org", "OLLI-MAIL")):
        OutboxMessage.objects.create(
            recipients=[to],
            from_email="x@example.org",
            subject=subject,
            message=b"",
            give_up_at=now(),
        )
    return niina, olli, jaana


def test_download_holds_every_kind_of_the_persons_data_and_nobody_elses(client, seeded):
    niina, _olli, _jaana = seeded
    client.force_login(niina)

    response = client.get(reverse("privacy:download"))

    assert response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    files = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(files.pop("data.json"))
    assert data["account"]["email"] == "niina@example.org"
    assert data["profile"] == {
        "name": "Niina Fullname",
        "service_unit": "Child health clinic",
        "profession": "niina job",
        "language": "en",
    }
    assert [m["team"] for m in data["memberships"]] == ["Clinic team"]
    [idea] = data["ideas"]
    assert idea["title"] == "Nurse's idea" and idea["you_started_it"] is True
    assert [r["text"]["problem"] for r in idea["your_revisions"]] == ["NIINA-WROTE-THIS"]
    # The idea's text as it stands is the team's joint work; Olli's own saves are not hers.
    assert idea["text"]["impact"] == "OLLI-WROTE-THIS"
    assert [r["version"] for r in idea["your_revisions"]] == [2]
    assert [f["name"] for f in data["files"]] == ["niina-plan.pdf"]
    [(name, content)] = files.items()
    assert name.startswith("files/") and name.endswith("niina-plan.pdf")
    assert content.endswith(b"NIINA-FILE")
    assert len(data["jury_seats"]) == 1
    [review] = data["reviews"]
    assert review["overall_comment"] == "NIINA-REVIEW"
    assert {score["value"] for score in review["scores"]} == {4}
    assert [c["reason"] for c in data["conflicts_of_interest"]] == ["NIINA-CONFLICT"]
    assert [i["team"] for i in data["team_invitations"]] == ["Other team"]
    assert [e["subject"] for e in data["emails"]] == ["NIINA-MAIL"]

    everything = json.dumps(data, ensure_ascii=False)
    for foreign in (
        "olli@example.org",
        "Olli Fullname",
        "olli-budget",
        "jaana@example.org",
        "Jaana Fullname",
        "JAANA-REVIEW",
        "JAANA-IDEA",
        "OLLI-MAIL",
    ):
        assert foreign not in everything
    assert all(b"OLLI-FILE" not in content for content in files.values())


def test_download_is_only_for_a_signed_in_person(client, seeded):
    response = client.get(reverse("privacy:download"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert response.get("Content-Type", "").startswith("text/html")


def add_written_idea(person, team, competition):
    idea = make_idea(team=team, competition=competition, created_by=person)
    idea_services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("plan.pdf", PDF),
        content_type="application/pdf",
        by=person,
    )
    idea_services.save_idea(
        idea=idea, text=idea.text() | {"problem": "x"}, base_version=1, by=person
    )


def test_download_query_count_is_the_same_for_1_and_10_ideas(client, count_queries):
    person = someone("writer")
    team = make_team(lead=person)
    competition = make_round(phase="open")
    add_written_idea(person, team, competition)
    client.force_login(person)
    client.get(reverse("privacy:download"))
    with_one = count_queries(lambda: client.get(reverse("privacy:download")))
    for _ in range(9):
        add_written_idea(person, team, competition)

    with_ten = count_queries(lambda: client.get(reverse("privacy:download")))

    assert with_one == with_ten
    response = client.get(reverse("privacy:download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(json.loads(archive.read("data.json"))["ideas"]) == 10
    assert len([name for name in archive.namelist() if name.startswith("files/")]) == 10
