"""The round's report (PDF) and its jury packet (ZIP) for a blind round of IDEAS ideas with
FILES attachments each, built as the background worker builds them (``services.
request_document``, which runs the task at once under the test settings' immediate backend).

Goals: the report within REPORT_GOAL seconds, the packet within PACKET_GOAL. Each is built
once: a build is long enough that one run is a fair figure. The attachments' copies without
metadata are made first, as uploads make them."""

import random
import time
import zipfile

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction

from ideas.models import Attachment, Idea, IdeaStatus, Team
from ideas.services import make_blind_copy
from judging import services
from judging.models import Assignment, JuryMember, Review, Score
from tests.factories import UserFactory, make_round, make_unit, pdf_bytes

IDEAS = 200
FILES = 2
JURORS = 5
REPORT_GOAL = 30.0
PACKET_GOAL = 60.0


@transaction.atomic
def big_round():
    competition = make_round(phase="deliberation", criteria=6, blind_judging=True)
    units = [make_unit(service_area=area) for area in ("health", "social", "youth", "culture")]
    jurors = [UserFactory() for _ in range(JURORS)]
    JuryMember.objects.bulk_create(
        [JuryMember(competition=competition, user=juror) for juror in jurors]
    )
    criteria = list(competition.criteria.all())
    rng = random.Random(17)
    data = pdf_bytes("A plan for the round")
    for number in range(IDEAS):
        team = Team.objects.create(name=f"Team {number}")
        team.service_units.set(rng.sample(units, rng.choice((1, 1, 2))))
        idea = Idea.objects.create(
            team=team,
            competition=competition,
            status=IdeaStatus.SUBMITTED,
            title=f"Idea {number}: a shared consultation hour",
            summary="A nurse consults a psychologist the same week.",
            problem="Worried parents wait weeks. " * 20,
            service_model="A shared consultation hour. " * 30,
            target_group="Expectant and new parents.",
        )
        for file_number in range(FILES):
            attachment = Attachment(
                idea=idea, original_name=f"plan-{file_number}.pdf", content_type="application/pdf"
            )
            attachment.size = len(data)
            attachment.file.save("plan.pdf", ContentFile(data), save=False)
            attachment.save()
            make_blind_copy(attachment=attachment)
        for juror in jurors:
            review = Review.objects.create(
                assignment=Assignment.objects.create(idea=idea, juror=juror), status="submitted"
            )
            Score.objects.bulk_create(
                [Score(review=review, criterion=c, value=rng.randint(1, 5)) for c in criteria]
            )
    return competition


def timed(competition, kind: str, coordinator) -> tuple[float, object]:
    start = time.perf_counter()
    document = services.request_document(competition=competition, kind=kind, by=coordinator)
    document.refresh_from_db()
    return time.perf_counter() - start, document


def run() -> int:
    print(f"round report and jury packet ({IDEAS} ideas, {FILES} files each, blind round)")
    competition = big_round()
    coordinator = UserFactory()
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    failures = 0
    report_time, report = timed(competition, "report", coordinator)
    assert report.status == "ready", report.message
    met = report_time <= REPORT_GOAL
    failures += not met
    print(
        f"  report PDF:  {report_time:6.1f} s, {report.file.size / 1024:,.0f} KiB"
        f" (goal ≤ {REPORT_GOAL:.0f} s) {'met' if met else 'MISSED'}"
    )
    packet_time, packet = timed(competition, "packet", coordinator)
    assert packet.status == "ready", packet.message
    with packet.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
    pdfs = sum(name.endswith("/idea.pdf") for name in names)
    met = packet_time <= PACKET_GOAL and pdfs == IDEAS and len(names) == IDEAS * (FILES + 1)
    failures += not met
    print(
        f"  jury packet: {packet_time:6.1f} s, {packet.file.size / 1024 / 1024:,.1f} MiB,"
        f" {pdfs} idea PDFs and {len(names) - pdfs} files,"
        f" {packet_time / IDEAS * 1000:.0f} ms an idea"
        f" (goal ≤ {PACKET_GOAL:.0f} s) {'met' if met else 'MISSED'}"
    )
    return failures
