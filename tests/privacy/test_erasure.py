"""Erasing a person: each rule of ``privacy.services.erase_person``, and its refusals."""

import numpy as np
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from home.former_people import is_former_person
from home.models import OutboxMessage
from ideas import services as idea_services
from ideas.models import Attachment, Idea, IdeaRevision, IdeaStatus, Invitation, Membership, Team
from judging.models import Assignment, ConflictOfInterest, JuryMember, Review, RoundMessage
from judging.scoreboard import criteria_of, display_name, round_ranking
from privacy import services
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


def person_named(name: str, email: str):
    user = UserFactory(username=name, email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    from ideas.models import Profile

    Profile.objects.create(user=user, name=name.title())
    return user


def coordinator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def outbox(*recipients) -> OutboxMessage:
    from django.utils import timezone

    return OutboxMessage.objects.create(
        recipients=list(recipients),
        from_email="site@example.org",
        subject="Hello",
        message=b"x",
        give_up_at=timezone.now(),
    )


def test_erasure_shows_revisions_as_a_former_members_and_drops_the_name_from_team_lists(client):
    niina = person_named("niina", "niina@example.org")
    lead = UserFactory()
    team = make_team(lead=lead, members=[niina], name="Clinic team")
    idea = make_idea(team=team, competition=make_round(phase="open"), title="Shared idea")
    idea_services.save_idea(
        idea=idea, text=idea.text() | {"problem": "Niina's words"}, base_version=1, by=niina
    )

    services.erase_person(person=niina, by=niina)

    revision = IdeaRevision.objects.get(idea=idea, version=2)
    assert revision.author is None
    assert revision.text["problem"] == "Niina's words"
    client.force_login(lead)
    history = client.get(f"/en/my/ideas/{idea.pk}/history/").content.decode()
    assert "Former member" in history
    team_page = client.get(f"/en/my/teams/{team.pk}/").content.decode()
    for trace in ("niina@example.org", "Niina"):
        assert trace not in history
        assert trace not in team_page
    assert list(team.memberships.values_list("user", flat=True)) == [lead.pk]


def scored_round():
    competition = make_round(phase="judging", criteria=3)
    jurors = [make_juror(competition) for _ in range(3)]
    ideas = [make_idea(competition=competition, status=IdeaStatus.SUBMITTED) for _ in range(4)]
    rng = np.random.default_rng(5)
    for idea in ideas:
        for juror in jurors:
            values = {c.pk: int(rng.integers(1, 6)) for c in criteria_of(competition)}
            make_review(make_assignment(juror, idea), values)
    return competition, ideas, jurors


def ranking_rows(competition):
    return sorted(
        (row.idea, row.rank, round(row.mean, 9), round(row.normalised, 6), row.reviews)
        for row in round_ranking(competition).ranking.ideas
    )


def test_erasure_keeps_a_jurors_reviews_as_a_former_jurors_and_the_ranking_unchanged():
    competition, ideas, jurors = scored_round()
    juror = jurors[0]
    ConflictOfInterest.objects.create(
        idea=ideas[3], juror=juror, active=True, source="declared", reason="My neighbour."
    )
    before = ranking_rows(competition)
    reviews_before = Review.objects.filter(assignment__idea__competition=competition).count()

    services.erase_person(person=juror, by=juror)

    assert ranking_rows(competition) == before
    assert Review.objects.filter(assignment__idea__competition=competition).count() == (
        reviews_before
    )
    former = JuryMember.objects.exclude(user__in=jurors[1:]).get(competition=competition).user
    assert is_former_person(former)
    assert not former.is_active and former.email == "" and not former.has_usable_password()
    assert display_name(former) == "Former juror"
    assert Assignment.objects.filter(juror=former).count() == 4
    assert ConflictOfInterest.objects.get(idea=ideas[3]).juror == former
    assert not get_user_model().objects.filter(pk=juror.pk).exists()


def test_erasure_hands_the_lead_to_the_longest_standing_other_member():
    lead, first, second = UserFactory(), UserFactory(), UserFactory()
    team = make_team(lead=lead, members=[first, second])

    plan = services.erasure_plan(lead)
    services.erase_person(person=lead, by=lead)

    assert plan.handed_over == [(team, first)]
    assert Membership.objects.get(team=team, user=first).role == "lead"
    assert Membership.objects.get(team=team, user=second).role == "member"
    assert team.memberships.count() == 2


def test_erasure_removes_a_lone_team_with_its_unsubmitted_ideas_and_their_files(
    django_capture_on_commit_callbacks,
):
    lone = UserFactory()
    team = make_team(lead=lone, name="Alone")
    competition = make_round(phase="open")
    draft = make_idea(team=team, competition=competition, title="Lonely draft")
    withdrawn = make_idea(team=team, competition=competition, status=IdeaStatus.WITHDRAWN)
    attachment = idea_services.add_attachment(
        idea=draft,
        upload=SimpleUploadedFile("plan.pdf", PDF),
        content_type="application/pdf",
        by=lone,
    )
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    kept = make_idea(competition=competition, title="Someone else's")

    plan = services.erasure_plan(lone)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_person(person=lone, by=lone)

    assert plan.removed_teams == [(team, [draft, withdrawn])]
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Idea.objects.filter(pk__in=[draft.pk, withdrawn.pk]).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)
    assert Idea.objects.filter(pk=kept.pk).exists()


def test_erasure_of_the_last_coordinator_is_refused_saying_what_to_do_first():
    only = coordinator()

    with pytest.raises(services.ErasureRefused) as refused:
        services.erase_person(person=only, by=only)

    assert "Add another person to the Coordinators group first" in str(refused.value)
    assert get_user_model().objects.filter(pk=only.pk, is_active=True).exists()
    coordinator()
    services.erase_person(person=only, by=only)
    assert not get_user_model().objects.filter(pk=only.pk).exists()


@pytest.mark.parametrize("status", [IdeaStatus.SUBMITTED, IdeaStatus.NOT_AWARDED])
def test_erasure_of_the_only_member_of_a_team_with_submitted_ideas_is_refused(status):
    lone = UserFactory()
    team = make_team(lead=lone, name="Team Solo")
    idea = make_idea(team=team, status=status)

    with pytest.raises(services.ErasureRefused) as refused:
        services.erase_person(person=lone, by=lone)

    message = str(refused.value)
    assert "Team Solo has submitted ideas and no other member" in message
    assert "Invite a colleague to the team and make them its lead first" in message
    assert Idea.objects.filter(pk=idea.pk).exists()
    assert Membership.objects.filter(team=team, user=lone, role="lead").exists()


def test_erasure_deletes_the_account_its_addresses_and_what_was_addressed_to_it():
    niina = person_named("niina", "niina@example.org")
    EmailAddress.objects.create(user=niina, email="niina.work@example.org", verified=True)
    other = person_named("olli", "olli@example.org")
    team = make_team(lead=other)
    idea_services.invite_member(team=team, email="niina.work@example.org", by=other)
    idea_services.invite_member(team=team, email="someone@example.org", by=other)
    to_niina, to_both, to_olli = (
        outbox("niina@example.org"),
        outbox("Niina.Work@example.org", "olli@example.org"),
        outbox("olli@example.org"),
    )
    competition = make_round(phase="judging")
    message = RoundMessage.objects.create(
        competition=competition,
        group="jurors",
        texts={},
        recipients=["niina@example.org", "olli@example.org"],
    )

    services.erase_person(person=niina, by=niina)

    assert not get_user_model().objects.filter(pk=niina.pk).exists()
    assert not EmailAddress.objects.filter(email__icontains="niina").exists()
    assert list(Invitation.objects.values_list("email", flat=True)) == ["someone@example.org"]
    assert list(OutboxMessage.objects.filter(pk__in=[to_niina.pk, to_both.pk, to_olli.pk])) == [
        to_olli
    ]
    message.refresh_from_db()
    assert message.recipients == ["olli@example.org"]


def test_coordinator_erasure_is_logged_with_who_and_why_but_no_personal_data():
    by = coordinator()
    niina = person_named("niina", "niina@example.org")
    pk = niina.pk

    pseudonym = services.erase_person(person=niina, by=by, reason="Asked by letter 1.12.")

    entry = ModelLogEntry.objects.get(action="ideatori.person_erased")
    assert entry.user_id == by.pk
    assert entry.object_id == str(pk)
    assert entry.label == pseudonym == f"person-{pk}"
    assert entry.data["reason"] == "Asked by letter 1.12."
    assert entry.data["by_themselves"] is False
    recorded = f"{entry.label} {entry.data}"
    for trace in ("niina", "Niina"):
        assert trace not in recorded


def test_a_person_cannot_erase_someone_else():
    niina, olli = UserFactory(), UserFactory()
    with pytest.raises(services.NotAllowed):
        services.erase_person(person=niina, by=olli)
    assert get_user_model().objects.filter(pk=niina.pk).exists()


def test_the_demo_peoples_erasure_goes_through_and_keeps_the_finished_rounds_ranking():
    """The demo's real-looking data: pages they own, revisions, reviews and a conflict."""
    import io

    from django.core.management import call_command

    from ideas.models import CompetitionPage

    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects
    finished = next(
        page
        for page in CompetitionPage.objects.filter(locale__language_code="en")
        if page.criteria.exists() and Review.objects.filter(assignment__idea__competition=page)
    )
    before = ranking_rows(finished)

    for email in ("nurse@example.org", "juror@example.org", "coordinator@example.org"):
        person = users.get(email=email)
        services.erase_person(person=person, by=person)
        assert not users.filter(email=email).exists()

    assert ranking_rows(finished) == before


def test_a_jurors_drafts_go_with_them_and_the_former_juror_gets_no_mail():
    from judging.services import message_recipients

    competition = make_round(phase="judging", criteria=2)
    juror, other = make_juror(competition), make_juror(competition)
    done, pending = (make_idea(competition=competition, status=IdeaStatus.SUBMITTED) for _ in "ab")
    make_review(make_assignment(juror, done), 4)
    make_review(make_assignment(juror, pending), 2, status="draft")

    services.erase_person(person=juror, by=juror)

    former = Assignment.objects.get(idea=done).juror
    assert is_former_person(former)
    assert not Assignment.objects.filter(idea=pending).exists()
    assert message_recipients(competition=competition, group="jurors") == [other]
    assert message_recipients(competition=competition, group="late_jurors") == []


def test_erasure_removes_the_reports_and_packets_of_the_rounds_they_judged(
    django_capture_on_commit_callbacks,
):
    from django.core.files.base import ContentFile

    from judging.models import RoundDocument

    competition, _ideas, jurors = scored_round()
    juror = jurors[0]
    other_round = make_round(phase="results", criteria=1)
    documents = {}
    for key, round_, owner, kind in (
        ("internal", competition, None, "internal_report"),
        ("own packet", competition, juror, "packet"),
        ("elsewhere", other_round, None, "report"),
    ):
        document = RoundDocument(
            competition=round_, kind=kind, juror=owner, language="en", status="ready"
        )
        document.file.save(f"{kind}.pdf", ContentFile(b"%PDF"), save=True)
        documents[key] = (document.pk, document.file.storage, document.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_person(person=juror, by=juror)

    assert list(RoundDocument.objects.values_list("pk", flat=True)) == [documents["elsewhere"][0]]
    for key, (_pk, storage, name) in documents.items():
        assert storage.exists(name) is (key == "elsewhere")
