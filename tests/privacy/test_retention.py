"""Retention at frozen times: unawarded ideas go N years after their round's results, awarded
ones stay; old e-mails go after N days."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from home.models import OutboxMessage, OutboxStatus
from home.schedule import all_jobs
from ideas import services as idea_services
from ideas.models import Attachment, Idea, IdeaRevision, IdeaStatus
from ideas.models.ideas import BlindCopy
from judging.models import Review
from privacy.services import apply_retention
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def with_file(idea) -> Attachment:
    """An attachment written straight to storage, with its copy for a blind jury: the round is
    past the time teams add files."""
    return Attachment.objects.create(
        idea=idea,
        file=SimpleUploadedFile("plan.pdf", PDF),
        blind_file=SimpleUploadedFile("plan.pdf", PDF),
        blind_copy=BlindCopy.MADE,
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


@pytest.fixture
def finished_round(settings):
    settings.IDEATORI_RETENTION_IDEA_YEARS = 2
    competition = make_round(phase="results", criteria=1)
    juror = make_juror(competition)
    ideas = {}
    for status in (IdeaStatus.AWARDED, IdeaStatus.NOT_AWARDED, IdeaStatus.WITHDRAWN):
        idea = make_idea(team=make_team(), competition=competition, status=status)
        idea_services._record_revision(idea, author=None, changed=[])
        make_review(make_assignment(juror, idea), 3)
        ideas[status] = (idea, with_file(idea))
    return competition, ideas


def results_moment(competition):
    return timezone.localtime(competition.results_published_at)


def test_retention_keeps_everything_just_before_the_years_are_up(finished_round):
    competition, ideas = finished_round
    day_before = results_moment(competition).replace(year=results_moment(competition).year + 2)
    day_before -= timedelta(days=1)

    report = apply_retention(now=day_before)

    assert report.ideas == 0
    assert Idea.objects.filter(competition=competition).count() == 3


def test_retention_removes_unawarded_ideas_files_revisions_and_reviews_once_the_years_are_up(
    finished_round, django_capture_on_commit_callbacks
):
    competition, ideas = finished_round
    moment = results_moment(competition)
    later = moment.replace(year=moment.year + 2)
    files = {
        status: (attachment.file.storage, attachment.file.name)
        for status, (_idea, attachment) in ideas.items()
    }
    copies = {
        status: (attachment.blind_file.storage, attachment.blind_file.name)
        for status, (_idea, attachment) in ideas.items()
    }
    assert all(storage.exists(name) for storage, name in [*files.values(), *copies.values()])

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(now=later)

    awarded, _file = ideas[IdeaStatus.AWARDED]
    assert report.ideas == 2 and report.files == 2
    assert list(Idea.objects.filter(competition=competition)) == [awarded]
    assert IdeaRevision.objects.filter(idea__competition=competition).count() == 1
    assert Review.objects.filter(assignment__idea__competition=competition).count() == 1
    assert Attachment.objects.filter(idea__competition=competition).count() == 1
    storage, name = files[IdeaStatus.AWARDED]
    assert storage.exists(name)
    assert copies[IdeaStatus.AWARDED][0].exists(copies[IdeaStatus.AWARDED][1])
    for status in (IdeaStatus.NOT_AWARDED, IdeaStatus.WITHDRAWN):
        for storage, name in (files[status], copies[status]):  # the original and its clean copy
            assert not storage.exists(name)


def test_retention_leaves_rounds_without_results_alone(settings):
    settings.IDEATORI_RETENTION_IDEA_YEARS = 1
    competition = make_round(phase="deliberation")
    idea = make_idea(competition=competition, status=IdeaStatus.NOT_AWARDED)

    apply_retention(now=timezone.now() + timedelta(days=3 * 365))

    assert Idea.objects.filter(pk=idea.pk).exists()


def test_retention_removes_old_sent_and_failed_emails_only(settings):
    settings.IDEATORI_RETENTION_EMAIL_DAYS = 30
    now = timezone.now()

    def message(status, sent_at=None, give_up_at=now):
        return OutboxMessage.objects.create(
            recipients=["someone@example.org"],
            from_email="site@example.org",
            subject=status,
            message=b"",
            status=status,
            sent_at=sent_at,
            give_up_at=give_up_at,
        )

    old_sent = message(OutboxStatus.SENT, sent_at=now - timedelta(days=31))
    new_sent = message(OutboxStatus.SENT, sent_at=now - timedelta(days=29))
    old_failed = message(OutboxStatus.FAILED, give_up_at=now - timedelta(days=31))
    pending = message(OutboxStatus.PENDING, give_up_at=now - timedelta(days=40))

    report = apply_retention(now=now)

    assert report.emails == 2
    assert set(OutboxMessage.objects.all()) == {new_sent, pending}
    assert not OutboxMessage.objects.filter(pk__in=[old_sent.pk, old_failed.pk]).exists()


def test_apply_retention_command_and_nightly_job(capsys):
    UserFactory()
    call_command("apply_retention")
    assert "Ideas removed: 0" in capsys.readouterr().out
    job = next(job for job in all_jobs() if job.name == "apply_retention")
    assert job.daily_at is not None


def test_retention_removes_the_rounds_reports_and_packets_with_their_files(
    finished_round, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from judging.models import RoundDocument

    competition, _ideas = finished_round
    document = RoundDocument(competition=competition, kind="packet", language="en", status="ready")
    document.file.save("packet.zip", ContentFile(b"PK"), save=True)
    storage, name = document.file.storage, document.file.name
    moment = results_moment(competition)

    with django_capture_on_commit_callbacks(execute=True):
        apply_retention(now=moment.replace(year=moment.year + 2))

    assert not RoundDocument.objects.exists()
    assert not storage.exists(name)
