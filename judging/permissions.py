"""Who may do what in judging. Views enforce these; the juror's list filters by the same rules.

Every predicate takes the user first and answers with a bool; ``now`` is passed in where the
answer depends on the round's dates. The round is always the idea's own (the canonical page):
jurors, assignments and conflicts belong to it, never to a translation.
"""

from datetime import datetime

from django.utils import timezone

from home.accounts import account_for_email
from ideas.models import Idea
from ideas.models.ideas import ENTERED_STATUSES
from ideas.permissions import before_deadline, is_coordinator
from ideas.phases import Phase, Stage

from .models import (
    Assignment,
    ConflictOfInterest,
    JurorInvitation,
    JuryMember,
    JuryRole,
    Review,
    ReviewStatus,
)
from .scoreboard import automatic_pairs


def is_juror(user, competition) -> bool:
    if not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_ideatori_jury_roles", {})
    if competition.pk not in cache:
        cache[competition.pk] = (
            JuryMember.objects.filter(competition_id=competition.pk, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[competition.pk] is not None


def is_chair(user, competition) -> bool:
    return is_juror(user, competition) and user._ideatori_jury_roles[competition.pk] == (
        JuryRole.CHAIR
    )


def judging_open(competition, now: datetime | None = None) -> bool:
    """Jurors score: submissions have closed and judging has not."""
    return competition.phase_at(now or timezone.now()) == Phase.JUDGING


def judging_started(competition, now: datetime | None = None) -> bool:
    """Submissions have closed, so the entered ideas are final and may be read by jurors."""
    return not before_deadline(competition, now)


def is_conflicted(user, idea: Idea) -> bool:
    """A row set by a person decides; without one, the automatic rule does (the juror is in
    the idea's team, or shares a service unit with it)."""
    if not user.is_authenticated:
        return False
    row = ConflictOfInterest.objects.filter(idea=idea, juror=user).values_list("active").first()
    if row is not None:
        return row[0]
    single = Idea.objects.filter(pk=idea.pk)
    return (user.pk, idea.pk) in automatic_pairs(idea.competition, [user.pk], ideas=single)


def current_stage(competition, now: datetime | None = None) -> Stage:
    """The stage whose assignments jurors see and score: the round says which."""
    return competition.stage_at(now or timezone.now())


def is_assigned(user, idea: Idea, now: datetime | None = None) -> bool:
    """Assigned in the round's current stage: in the final stage a juror sees only the final
    stage's assignments."""
    return (
        user.is_authenticated
        and Assignment.objects.filter(
            idea=idea, juror=user, stage=current_stage(idea.competition, now)
        ).exists()
    )


def can_view_review(user, idea: Idea, now: datetime | None = None) -> bool:
    """A juror of the round reads an idea assigned to them, without a conflict, once judging
    has begun. After judging closes the review stays readable, locked."""
    return (
        idea.status in ENTERED_STATUSES
        and judging_started(idea.competition, now)
        and is_juror(user, idea.competition)
        and is_assigned(user, idea, now)
        and not is_conflicted(user, idea)
    )


def can_score(user, idea: Idea, now: datetime | None = None) -> bool:
    return judging_open(idea.competition, now) and can_view_review(user, idea, now)


def can_see_other_scores(user, idea: Idea, now: datetime | None = None) -> bool:
    """Only if the round allows it, and only after the juror has submitted their own review."""
    return (
        idea.competition.jurors_see_other_scores
        and can_view_review(user, idea, now)
        and Review.objects.filter(
            assignment__idea=idea,
            assignment__juror=user,
            assignment__stage=current_stage(idea.competition, now),
            status=ReviewStatus.SUBMITTED,
        ).exists()
    )


def can_declare_conflict(user, idea: Idea, now: datetime | None = None) -> bool:
    """Any juror of the round may declare a conflict with any entered idea while judging runs."""
    return (
        idea.status in ENTERED_STATUSES
        and judging_open(idea.competition, now)
        and is_juror(user, idea.competition)
        and not is_conflicted(user, idea)
    )


def can_manage_judging(user) -> bool:
    """Jury, assignments, conflicts, the dashboard and exports are the coordinator's."""
    return is_coordinator(user)


def can_change_assignments(user, competition, now: datetime | None = None) -> bool:
    """Assignments are made, added and removed while judging runs, never after it closed."""
    return can_manage_judging(user) and judging_open(competition, now)


def can_open_judging(user, competition, now: datetime | None = None) -> bool:
    """The coordinator opens judging by hand (the schedule does it too) once submissions have
    closed and judging has not, while nothing is assigned yet."""
    return (
        can_manage_judging(user)
        and judging_open(competition, now)
        and not Assignment.objects.filter(idea__competition=competition).exists()
    )


# --- two stages and the jury's meeting ---------------------------------------------------------


def screening_closed(competition, now: datetime | None = None) -> bool:
    """A round judged in two stages has ended its screening (the final stage, or later)."""
    return competition.two_stage and current_stage(competition, now) == Stage.FINAL


def can_choose_shortlist(user, competition, now: datetime | None = None) -> bool:
    """The coordinator chooses the shortlist from the screening ranking once the screening
    has closed, until the final stage closes."""
    return (
        can_manage_judging(user)
        and judging_open(competition, now)
        and screening_closed(competition, now)
    )


def judging_closed(competition, now: datetime | None = None) -> bool:
    return competition.phase_at(now or timezone.now()) in (Phase.DELIBERATION, Phase.RESULTS)


def can_view_meeting(user, competition, now: datetime | None = None) -> bool:
    """The jury's meeting view: the coordinator and the round's jurors, once judging has
    closed (before that, a juror would read the others' comments while still scoring). Once
    scoring is over the meeting shows every juror's scores and comments, whatever the round's
    ``jurors_see_other_scores`` (which keeps jurors from anchoring on each other while they
    score); a juror with a conflict of interest reads none on that idea (``meeting.py``)."""
    return judging_closed(competition, now) and (
        can_manage_judging(user) or is_juror(user, competition)
    )


def can_record_meeting_votes(user, competition, now: datetime | None = None) -> bool:
    """The chair, or the coordinator, records the meeting's votes after judging closes and
    before the results are published."""
    return competition.phase_at(now or timezone.now()) == Phase.DELIBERATION and (
        can_manage_judging(user) or is_chair(user, competition)
    )


# --- the jury and its invitations -------------------------------------------------------------


def can_manage_jury(user) -> bool:
    """The coordinator adds people to a round's jury, invites them, sends invitations again
    and cancels them, and searches people by name or e-mail to do so."""
    return can_manage_judging(user)


def holds_invited_address(user, invitation: JurorInvitation) -> bool:
    """The invitation's address is this account's (any letter case)."""
    if not user.is_authenticated:
        return False
    holder = account_for_email(invitation.email)
    return holder is not None and holder.pk == user.pk


def can_join_by_invitation(user, invitation: JurorInvitation, now: datetime | None = None) -> bool:
    """While its link works, an invitation seats the signed-in account holding its address."""
    return not invitation.why_unusable(now or timezone.now()) and holds_invited_address(
        user, invitation
    )


def can_sign_up_by_invitation(
    user, invitation: JurorInvitation, now: datetime | None = None
) -> bool:
    """While its link works, someone not signed in creates the invited address's account
    through it, unless an account holds that address by now (they sign in instead)."""
    return (
        not user.is_authenticated
        and not invitation.why_unusable(now or timezone.now())
        and account_for_email(invitation.email) is None
    )


# --- the round's report and the jury packet ---------------------------------------------------


def can_view_round_report(user, competition) -> bool:
    """The round's report (the page, its PDF, the internal version naming a blind round's
    jurors) is the coordinator's, for the organisation's management."""
    return can_manage_judging(user)


def can_request_jury_packet(user, competition, now: datetime | None = None) -> bool:
    """The coordinator asks for every entered idea; a juror of the round, once judging has
    begun, for the ideas they may read (``can_view_review``)."""
    return can_manage_judging(user) or (
        is_juror(user, competition) and judging_started(competition, now)
    )


def can_download_document(user, document) -> bool:
    """A juror's packet is theirs alone while they sit on the jury; every other document of a
    round is the coordinator's."""
    if document.juror_id is not None:
        return (
            user.is_authenticated
            and user.pk == document.juror_id
            and is_juror(user, document.competition)
        )
    return can_manage_judging(user)
