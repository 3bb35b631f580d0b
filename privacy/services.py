"""Writes of personal data's own rules: erasing a person, and the retention of old data.

Each function is keyword-only and runs in a transaction; a refused erasure raises
``ErasureRefused`` with messages saying what to do first, and nothing is changed then.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.former_people import make_former_person
from home.models import OutboxMessage, OutboxStatus
from ideas.models import (
    Attachment,
    CompetitionPage,
    Idea,
    IdeaRevision,
    IdeaStatus,
    Invitation,
    Membership,
    Phase,
    Role,
    Team,
    months_after,
    results_day,
)
from ideas.permissions import is_coordinator
from judging.models import (
    Assignment,
    ConflictOfInterest,
    JurorInvitation,
    JuryMember,
    ReviewStatus,
    RoundDocument,
    RoundMessage,
)

from . import permissions


class ErasureRefused(Exception):
    """The erasure would leave something without anyone to answer for it; nothing changed."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class NotAllowed(Exception):
    pass


@dataclass
class ErasurePlan:
    """What erasing ``person`` would do, as the confirmation page states it."""

    person: object
    refusals: list[str] = field(default_factory=list)
    # (team, the member who becomes its lead)
    handed_over: list[tuple] = field(default_factory=list)
    # (team, its unsubmitted ideas removed with it)
    removed_teams: list[tuple] = field(default_factory=list)
    left_teams: list = field(default_factory=list)
    revisions: int = 0
    reviews: int = 0
    is_coordinator: bool = False


def addresses_of(person) -> set[str]:
    """Every e-mail address of the person: the account's and allauth's, lower-cased."""
    addresses = {
        address.lower() for address in person.emailaddress_set.values_list("email", flat=True)
    }
    if person.email:
        addresses.add(person.email.lower())
    return addresses


def erasure_plan(person) -> ErasurePlan:
    """What an erasure of ``person`` does and what stops it, read without changing anything.

    The rules: the last coordinator cannot go (another must be added first); a team the person
    leads passes to its longest-standing other member; a team with no other member is removed
    with its unsubmitted ideas, unless it has entered ideas (submitted, or decided by the jury),
    which then need someone to answer for them (the erasure is refused until a colleague joins
    and takes the lead).
    """
    plan = ErasurePlan(person=person, is_coordinator=is_coordinator(person))
    if permissions.is_last_coordinator(person):
        plan.refusals.append(
            _(
                "This is the last coordinator's account. Add another person to the "
                "Coordinators group first, then erase this account."
            )
        )
    memberships = list(Membership.objects.filter(user=person).select_related("team"))
    team_ids = [membership.team_id for membership in memberships]
    others: dict[int, list] = {}
    for other in (
        Membership.objects.filter(team_id__in=team_ids)
        .exclude(user=person)
        .select_related("user__profile")
        .order_by("joined_at", "pk")
    ):
        others.setdefault(other.team_id, []).append(other)
    entered = set(
        Idea.objects.entered().filter(team_id__in=team_ids).values_list("team_id", flat=True)
    )
    alone = [
        membership.team_id
        for membership in memberships
        if membership.role == Role.LEAD and not others.get(membership.team_id)
    ]
    ideas_of: dict[int, list] = {}
    for idea in Idea.objects.filter(team_id__in=alone).order_by("pk"):
        ideas_of.setdefault(idea.team_id, []).append(idea)
    for membership in sorted(memberships, key=lambda m: m.team.name):
        team = membership.team
        if membership.role != Role.LEAD:
            plan.left_teams.append(team)
        elif others.get(team.pk):
            plan.handed_over.append((team, others[team.pk][0].user))
        elif team.pk in entered:
            plan.refusals.append(
                _(
                    "%(team)s has submitted ideas and no other member. Invite a colleague to "
                    "the team and make them its lead first, so that someone answers for its "
                    "ideas; then erase this account."
                )
                % {"team": team.name}
            )
        else:
            plan.removed_teams.append((team, ideas_of.get(team.pk, [])))
    plan.revisions = IdeaRevision.objects.filter(author=person).count()
    plan.reviews = Assignment.objects.filter(
        juror=person, review__status=ReviewStatus.SUBMITTED
    ).count()
    return plan


def _delete_files_after_commit(paths: list[tuple]) -> None:
    def delete():
        for storage, name in paths:
            storage.delete(name)

    transaction.on_commit(delete)


def _remove_ideas(ideas) -> int:
    """Delete ideas with their revisions, reviews and attachments; their files go from
    storage once the deletion is committed."""
    attachments = list(Attachment.objects.filter(idea__in=ideas))
    files = [
        (stored.storage, stored.name)
        for attachment in attachments
        for stored in (attachment.file, attachment.blind_file)  # the original and its copy
        if stored
    ]
    _delete_files_after_commit(files)
    ideas.delete()
    return len(attachments)


def _remove_documents(documents) -> int:
    """Delete round reports and jury packets; their files go from storage once the deletion
    is committed. Made again from the data as it now stands, they hold nothing removed."""
    documents = list(documents)
    _delete_files_after_commit([(d.file.storage, d.file.name) for d in documents if d.file])
    RoundDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
    return len(documents)


def _scrub_addresses(addresses: set[str]) -> None:
    """Invitations and e-mails addressed to the person go; a round's message log forgets them."""
    Invitation.objects.filter(email__in=addresses).delete()
    JurorInvitation.objects.filter(email__in=addresses).delete()
    addressed = [
        pk
        for pk, recipients in OutboxMessage.objects.values_list("pk", "recipients").iterator()
        if {recipient.lower() for recipient in recipients} & addresses
    ]
    OutboxMessage.objects.filter(pk__in=addressed).delete()
    for message in RoundMessage.objects.only("pk", "recipients").iterator():
        kept = [r for r in message.recipients if str(r).lower() not in addresses]
        if len(kept) != len(message.recipients):
            message.recipients = kept
            message.save(update_fields=["recipients"])


def _keep_reviews(person) -> object | None:
    """Hand the person's submitted reviews (with their conflicts and jury seats of those
    rounds) to an account standing for them, so that the ranking keeps them as one former
    juror's. Drafts and unreviewed assignments go with the person: the ranking never counted
    them, and an account nobody uses is never reminded of them."""
    reviewed = Assignment.objects.filter(juror=person, review__status=ReviewStatus.SUBMITTED)
    if not reviewed.exists():
        return None
    former = make_former_person()
    rounds = set(reviewed.values_list("idea__competition_id", flat=True))
    JuryMember.objects.filter(user=person, competition_id__in=rounds).update(user=former)
    ConflictOfInterest.objects.filter(juror=person).update(juror=former)
    reviewed.update(juror=former)
    return former


@transaction.atomic
def erase_person(*, person, by, reason: str = "", now: datetime | None = None) -> str:
    """Erase a person's account and personal data; returns the pseudonymous id of the log.

    Refused with ``ErasureRefused`` (nothing changed) for the reasons of ``erasure_plan``, and
    with ``NotAllowed`` unless ``by`` is the person or a coordinator.

    Side effects: each team the person leads passes to its longest-standing other member; a
    team with no other member is removed with its (unsubmitted) ideas, their revisions and
    files; the person leaves every other team; their revisions and the ideas and files they
    added stay with the team, shown as a former member's; their reviews, with their conflicts
    of interest and jury seats of those rounds, pass to an account standing for them
    ("former juror"), so that the ranking is unchanged; invitations, outbox e-mails and round
    message logs addressed to them are deleted or forget the address; the reports and jury
    packets of the rounds they judged are deleted with their files; the account, its
    profile and e-mail addresses are deleted (its sessions then belong to nobody). The erasure
    is logged in Wagtail's audit log as ``ideatori.person_erased``, with who erased, the
    reason and the person's pseudonymous id only.
    """
    now = now or timezone.now()
    person = get_user_model().objects.select_for_update().get(pk=person.pk)
    if not permissions.can_erase_person(by, person):
        raise NotAllowed(_("Only the person or a coordinator can erase an account."))
    plan = erasure_plan(person)
    if plan.refusals:
        raise ErasureRefused(plan.refusals)
    addresses = addresses_of(person)
    for team, new_lead in plan.handed_over:
        Membership.objects.filter(team=team, user=person).delete()
        Membership.objects.filter(team=team, user=new_lead).update(role=Role.LEAD)
    for team, _ideas in plan.removed_teams:
        _remove_ideas(Idea.objects.filter(team=team))
        Team.objects.filter(pk=team.pk).delete()
    # Reports and packets of the rounds they judged may name them (an internal report).
    _remove_documents(
        RoundDocument.objects.filter(
            Q(juror=person) | Q(competition__jury_members__user=person)
        ).distinct()
    )
    former = _keep_reviews(person)
    _scrub_addresses(addresses)
    pseudonym = f"person-{person.pk}"
    log(
        instance=person,
        action="ideatori.person_erased",
        user=None if by.pk == person.pk else by,
        title=pseudonym,
        timestamp=now,
        data={
            "person": pseudonym,
            "by_themselves": by.pk == person.pk,
            "reason": reason,
            "former_juror": former.pk if former is not None else None,
        },
    )
    person.delete()
    return pseudonym


# --- retention --------------------------------------------------------------------------------


@dataclass
class RetentionReport:
    ideas: int = 0
    files: int = 0
    emails: int = 0


def expired_rounds(now: datetime) -> list:
    """Rounds whose results came out ``IDEATORI_RETENTION_IDEA_YEARS`` years ago or more."""
    today = timezone.localdate(now)
    months = settings.IDEATORI_RETENTION_IDEA_YEARS * 12
    rounds = CompetitionPage.objects.in_phase(Phase.RESULTS, at=now)
    return [
        competition
        for competition in rounds
        if months_after(results_day(competition), months) <= today
    ]


@transaction.atomic
def apply_retention(*, now: datetime | None = None) -> RetentionReport:
    """Remove what is kept no longer. Safe to run twice.

    - Ideas that were not awarded (not awarded, withdrawn, drafts) of rounds whose results came
      out ``IDEATORI_RETENTION_IDEA_YEARS`` years ago, with their revisions, reviews, the
      jury's decision on them and their attachments, whose files leave storage once the
      deletion is committed. Awarded ideas stay: they are public record. The rounds' reports
      and jury packets go with their files (they hold the removed ideas).
    - Delivered e-mails sent, and failed ones given up, more than
      ``IDEATORI_RETENTION_EMAIL_DAYS`` days ago (they hold addresses and whole messages).

    Finished background-task results (they hold e-mail arguments) have their own rule and
    job: ``home.schedule.prune`` after ``IDEATORI_TASK_RESULTS_DAYS`` days.
    """
    now = now or timezone.now()
    report = RetentionReport()
    rounds = expired_rounds(now)
    if rounds:
        ideas = Idea.objects.filter(competition__in=rounds).exclude(status=IdeaStatus.AWARDED)
        report.ideas = ideas.count()
        report.files = _remove_ideas(ideas)
        _remove_documents(RoundDocument.objects.filter(competition__in=rounds))
    email_cutoff = now - timedelta(days=settings.IDEATORI_RETENTION_EMAIL_DAYS)
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=email_cutoff)
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED, give_up_at__lt=email_cutoff)
    report.emails = sent.delete()[0] + failed.delete()[0]
    return report
