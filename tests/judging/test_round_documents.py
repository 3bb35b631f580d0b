"""The round's report and jury packet: who may ask for and download them, what the packet
holds (and for a juror, holds not), blind rounds, an empty round, and the status row."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from ideas.models import Attachment, IdeaStatus, Profile, QuestionKind
from judging import permissions, services
from judging.models import DocumentKind, DocumentStatus, RoundDocument
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_question,
    make_review,
    make_round,
    make_team,
    make_unit,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def attach(idea, name: str, text: str) -> Attachment:
    attachment = Attachment(idea=idea, original_name=name, content_type="application/pdf", size=100)
    attachment.file.save("x.pdf", ContentFile(pdf_bytes(text)), save=False)
    attachment.save()
    return attachment


def named_juror(competition, name: str):
    user = UserFactory()
    Profile.objects.create(user=user, name=name)
    return make_juror(competition, user)


@pytest.fixture
def judged_round():
    """A round being judged openly: two ideas with two files each, two jurors, one idea
    each."""
    competition = make_round(phase="judging", criteria=2, blind_judging=False)
    first = make_idea(
        team=make_team(name="Team Lighthouse"),
        competition=competition,
        status=IdeaStatus.SUBMITTED,
        title="Evening clinic for families",
    )
    second = make_idea(
        team=make_team(name="Team Harbour"),
        competition=competition,
        status=IdeaStatus.SUBMITTED,
        title="Secret second proposal",
    )
    for idea in (first, second):
        attach(idea, f"{idea.team.name} plan.pdf", "plan")
        attach(idea, f"{idea.team.name} budget.pdf", "budget")
    juror = named_juror(competition, "Juror Aalto")
    other = named_juror(competition, "Juror Berg")
    make_review(make_assignment(juror, first), 4)
    make_review(make_assignment(other, second), 2)
    return competition, first, second, juror, other


def make_document(competition, kind, by, capture):
    with capture(execute=True):
        return services.request_document(competition=competition, kind=kind, by=by)


def packet_of(document) -> zipfile.ZipFile:
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.message
    with document.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


# --- predicates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "report", "packet"),
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("team member", False, False),
        ("juror", False, True),
        ("juror of another round", False, False),
        ("coordinator", True, True),
    ],
)
def test_report_and_packet_predicates(who, report, packet, coordinator, judged_round):
    from django.contrib.auth.models import AnonymousUser

    competition, first, _second, juror, _other = judged_round
    users = {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "team member": first.team.memberships.first().user,
        "juror": juror,
        "juror of another round": make_juror(make_round(phase="judging")),
        "coordinator": coordinator,
    }
    user = users[who]
    assert permissions.can_view_round_report(user, competition) is report
    assert permissions.can_request_jury_packet(user, competition) is packet


def test_a_juror_gets_no_packet_before_judging_begins():
    competition = make_round(phase="open")
    juror = make_juror(competition)
    assert not permissions.can_request_jury_packet(juror, competition)


@pytest.mark.parametrize(
    ("owner", "who", "allowed"),
    [
        ("coordinator", "coordinator", True),
        ("coordinator", "juror", False),
        ("juror", "juror", True),
        ("juror", "other juror", False),
        ("juror", "coordinator", False),
    ],
)
def test_download_predicate(owner, who, allowed, coordinator, judged_round):
    competition, _first, _second, juror, other = judged_round
    users = {"coordinator": coordinator, "juror": juror, "other juror": other}
    document = RoundDocument(
        competition=competition,
        kind=DocumentKind.PACKET,
        juror=juror if owner == "juror" else None,
        language="en",
    )
    assert permissions.can_download_document(users[who], document) is allowed


def test_a_juror_taken_off_the_jury_loses_their_packet(judged_round):
    competition, _first, _second, juror, _other = judged_round
    document = RoundDocument(competition=competition, kind="packet", juror=juror, language="en")
    competition.jury_members.filter(user=juror).delete()
    juror.__dict__.pop("_ideatori_jury_roles", None)
    assert not permissions.can_download_document(juror, document)


# --- the packet -------------------------------------------------------------------------------


def test_coordinators_packet_has_a_pdf_per_idea_and_every_file(
    coordinator, judged_round, django_capture_on_commit_callbacks
):
    competition, first, second, _juror, _other = judged_round
    document = make_document(
        competition, DocumentKind.PACKET, coordinator, django_capture_on_commit_callbacks
    )
    archive = packet_of(document)
    names = archive.namelist()
    pdfs = [n for n in names if n.endswith("/idea.pdf")]
    files = [n for n in names if "/attachment-" in n]
    assert len(pdfs) == 2
    assert len(files) == 4
    texts = [pdf_text(archive.read(n)) for n in sorted(pdfs)]
    assert first.title in texts[0] and "Team Lighthouse" in texts[0]
    assert second.title in texts[1] and "Team Harbour" in texts[1]
    assert {archive.read(n)[:5] for n in files} == {b"%PDF-"}
    assert document.done == document.total == 2


def test_a_long_idea_keeps_all_its_pages_and_nobody_elses(
    coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="judging", criteria=2)
    long = make_idea(
        competition=competition,
        status=IdeaStatus.SUBMITTED,
        title="Long proposal",
        service_model="\n\n".join(f"Paragraph {n} of the model." for n in range(200)),
    )
    short = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Short one")
    archive = packet_of(
        make_document(
            competition, DocumentKind.PACKET, coordinator, django_capture_on_commit_callbacks
        )
    )
    first, second = sorted(n for n in archive.namelist() if n.endswith("/idea.pdf"))
    assert len(PdfReader(io.BytesIO(archive.read(first))).pages) > 1
    long_text, short_text = pdf_text(archive.read(first)), pdf_text(archive.read(second))
    assert long.title in long_text and "Paragraph 199 of the model." in long_text
    assert short.title not in long_text
    assert short.title in short_text and "Paragraph" not in short_text


def test_jurors_packet_holds_only_their_ideas(
    client, judged_round, django_capture_on_commit_callbacks
):
    competition, first, second, juror, _other = judged_round
    client.force_login(juror)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("judging:packet", args=[competition.pk]), follow=True)
    assert "Your jury packet is being made" in asked.content.decode()
    document = RoundDocument.objects.get(juror=juror)
    archive = packet_of(document)
    pdfs = [n for n in archive.namelist() if n.endswith("/idea.pdf")]
    assert len(pdfs) == 1
    assert len([n for n in archive.namelist() if "/attachment-" in n]) == 2
    everything = " ".join(archive.namelist()) + pdf_text(archive.read(pdfs[0]))
    assert first.title in everything
    assert second.title not in everything and "Team Harbour" not in everything

    page = client.get(reverse("judging:assigned", args=[competition.pk])).content.decode()
    link = reverse("judging:document", args=[document.pk])
    assert link in page
    download = client.get(link)
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_another_jurors_packet_is_refused(client, judged_round, django_capture_on_commit_callbacks):
    competition, _first, second, juror, other = judged_round
    document = make_document(
        competition, DocumentKind.PACKET, other, django_capture_on_commit_callbacks
    )
    client.force_login(juror)
    response = client.get(reverse("judging:document", args=[document.pk]))
    assert response.status_code == 404
    assert second.title.encode() not in response.content


def test_blind_round_packet_has_cleaned_files_and_no_team(
    coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="judging", criteria=2, blind_judging=True)
    team = make_team(name="Team Harbour Lights", units=[make_unit("Kallio Maternity Clinic")])
    idea = make_idea(team=team, competition=competition, status=IdeaStatus.SUBMITTED)
    attachment = attach(idea, "Team Harbour Lights plan.pdf", "plan")
    juror = make_juror(competition)
    make_assignment(juror, idea)
    document = make_document(
        competition, DocumentKind.PACKET, juror, django_capture_on_commit_callbacks
    )
    archive = packet_of(document)
    attachment.refresh_from_db()
    (pdf,) = [n for n in archive.namelist() if n.endswith("/idea.pdf")]
    (file,) = [n for n in archive.namelist() if "/attachment-" in n]
    with attachment.blind_file.open("rb") as cleaned:
        assert archive.read(file) == cleaned.read()
    text = pdf_text(archive.read(pdf)) + " ".join(archive.namelist())
    assert idea.title in text
    assert "Harbour" not in text and "Kallio" not in text


def test_a_jurors_packet_holds_the_answers_a_juror_reads_and_no_identifying_one(
    django_capture_on_commit_callbacks,
):
    competition = make_round(phase="judging", criteria=2, blind_judging=True)
    premises = make_question(competition, label="Which shared premises does it use?")
    partner = make_question(
        competition, label="Which named partner runs it with you?", identifying=True
    )
    idea = make_idea(
        competition=competition,
        status=IdeaStatus.SUBMITTED,
        answers={premises.key: "The family room", partner.key: "Harbour Lights association"},
    )
    juror = make_juror(competition)
    make_assignment(juror, idea)

    archive = packet_of(
        make_document(competition, DocumentKind.PACKET, juror, django_capture_on_commit_callbacks)
    )
    (pdf,) = [n for n in archive.namelist() if n.endswith("/idea.pdf")]
    text = pdf_text(archive.read(pdf))

    assert "Which shared premises does it use?" in text and "The family room" in text
    assert "named partner" not in text and "Harbour Lights" not in text


def test_a_jurors_packet_of_a_blind_round_leaves_out_an_identifying_file_answer(
    django_capture_on_commit_callbacks,
):
    competition = make_round(phase="judging", criteria=2, blind_judging=True)
    plan = make_question(competition, label="Attach a floor plan", kind=QuestionKind.FILE)
    letter = make_question(
        competition, label="Attach a letter of support", kind=QuestionKind.FILE, identifying=True
    )
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    shown = attach(idea, "plan.pdf", "plan")
    hidden = attach(idea, "Kallio clinic letter.pdf", "letter")
    Attachment.objects.filter(pk=shown.pk).update(question_key=plan.key)
    Attachment.objects.filter(pk=hidden.pk).update(question_key=letter.key)
    juror = make_juror(competition)
    make_assignment(juror, idea)

    archive = packet_of(
        make_document(competition, DocumentKind.PACKET, juror, django_capture_on_commit_callbacks)
    )

    (file,) = [n for n in archive.namelist() if "/attachment-" in n]
    shown.refresh_from_db()
    with shown.blind_file.open("rb") as cleaned:
        assert archive.read(file) == cleaned.read()
    hidden.refresh_from_db()
    with hidden.file.open("rb") as original:
        letter_bytes = original.read()
    assert all(archive.read(name) != letter_bytes for name in archive.namelist())


# --- the report -------------------------------------------------------------------------------


def test_blind_report_names_no_juror_unless_internal(
    coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="judging", criteria=2, blind_judging=True)
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Shared desk")
    juror = named_juror(competition, "Juror Aalto")
    make_review(make_assignment(juror, idea), 4)

    public = make_document(
        competition, DocumentKind.REPORT, coordinator, django_capture_on_commit_callbacks
    )
    internal = make_document(
        competition, DocumentKind.INTERNAL_REPORT, coordinator, django_capture_on_commit_callbacks
    )
    texts = {}
    for document in (public, internal):
        document.refresh_from_db()
        with document.file.open("rb") as handle:
            texts[document.kind] = pdf_text(handle.read())
    assert "Shared desk" in texts["report"] and "Jurors 1" in texts["report"]
    assert "Aalto" not in texts["report"]
    assert "Juror Aalto" in texts["internal_report"]


def test_report_page_shows_figures_to_the_coordinator(client, coordinator, judged_round):
    competition, first, _second, _juror, _other = judged_round
    client.force_login(coordinator)
    page = client.get(reverse("judging_admin:report", args=[competition.pk])).content.decode()
    assert "Ideas submitted" in page and first.title in page and "Juror Aalto" in page


@pytest.mark.parametrize("who", ["anonymous", "juror", "team member"])
def test_report_page_and_files_denied_to_everyone_else(
    client, who, coordinator, judged_round, django_capture_on_commit_callbacks
):
    competition, first, _second, juror, _other = judged_round
    document = make_document(
        competition, DocumentKind.REPORT, coordinator, django_capture_on_commit_callbacks
    )
    users = {"juror": juror, "team member": first.team.memberships.first().user}
    if who in users:
        client.force_login(users[who])
    page = client.get(reverse("judging_admin:report", args=[competition.pk]))
    asked = client.post(
        reverse("judging_admin:report", args=[competition.pk]), {"kind": DocumentKind.REPORT}
    )
    download = client.get(reverse("judging_admin:document", args=[competition.pk, document.pk]))
    for response in (page, asked, download):
        assert response.status_code in (302, 403, 404)
        assert b"Juror Aalto" not in response.content and b"%PDF" not in response.content
    assert RoundDocument.objects.count() == 1


def test_coordinator_asks_for_the_report_and_downloads_it(
    client, coordinator, judged_round, django_capture_on_commit_callbacks
):
    competition, first, _second, _juror, _other = judged_round
    client.force_login(coordinator)
    url = reverse("judging_admin:report", args=[competition.pk])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {"kind": DocumentKind.REPORT}, follow=True).content.decode()
    assert "It is being made in the background" in asked
    page = client.get(url).content.decode()
    document = RoundDocument.objects.get()
    link = reverse("judging_admin:document", args=[competition.pk, document.pk])
    assert link in page
    download = client.get(link)
    assert first.title in pdf_text(b"".join(download.streaming_content))


def test_a_round_without_ideas_says_so_and_makes_no_file(client, coordinator):
    competition = make_round(phase="judging", criteria=2)
    make_idea(competition=competition, status=IdeaStatus.DRAFT)
    client.force_login(coordinator)
    page = client.get(reverse("judging_admin:report", args=[competition.pk])).content.decode()
    assert "The round has no submitted ideas" in page
    for kind in (DocumentKind.REPORT, DocumentKind.PACKET):
        answer = client.post(
            reverse("judging_admin:report", args=[competition.pk]), {"kind": kind}, follow=True
        ).content.decode()
        assert "The round has no submitted ideas" in answer
    assert not RoundDocument.objects.exists()


def test_status_rows_say_queued_progress_ready_and_failed(client, coordinator, judged_round):
    competition = judged_round[0]
    rows = [
        RoundDocument.objects.create(competition=competition, kind="packet", language="en"),
        RoundDocument.objects.create(
            competition=competition, kind="packet", language="en", status="running", done=3, total=7
        ),
        RoundDocument.objects.create(
            competition=competition,
            kind="report",
            language="en",
            status="failed",
            message="The file store did not answer",
        ),
    ]
    client.force_login(coordinator)
    page = client.get(reverse("judging_admin:report", args=[competition.pk])).content.decode()
    assert "Queued" in page
    assert "3 of 7" in page
    assert "Failed: The file store did not answer" in page
    assert len(rows) == 3


def test_status_rows_cost_the_same_queries_for_one_and_ten(
    client, coordinator, judged_round, django_assert_num_queries, count_queries
):
    competition = judged_round[0]
    client.force_login(coordinator)
    url = reverse("judging_admin:report", args=[competition.pk])
    RoundDocument.objects.create(competition=competition, kind="report", language="en")
    client.get(url)
    one = count_queries(lambda: client.get(url))
    for _ in range(9):
        RoundDocument.objects.create(competition=competition, kind="report", language="en")
    with django_assert_num_queries(one):
        client.get(url)


def test_a_document_built_twice_is_built_once(coordinator, judged_round):
    competition = judged_round[0]
    document = RoundDocument.objects.create(competition=competition, kind="report", language="en")
    services.build_document(document_id=document.pk)
    first_file = RoundDocument.objects.get(pk=document.pk).file.name
    again = services.build_document(document_id=document.pk)
    assert again.status == DocumentStatus.READY and again.file.name == first_file


@pytest.mark.parametrize("who", ["outsider", "team member", "juror before judging"])
def test_packet_refused_to_anyone_not_judging_the_round(client, who):
    competition = make_round(phase="open")
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Open secret")
    users = {
        "outsider": UserFactory(),
        "team member": idea.team.memberships.first().user,
        "juror before judging": make_juror(competition),
    }
    client.force_login(users[who])
    response = client.post(reverse("judging:packet", args=[competition.pk]))
    assert response.status_code == 404 and b"Open secret" not in response.content
    assert not RoundDocument.objects.exists()


def test_the_report_is_written_in_the_coordinators_language(
    client, coordinator, judged_round, django_capture_on_commit_callbacks
):
    competition = judged_round[0]
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("judging_admin:report", args=[competition.pk]),
            {"kind": DocumentKind.REPORT},
            HTTP_ACCEPT_LANGUAGE="fi",
        )
    document = RoundDocument.objects.get()
    with document.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert document.language == "fi"
    assert "Jätetyt ideat 2" in text and "Ideas submitted" not in text
