"""Everything that writes in judging: the jury and its invitations, the jury's notices,
assignments, conflicts, reviews and the decision. Keyword-only, typed, each in one
transaction; refusals raise a ``ServiceError``."""

import logging
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from wagtail.log_actions import log
from wagtail.models import Locale

from home.accounts import account_for_email, create_verified_account
from home.addresses import public_url
from ideas.models import CompetitionPage, Idea, IdeaStatus, Phase, Stage
from ideas.models.ideas import ENTERED_STATUSES
from ideas.models.teams import hash_token
from ideas.notifications import display_name, language_of
from ideas.permissions import can_decide
from ideas.services import (
    InvitationUnusable,
    NotAllowed,
    ServiceError,
    draft_innovation_page,
    set_idea_status,
    set_up_profile,
)

from . import documents, notifications, permissions
from .assignment import AssignmentPlan, plan_assignments
from .models import (
    JUROR_INVITATION_VALIDITY,
    Assignment,
    Award,
    AwardLevel,
    ConflictOfInterest,
    ConflictSource,
    DocumentKind,
    DocumentStatus,
    JurorInvitation,
    JurorNotice,
    JuryMember,
    JuryRole,
    MeetingVote,
    MessageGroup,
    Review,
    ReviewStatus,
    RoundDocument,
    RoundMessage,
    Score,
    ScoreChange,
    ShortlistEntry,
)
from .round_report import round_report
from .scoreboard import (
    conflicted_pairs,
    criteria_of,
    entered_ideas,
    jurors_of,
    round_ranking,
    screened_ideas,
    unfinished_reviews,
)

logger = logging.getLogger(__name__)

JURORS_GROUP = "Jurors"


class FieldErrors(ServiceError):
    """A refusal with a message per field, for the form to show next to each."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


# --- the jury ---------------------------------------------------------------------------------


@transaction.atomic
def sync_jury(*, competition) -> list[int]:
    """Bring the Jurors group and the jurors' first e-mail in line with the round's jury.

    Called when the round's page is published (only then are its jury rows written). Side
    effects: the round's jurors join the Jurors group (whose sessions are strict), users on no
    jury leave it; each juror not yet told gets one e-mail saying they are on the jury. Returns
    the ids of the jurors told now.
    """
    competition = competition.canonical()
    group, _created = Group.objects.get_or_create(name=JURORS_GROUP)
    jury = jurors_of(competition)
    group.user_set.add(*[member.user for member in jury])
    group.user_set.remove(*group.user_set.filter(jury_memberships__isnull=True))
    return _notify_once(competition, [m.user_id for m in jury], JurorNotice.JURY_SET)


def _notify_once(competition, user_ids: list[int], kind: str, **context) -> list[int]:
    told = set(
        JurorNotice.objects.filter(competition=competition, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    new = [user for user in user_ids if user not in told]
    for user in new:
        notice = JurorNotice.objects.create(competition=competition, user_id=user, kind=kind)
        notifications.juror_notice(notice=notice, **context)
    return new


# --- adding jurors: at once, or by an invitation ----------------------------------------------


def already_on_jury(user) -> str:
    return _("%(name)s is already on this round's jury.") % {"name": display_name(user)}


def _jury_user_ids(page: CompetitionPage, draft: CompetitionPage | None = None) -> set[int]:
    """Who is on the round's jury: its rows, and the rows of the page's latest draft
    (``draft``, read if not given), which become rows when it is published."""
    draft = draft or page.get_latest_revision_as_object()
    live = set(JuryMember.objects.filter(competition=page).values_list("user_id", flat=True))
    return live | {member.user_id for member in draft.jury_members.all()}


def _seat_juror(*, competition, user, role: str, by, field: str) -> JuryMember:
    """Put ``user`` on the round's jury now; refused on ``field`` if they are on it already.

    The row is written at once. While the round's page has unpublished changes, its editor
    loads (and publishing writes) the latest revision rather than the rows, so the juror is
    added to that revision too: otherwise publishing the draft would delete the row. Without
    unpublished changes the editor loads the rows themselves.
    """
    page = CompetitionPage.objects.select_for_update().get(pk=competition.canonical().pk)
    draft = page.get_latest_revision_as_object()
    if user.pk in _jury_user_ids(page, draft):
        raise FieldErrors({field: already_on_jury(user)})
    last = JuryMember.objects.filter(competition=page).aggregate(last=Max("sort_order"))["last"]
    member = JuryMember.objects.create(
        competition=page, user=user, role=role, sort_order=(last or 0) + 1
    )
    if page.has_unpublished_changes and page.latest_revision_id:
        draft.jury_members.add(member)
        draft.save_revision(user=by, changed=False, clean=False)
    log(
        instance=page, action="ideatori.juror_added", user=by, data={"juror": user.pk, "role": role}
    )
    if page.live:
        Group.objects.get_or_create(name=JURORS_GROUP)[0].user_set.add(user)
        _notify_once(page, [user.pk], JurorNotice.JURY_SET)
    return member


@transaction.atomic
def add_juror(*, competition, user, role: str = JuryRole.MEMBER, by) -> JuryMember:
    """The coordinator puts someone with an account on the round's jury.

    Refused (``FieldErrors`` on "user") when they are on it already. Side effects: the jury
    row (also in a new revision of the round's page while a draft of it waits; see
    ``_seat_juror``), logged in the page's history; when the page is live, the juror joins
    the Jurors group and is told once that they are on the jury (``_notify_once``).
    """
    if not permissions.can_manage_jury(by):
        raise NotAllowed(_("Only a coordinator keeps the jury."))
    return _seat_juror(competition=competition, user=user, role=role, by=by, field="user")


@dataclass
class JurorAdded:
    """What adding by e-mail did: an account joined (``member``), or an invitation went."""

    member: JuryMember | None = None
    invitation: JurorInvitation | None = None
    token: str = ""


def _invitation_link(invitation: JurorInvitation, token: str) -> str:
    with translation.override(invitation.language):
        return public_url(reverse("judging:invitation", kwargs={"token": token}))


@transaction.atomic
def add_juror_by_email(
    *,
    competition,
    name: str,
    email: str,
    language: str,
    role: str = JuryRole.MEMBER,
    by,
    now: datetime | None = None,
) -> JurorAdded:
    """The coordinator adds someone to the round's jury by name and e-mail address.

    An account holding the address (any letter case; ``home.accounts.account_for_email``)
    joins at once, with the side effects of ``add_juror``. Anyone else is invited: a
    single-use link valid for 14 days, of which only the hash is kept, e-mailed in
    ``language`` (the invitation's ``sent_at`` follows delivery). Refused (``FieldErrors``
    on "email", nothing written or sent) for a malformed address, someone on the jury already
    and an address with an invitation not yet accepted or cancelled (even an expired one,
    which is sent again instead).
    """
    if not permissions.can_manage_jury(by):
        raise NotAllowed(_("Only a coordinator keeps the jury."))
    now = now or timezone.now()
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise FieldErrors({"email": _("Enter a valid e-mail address.")}) from None
    competition = competition.canonical()
    account = account_for_email(email)
    if account is not None:
        member = _seat_juror(competition=competition, user=account, role=role, by=by, field="email")
        return JurorAdded(member=member)
    if JurorInvitation.objects.pending().filter(competition=competition, email=email).exists():
        raise FieldErrors(
            {
                "email": _(
                    "%(email)s has been invited to this round's jury already: send the "
                    "invitation again or cancel it below."
                )
                % {"email": email}
            }
        )
    token = secrets.token_urlsafe(32)
    invitation = JurorInvitation.objects.create(
        competition=competition,
        name=name.strip(),
        email=email,
        role=role,
        language=language,
        token_hash=hash_token(token),
        invited_by=by,
        created_at=now,
        expires_at=now + JUROR_INVITATION_VALIDITY,
    )
    notifications.juror_invitation(invitation=invitation, link=_invitation_link(invitation, token))
    return JurorAdded(invitation=invitation, token=token)


@transaction.atomic
def resend_juror_invitation(*, invitation: JurorInvitation, by, now: datetime | None = None) -> str:
    """Send a waiting or expired invitation again with a new link valid for 14 days; the old
    link stops working (only the new token's hash is kept). Returns the new token.

    Side effect: the invitation e-mail, as ``add_juror_by_email`` sends it."""
    if not permissions.can_manage_jury(by):
        raise NotAllowed(_("Only a coordinator keeps the jury."))
    now = now or timezone.now()
    invitation = JurorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.why_unusable(now) not in ("", "expired"):
        raise InvitationUnusable(_("This invitation has been accepted or cancelled already."))
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + JUROR_INVITATION_VALIDITY
    invitation.sent_at = None
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
    notifications.juror_invitation(invitation=invitation, link=_invitation_link(invitation, token))
    return token


@transaction.atomic
def cancel_juror_invitation(
    *, invitation: JurorInvitation, by, now: datetime | None = None
) -> JurorInvitation:
    """Take back an invitation not yet accepted (waiting or expired); its link stops working
    and says it was cancelled. No e-mail is sent."""
    if not permissions.can_manage_jury(by):
        raise NotAllowed(_("Only a coordinator keeps the jury."))
    now = now or timezone.now()
    invitation = JurorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.why_unusable(now) not in ("", "expired"):
        raise InvitationUnusable(_("This invitation has been accepted or cancelled already."))
    invitation.cancelled_at = now
    invitation.save(update_fields=["cancelled_at"])
    return invitation


def _usable_juror_invitation(token: str, now: datetime) -> JurorInvitation:
    invitation = (
        # Only the invitation is locked: PostgreSQL refuses to lock the nullable side of the
        # outer join to the inviter.
        JurorInvitation.objects.select_for_update(of=("self",))
        .usable_at(now)
        .with_token(token)
        .select_related("competition", "invited_by")
        .first()
    )
    if invitation is None:
        raise InvitationUnusable(
            _("This invitation link is not valid: it may have expired or been used already.")
        )
    return invitation


def _accept(invitation: JurorInvitation, user, now: datetime) -> None:
    """Seat the invitation's person (unless they are on the jury by now) and use it up."""
    page = invitation.competition.canonical()
    if user.pk not in _jury_user_ids(page):
        _seat_juror(
            competition=page,
            user=user,
            role=invitation.role,
            by=invitation.invited_by,
            field="email",
        )
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


@transaction.atomic
def sign_up_juror(*, token: str, name: str, password: str, now: datetime | None = None):
    """The invited person creates their account through the invitation's link and joins the
    jury. Returns the new account (the caller signs them in).

    The account's address is the invitation's, verified by the link: its ``EmailAddress`` is
    created verified and primary, and no confirmation e-mail is sent. Refused
    (``InvitationUnusable``) once the link is used, cancelled or expired, and (``NotAllowed``)
    when an account holds the address by now. Side effects: the account, its profile (the
    name given, the invitation's language), the invitation marked accepted, and those of
    ``add_juror`` (attributed to the coordinator who invited).
    """
    now = now or timezone.now()
    invitation = _usable_juror_invitation(token, now)
    if account_for_email(invitation.email) is not None:
        raise NotAllowed(_("An account with this address exists: sign in to join the jury."))
    user = create_verified_account(email=invitation.email, password=password)
    set_up_profile(user=user, name=name, language=invitation.language)
    _accept(invitation, user, now)
    return user


@transaction.atomic
def accept_juror_invitation(*, token: str, user, now: datetime | None = None) -> JurorInvitation:
    """Someone who has an account with the invited address by now (they made one before
    following the link) joins the jury through it, signed in.

    Refused (``InvitationUnusable``) once the link is used, cancelled or expired, and
    (``NotAllowed``) for an account that does not hold the invited address. Side effects: the
    invitation marked accepted, and those of ``add_juror`` (attributed to the coordinator who
    invited); someone on the jury already just uses the invitation up.
    """
    now = now or timezone.now()
    invitation = _usable_juror_invitation(token, now)
    if not permissions.holds_invited_address(user, invitation):
        raise NotAllowed(_("This invitation is for another e-mail address."))
    _accept(invitation, user, now)
    return invitation


@transaction.atomic
def open_judging(*, competition, now: datetime | None = None) -> AssignmentPlan | None:
    """When judging has opened: assign the ideas if nobody has yet, and tell each juror once.

    Run by the ``open_judging`` command (every few minutes in production) and safe to run
    again: an existing assignment is kept, and no juror is told twice. Returns the new plan, or
    None when the round is not in judging or was assigned already.
    """
    competition = competition.canonical()
    if not permissions.judging_open(competition, now):
        return None
    plan = None
    if not Assignment.objects.filter(idea__competition=competition).exists():
        plan = generate_assignments(competition=competition, by=None, now=now)
    _notify_once(competition, [m.user_id for m in jurors_of(competition)], JurorNotice.JUDGING_OPEN)
    return plan


def open_judging_where_due(*, now: datetime | None = None) -> list[tuple]:
    """``open_judging`` for every live round whose judging has opened (the command and the
    schedule run this): (round, plan) for the rounds assigned now."""
    now = now or timezone.now()
    rounds = (
        CompetitionPage.objects.live()
        .filter(locale=Locale.get_default())
        .in_phase(Phase.JUDGING, at=now)
    )
    opened = []
    for competition in rounds:
        plan = open_judging(competition=competition, now=now)
        if plan is not None:
            opened.append((competition, plan))
    return opened


def juror_reminder_kind(competition, stage: Stage) -> str:
    """One reminder per juror and deadline (the end of the screening, or of judging): moving
    the deadline makes a new one due."""
    return f"reminder:{competition.stage_closes_at(stage):%Y%m%d%H%M}"


def remind_jurors(*, now: datetime | None = None) -> int:
    """E-mail each juror who has unfinished reviews of the current stage in a round whose
    stage (the screening, or judging) ends within the round's ``juror_reminder_days``; never
    twice for the same deadline (a ``JurorNotice`` per juror and deadline, its ``sent_at``
    written on delivery). Returns how many were reminded. Run by the schedule every hour."""
    now = now or timezone.now()
    rounds = (
        CompetitionPage.objects.live()
        .filter(locale=Locale.get_default(), juror_reminder_days__isnull=False)
        .in_phase(Phase.JUDGING, at=now)
    )
    reminded = 0
    for competition in rounds:
        soon = now + timedelta(days=competition.juror_reminder_days)
        stage = competition.stage_at(now)
        if competition.phase_at(soon) == Phase.JUDGING and competition.stage_at(soon) == stage:
            continue  # the stage ends later than the reminder comes
        unfinished = unfinished_reviews(competition)
        jurors = [m.user_id for m in jurors_of(competition) if unfinished.get(m.user_id)]
        with transaction.atomic():
            told = _notify_once(
                competition,
                jurors,
                juror_reminder_kind(competition, stage),
                unfinished=unfinished,
                stage=stage,
            )
        reminded += len(told)
    return reminded


# --- assignment -------------------------------------------------------------------------------


def preview_assignments(*, competition, seed: int | None = None) -> AssignmentPlan:
    """The plan ``generate_assignments`` would make now, without writing it."""
    jury = [m.user_id for m in jurors_of(competition)]
    ideas = list(entered_ideas(competition).values_list("pk", flat=True))
    return plan_assignments(
        ideas=ideas,
        jurors=jury,
        conflicts=conflicted_pairs(competition, jury),
        k=competition.reviews_per_idea,
        seed=competition.pk if seed is None else seed,
    )


@transaction.atomic
def generate_assignments(
    *, competition, by, seed: int | None = None, now: datetime | None = None
) -> AssignmentPlan:
    """Replace the round's assignments with a fresh plan (see ``assignment.plan_assignments``).

    Refused outside judging (before the submission deadline, after judging closed), after a
    two-stage round's screening (the final stage's assignments come from the shortlist), and
    once any score has been entered: from then on the coordinator changes single assignments.
    Writes screening-stage assignments (a one-stage round's only stage). Logged in the
    round's history.
    """
    if not permissions.judging_open(competition, now):
        raise NotAllowed(_("Ideas are assigned while judging runs, not before or after it."))
    if permissions.screening_closed(competition, now):
        raise NotAllowed(
            _("The screening has closed: the final stage's assignments come from the shortlist.")
        )
    if Score.objects.filter(review__assignment__idea__competition=competition).exists():
        raise NotAllowed(
            _("Scores have been entered: change single assignments instead of regenerating.")
        )
    plan = preview_assignments(competition=competition, seed=seed)
    Assignment.objects.filter(idea__competition=competition, stage=Stage.SCREENING).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(juror_id=juror, idea_id=idea, stage=Stage.SCREENING)
            for juror, idea in sorted(plan.pairs)
        ]
    )
    log(
        instance=competition,
        action="ideatori.assignments_generated",
        user=by,
        data={"assignments": len(plan.pairs), "shortfall": plan.shortfall},
    )
    return plan


@transaction.atomic
def add_assignment(*, idea: Idea, juror, by, now: datetime | None = None) -> Assignment:
    """Assign one more idea to a juror of its round while judging runs, in the round's current
    stage; never a conflicted pair, and in the final stage only a shortlisted idea."""
    competition = idea.competition
    if not permissions.can_change_assignments(by, competition, now):
        raise NotAllowed(_("Assignments change only while judging runs."))
    if not permissions.is_juror(juror, competition):
        raise NotAllowed(_("Only a juror of this round can be assigned its ideas."))
    if idea.status not in ENTERED_STATUSES:
        raise NotAllowed(_("Only submitted ideas are reviewed."))
    if permissions.is_conflicted(juror, idea):
        raise NotAllowed(_("This juror has a conflict of interest with the idea."))
    stage = permissions.current_stage(competition, now)
    if stage == Stage.FINAL and not ShortlistEntry.objects.filter(idea=idea).exists():
        raise NotAllowed(_("In the final stage only shortlisted ideas are scored."))
    assignment, created = Assignment.objects.get_or_create(idea=idea, juror=juror, stage=stage)
    if not created:
        raise NotAllowed(_("The juror already reviews this idea."))
    log(instance=assignment, action="ideatori.assignment_added", user=by)
    return assignment


@transaction.atomic
def remove_assignment(*, assignment: Assignment, by, now: datetime | None = None) -> None:
    """Take one idea from a juror while judging runs, unless they have submitted its review."""
    if not permissions.can_change_assignments(by, assignment.idea.competition, now):
        raise NotAllowed(_("Assignments change only while judging runs."))
    if Review.objects.filter(assignment=assignment, status=ReviewStatus.SUBMITTED).exists():
        raise NotAllowed(_("The juror has submitted this review; it cannot be taken away."))
    log(instance=assignment, action="ideatori.assignment_removed", user=by)
    assignment.delete()


# --- conflicts of interest --------------------------------------------------------------------


@transaction.atomic
def set_conflict(
    *,
    idea: Idea,
    juror,
    active: bool,
    reason: str,
    source: str,
    by,
    now: datetime | None = None,
) -> ConflictOfInterest:
    """The one function that changes a conflict of interest; every change needs a reason.

    Side effects: the pair's row is written (it overrides the automatic rule from now on); an
    active conflict hides the idea from the juror's list, its review from the ranking (a
    submitted one is withdrawn from it) and others' scores from the juror, until lifted; the
    change is logged in Wagtail's audit log with its reason.
    """
    reason = reason.strip()
    if not reason:
        raise FieldErrors({"reason": _("Give the reason.")})
    row, _created = ConflictOfInterest.objects.update_or_create(
        idea=idea,
        juror=juror,
        defaults={
            "active": active,
            "reason": reason,
            "source": source,
            "changed_by": by,
            "changed_at": now or timezone.now(),
        },
    )
    action = "ideatori.conflict_set" if active else "ideatori.conflict_lifted"
    log(instance=row, action=action, user=by, data={"reason": reason, "source": source})
    return row


def declare_conflict(*, idea: Idea, by, reason: str, now: datetime | None = None):
    """A juror declares a conflict with an idea of their round."""
    if not permissions.can_declare_conflict(by, idea, now):
        raise NotAllowed(_("You cannot declare a conflict with this idea."))
    return set_conflict(
        idea=idea,
        juror=by,
        active=True,
        reason=reason,
        source=ConflictSource.DECLARED,
        by=by,
        now=now,
    )


# --- reviews ----------------------------------------------------------------------------------


@transaction.atomic
def save_review(
    *,
    assignment: Assignment,
    values: Mapping[int, int | None],
    comments: Mapping[int, str],
    overall_comment: str,
    submit: bool,
    by,
    now: datetime | None = None,
) -> Review:
    """Save the juror's scores as a draft, or submit them.

    Refused (``FieldErrors``, nothing written) when a score lies outside its criterion's scale,
    or when a score is missing on submit; refused (``NotAllowed``) after judging closes. A
    submitted review stays submitted; each later change of a score or its comment is kept as a
    ``ScoreChange`` (who, when, old, new).
    """
    idea = assignment.idea
    if not permissions.can_score(by, idea, now):
        raise NotAllowed(_("Judging has closed; scores can no longer be changed."))
    if assignment.stage != permissions.current_stage(idea.competition, now):
        raise NotAllowed(_("The screening has closed; its reviews can no longer be changed."))
    review, _created = Review.objects.select_for_update().get_or_create(assignment=assignment)
    submitting = submit or review.status == ReviewStatus.SUBMITTED
    criteria = criteria_of(idea.competition)
    errors = {}
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"score_{criterion.pk}"] = _("Choose a score from %(low)d to %(high)d.") % {
                "low": criterion.scale_min,
                "high": criterion.scale_max,
            }
        elif value is None and submitting:
            errors[f"score_{criterion.pk}"] = _("Give a score before submitting.")
    if errors:
        raise FieldErrors(errors)

    now = now or timezone.now()
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion in criteria:
        value, comment = values.get(criterion.pk), comments.get(criterion.pk, "").strip()
        score = existing.get(criterion.pk)
        if score is None:
            Score.objects.create(review=review, criterion=criterion, value=value, comment=comment)
            continue
        if (score.value, score.comment) == (value, comment):
            continue
        if review.status == ReviewStatus.SUBMITTED:
            ScoreChange.objects.create(
                score=score,
                changed_by=by,
                changed_at=now,
                old_value=score.value,
                new_value=value,
                old_comment=score.comment,
                new_comment=comment,
            )
        score.value, score.comment = value, comment
        score.save(update_fields=["value", "comment"])
    if submitting and review.status != ReviewStatus.SUBMITTED:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
    review.overall_comment = overall_comment.strip()
    review.updated_at = now
    review.save()
    return review


# --- two stages and the jury's meeting --------------------------------------------------------


@transaction.atomic
def choose_shortlist(
    *, competition, ideas: Collection[Idea], by, now: datetime | None = None
) -> list[ShortlistEntry]:
    """The coordinator's shortlist from the screening ranking, for the final stage.

    Refused (``NotAllowed``) before the screening closes or after judging closes, and once a
    final-stage score has been entered; refused (``FieldErrors`` on ``ideas``) when empty,
    when larger than the number of screened ideas (those with a submitted screening review),
    or when it holds an idea that was not screened.

    Side effects: the round's shortlist replaced (``ShortlistEntry`` rows); the final stage's
    assignments replaced: every shortlisted idea assigned to every juror of the final jury
    (``JuryMember.final_jury``) without a conflict with it; each juror given a final-stage idea
    e-mailed once that the final stage has begun (not again when the shortlist is chosen anew);
    logged in the round's history.
    """
    competition = competition.canonical()
    if not permissions.can_choose_shortlist(by, competition, now):
        raise NotAllowed(
            _("The shortlist is chosen after the screening closes, before judging ends.")
        )
    if Score.objects.filter(
        review__assignment__idea__competition=competition,
        review__assignment__stage=Stage.FINAL,
        value__isnull=False,
    ).exists():
        raise NotAllowed(_("The final jury has begun scoring: the shortlist can no longer change."))
    chosen = sorted({idea.pk for idea in ideas})
    screened = screened_ideas(competition)
    if not chosen:
        raise FieldErrors({"ideas": _("Choose at least one idea for the shortlist.")})
    if len(chosen) > len(screened):
        raise FieldErrors(
            {
                "ideas": ngettext(
                    "The shortlist can hold at most the %(count)d screened idea.",
                    "The shortlist can hold at most the %(count)d screened ideas.",
                    len(screened),
                )
                % {"count": len(screened)}
            }
        )
    if not set(chosen) <= screened:
        raise FieldErrors({"ideas": _("Only ideas reviewed in the screening can be shortlisted.")})
    now = now or timezone.now()
    ShortlistEntry.objects.filter(competition=competition).delete()
    entries = ShortlistEntry.objects.bulk_create(
        [
            ShortlistEntry(competition=competition, idea_id=idea, chosen_by=by, chosen_at=now)
            for idea in chosen
        ]
    )
    jury = [m.user_id for m in jurors_of(competition) if m.final_jury]
    plan = plan_assignments(
        ideas=chosen, jurors=jury, conflicts=conflicted_pairs(competition, jury), k=None
    )
    Assignment.objects.filter(idea__competition=competition, stage=Stage.FINAL).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(juror_id=juror, idea_id=idea, stage=Stage.FINAL, created_at=now)
            for juror, idea in sorted(plan.pairs)
        ]
    )
    log(
        instance=competition,
        action="ideatori.shortlist_chosen",
        user=by,
        data={"ideas": chosen, "assignments": len(plan.pairs)},
    )
    _notify_once(
        competition, sorted({juror for juror, _idea in plan.pairs}), JurorNotice.FINAL_STAGE
    )
    return entries


@transaction.atomic
def record_meeting_votes(
    *, competition, votes: Mapping[int, int | None], by, now: datetime | None = None
) -> list[MeetingVote]:
    """The votes each idea got at the jury's meeting, keyed by idea.

    Refused (``NotAllowed``) unless ``by`` may record them (the chair or the coordinator,
    after judging closes and before the results); refused (``FieldErrors`` keyed
    ``<idea>-votes``) for a number outside 0 … the jury's size, or an idea not of the round.

    Side effects: one ``MeetingVote`` per idea given a number (replacing the earlier one); an
    idea given None loses its recorded votes. The ranking's tie-break and the decision screen
    read them as the jury's recorded vote. Logged in the round's history.
    """
    competition = competition.canonical()
    if not permissions.can_record_meeting_votes(by, competition, now):
        raise NotAllowed(_("The chair records the votes after judging closes, before the results."))
    ideas = set(entered_ideas(competition).values_list("pk", flat=True))
    jury_size = len(jurors_of(competition))
    errors = {}
    for idea, count in votes.items():
        if idea not in ideas:
            errors[f"{idea}-votes"] = _("This idea is not in the round.")
        elif count is not None and not 0 <= count <= jury_size:
            errors[f"{idea}-votes"] = _("Votes lie between 0 and the jury's size, %(size)d.") % {
                "size": jury_size
            }
    if errors:
        raise FieldErrors(errors)
    now = now or timezone.now()
    MeetingVote.objects.filter(
        idea_id__in=[idea for idea, count in votes.items() if count is None]
    ).delete()
    recorded = [
        MeetingVote.objects.update_or_create(
            idea_id=idea,
            defaults={
                "competition": competition,
                "votes": count,
                "recorded_by": by,
                "recorded_at": now,
            },
        )[0]
        for idea, count in sorted(votes.items())
        if count is not None
    ]
    log(
        instance=competition,
        action="ideatori.meeting_votes_recorded",
        user=by,
        data={"votes": {str(v.idea_id): v.votes for v in recorded}},
    )
    return recorded


# --- the decision -----------------------------------------------------------------------------


@dataclass
class DecisionEntry:
    idea_id: int
    level: str = ""
    rationale: str = ""
    criteria: Collection[int] = field(default_factory=list)
    feedback: str = ""
    votes: int | None = None


@transaction.atomic
def record_decision(
    *, competition, entries: list[DecisionEntry], by, now: datetime | None = None
) -> list[Award]:
    """Record the jury's decision on every idea of the round, after judging has closed.

    An award needs a written rationale and the criteria it rests on, and can go only to an idea
    that was submitted; at most the round's ``winners_allowed`` ideas are winners; recorded
    votes lie between 0 and the jury's size. An idea given no entry keeps the decision it has,
    or, with none yet, is marked not awarded.

    Side effects: one ``Award`` row per idea (recording again replaces the earlier decision
    until results are published); each idea's status set through
    ``ideas.services.set_idea_status`` in the same transaction, so that an idea is awarded
    exactly when its award row says so; the decision logged in Wagtail's audit log on the
    round's page. Feedback reaches the teams only when results are published.
    """
    if not can_decide(by, competition, now):
        raise NotAllowed(_("The decision is recorded after judging closes, before the results."))
    ideas = {idea.pk: idea for idea in entered_ideas(competition).select_related("competition")}
    criteria = {c.pk for c in criteria_of(competition)}
    jury_size = len(jurors_of(competition))
    errors = {}
    for entry in entries:
        prefix = f"{entry.idea_id}-"
        if entry.level and entry.level not in AwardLevel.values:
            errors[prefix + "level"] = _("Choose an award from the list.")
        elif entry.level and entry.idea_id not in ideas:
            errors[prefix + "level"] = _("An award can go only to a submitted idea.")
        elif entry.level:
            if not entry.rationale.strip():
                errors[prefix + "rationale"] = _("Write the jury's rationale for the award.")
            if not set(entry.criteria) & criteria:
                errors[prefix + "criteria"] = _("Name the criteria the decision rests on.")
        if entry.votes is not None and not 0 <= entry.votes <= jury_size:
            errors[prefix + "votes"] = _("Votes lie between 0 and the jury's size, %(size)d.") % {
                "size": jury_size
            }
    winners = [e for e in entries if e.level == AwardLevel.WINNER and e.idea_id in ideas]
    posted = {entry.idea_id for entry in entries}
    kept_winners = (
        Award.objects.filter(idea__in=ideas.values(), level=AwardLevel.WINNER)
        .exclude(idea_id__in=posted)
        .count()
    )
    allowed = competition.canonical().winners_allowed
    if len(winners) + kept_winners > allowed:
        message = ngettext(
            "The round names %(allowed)d winner; %(count)d are chosen.",
            "The round names %(allowed)d winners; %(count)d are chosen.",
            allowed,
        ) % {"allowed": allowed, "count": len(winners) + kept_winners}
        for entry in winners:
            errors[f"{entry.idea_id}-level"] = message
    if errors:
        raise FieldErrors(errors)

    by_idea = {entry.idea_id: entry for entry in entries}
    decided = set(Award.objects.filter(idea__in=ideas.values()).values_list("idea_id", flat=True))
    awards = []
    for idea_id, idea in ideas.items():
        if idea_id not in by_idea and idea_id in decided:
            continue  # not on the form this time: its decision stands
        entry = by_idea.get(idea_id, DecisionEntry(idea_id))
        award, _created = Award.objects.update_or_create(
            idea=idea,
            defaults={
                "level": entry.level,
                "rationale": entry.rationale.strip() if entry.level else "",
                "feedback": entry.feedback.strip(),
                "votes": entry.votes,
                "decided_by": by,
                "decided_at": now or timezone.now(),
            },
        )
        award.criteria.set(sorted(set(entry.criteria) & criteria) if entry.level else [])
        status = IdeaStatus.AWARDED if entry.level else IdeaStatus.NOT_AWARDED
        if idea.status != status:
            set_idea_status(idea=idea, status=status, by=by, now=now)
        awards.append(award)
    log(
        instance=competition,
        action="ideatori.decision_recorded",
        user=by,
        data={"awards": {str(a.idea_id): a.level for a in awards if a.level}},
    )
    return awards


def create_innovation_page(*, idea: Idea, by, now: datetime | None = None):
    """Draft the innovation page of an awarded idea with the jury's part filled in: the award,
    its rationale and the idea's mean score per criterion (shown only if the coordinator opts
    in on the page). Means only: no juror and no single review reaches the page.

    Side effects: those of ``ideas.services.draft_innovation_page``.
    """
    award = Award.objects.get(idea=idea)
    ranking = round_ranking(idea.competition)
    row = next((r for r in ranking.ranking.ideas if r.idea == idea.pk), None)
    means = row.criterion_means if row is not None else {}
    criterion_means = [
        {
            "key": str(criterion.translation_key),
            "name": criterion.name,
            "mean": round(means[criterion.pk], 2),
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
        }
        for criterion in ranking.criteria
        if criterion.pk in means
    ]
    return draft_innovation_page(
        idea=idea,
        award=award.level,
        rationale=award.rationale,
        criterion_means=criterion_means,
        by=by,
        now=now,
    )


# --- messages to a round's people ------------------------------------------------------------


def message_recipients(*, competition, group: str) -> list:
    """The people a message to ``group`` reaches, each once, with their profile (language)."""
    User = get_user_model()
    if group in (MessageGroup.TEAMS, MessageGroup.DRAFTING):
        ideas = Idea.objects.filter(competition=competition).exclude(status=IdeaStatus.WITHDRAWN)
        if group == MessageGroup.DRAFTING:
            ideas = ideas.filter(status=IdeaStatus.DRAFT)
        people = User.objects.filter(memberships__team__ideas__in=ideas)
    elif group == MessageGroup.JURORS:
        people = User.objects.filter(jury_memberships__competition=competition)
    elif group == MessageGroup.LATE_JURORS:
        people = User.objects.filter(pk__in=list(unfinished_reviews(competition)))
    else:
        raise ValueError(group)
    # An inactive account (one standing for an erased juror, say) reads no mail.
    return list(
        people.filter(is_active=True).distinct().select_related("profile").order_by("email")
    )


@transaction.atomic
def send_round_message(*, competition, group: str, texts: dict, by) -> RoundMessage:
    """Write to one group of the round's people (``message_recipients``), each in their own
    language where the coordinator wrote one, else in the default language, else in the first
    written. ``texts``: {language: {"subject": ..., "body": ...}}.

    Refused (``FieldErrors``) with no complete text, and when the group has nobody in it;
    nothing is queued then. Side effects: one e-mail per person through the outbox, and the
    ``RoundMessage`` that logs who wrote what, to whom and when.
    """
    if not permissions.can_manage_judging(by):
        raise NotAllowed(_("Only a coordinator writes to a round's teams and jurors."))
    written = {
        language: text
        for language, text in texts.items()
        if text.get("subject", "").strip() and text.get("body", "").strip()
    }
    if not written:
        raise FieldErrors({"subject": _("Write the subject and the message in one language.")})
    people = message_recipients(competition=competition, group=group)
    if not people:
        raise FieldErrors({"group": _("Nobody is in this group now: nothing was sent.")})
    fallback = written.get(settings.LANGUAGE_CODE) or next(iter(written.values()))
    for person in people:
        text = written.get(language_of(person), fallback)
        message = EmailMessage(
            " ".join(text["subject"].split()),
            text["body"].strip(),
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
        )
        message.send()
    record = RoundMessage.objects.create(
        competition=competition,
        group=group,
        texts=written,
        recipients=[person.email for person in people],
        sent_by=by,
    )
    log(instance=competition, action="ideatori.message_sent", user=by, data={"group": group})
    return record


# --- the round's report and the jury packet, made in the background --------------------------


class NothingToInclude(ServiceError):
    """The round (or the juror's part of it) has no entered idea: no file is made."""


def packet_ideas_of(competition, juror=None) -> list[Idea]:
    """The ideas a packet holds, by id: every entered idea of the round, or a juror's own
    (assigned in the round's current stage, entered, without a conflict: the ideas
    ``can_view_review`` lets them read)."""
    ideas = Idea.objects.filter(competition=competition, status__in=ENTERED_STATUSES)
    if juror is not None:
        conflicts = conflicted_pairs(competition, [juror.pk])
        ideas = ideas.filter(
            assignments__juror=juror,
            assignments__stage=permissions.current_stage(competition),
        ).distinct()
        return [
            idea
            for idea in ideas.select_related("team", "competition").order_by("pk")
            if (juror.pk, idea.pk) not in conflicts
        ]
    return list(ideas.select_related("team", "competition").order_by("pk"))


@transaction.atomic
def request_document(*, competition, kind: str, by) -> RoundDocument:
    """Ask for the round's report (``DocumentKind.REPORT``, or ``INTERNAL_REPORT`` naming a
    blind round's jurors) or its jury packet, made in the coordinator's (the active) language.

    A juror asking for the packet gets their own ideas only. Refused (``NotAllowed``) to
    anyone the predicates refuse; refused (``NothingToInclude``) when there is no idea to put
    in, and then nothing is queued and no file is made. Side effects: a queued
    ``RoundDocument``, and once the transaction commits the background task that makes it
    (``build_document``).
    """
    if kind == DocumentKind.PACKET:
        if not permissions.can_request_jury_packet(by, competition):
            raise NotAllowed(_("Only the coordinator and the round's jurors get the packet."))
        juror = None if permissions.can_manage_judging(by) else by
        if not packet_ideas_of(competition, juror):
            raise NothingToInclude(
                _("The round has no submitted ideas for you: there is no packet to make.")
                if juror
                else _("The round has no submitted ideas: there is no packet to make.")
            )
    elif kind in (DocumentKind.REPORT, DocumentKind.INTERNAL_REPORT):
        if not permissions.can_view_round_report(by, competition):
            raise NotAllowed(_("Only a coordinator makes the round's report."))
        juror = None
        if not Idea.objects.filter(competition=competition, status__in=ENTERED_STATUSES).exists():
            raise NothingToInclude(
                _("The round has no submitted ideas: there is no report to make.")
            )
    else:
        raise NotAllowed(_("Unknown document."))
    document = RoundDocument.objects.create(
        competition=competition,
        kind=kind,
        juror=juror,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=by,
    )
    transaction.on_commit(lambda: _enqueue_build(document))
    return document


def _enqueue_build(document: RoundDocument) -> None:
    try:
        build_document_task.enqueue(document.pk)
    except Exception as error:
        logger.exception("Could not enqueue round document %s", document.pk)
        RoundDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED,
            message=_("The background worker could not be reached: %(error)s")
            % {"error": str(error)[:300]},
            finished_at=timezone.now(),
        )


@task()
def build_document_task(document_id: int) -> str:
    return build_document(document_id=document_id).status


def build_document(*, document_id: int) -> RoundDocument:
    """Make one queued document, once however many workers run it: the row is claimed by one
    conditional UPDATE (queued → running). Not one transaction: the progress (``done`` of
    ``total`` ideas) is written as it goes, for the coordinator's status row.

    Side effects: the file, in the private store (``STORAGES["attachments"]``), and the row
    ready; or the row failed with the reason. The same person's older documents of the same
    kind for the round are deleted with their files once the new one is ready.
    """
    claimed = RoundDocument.objects.filter(pk=document_id, status=DocumentStatus.QUEUED).update(
        status=DocumentStatus.RUNNING
    )
    document = RoundDocument.objects.select_related("competition", "juror").get(pk=document_id)
    if not claimed:
        return document
    competition = document.competition

    def progress(done: int, total: int) -> None:
        RoundDocument.objects.filter(pk=document.pk).update(done=done, total=total)

    try:
        with translation.override(document.language):
            if document.kind == DocumentKind.PACKET:
                ideas = packet_ideas_of(competition, document.juror)
                if not ideas:
                    raise NothingToInclude(_("The round has no submitted ideas."))
                progress(0, len(ideas))
                data = documents.jury_packet(competition, ideas, progress=progress)
                filename = f"{competition.slug}-{_('jury-packet')}.zip"
            else:
                report = round_report(
                    competition, internal=document.kind == DocumentKind.INTERNAL_REPORT
                )
                if report.empty:
                    raise NothingToInclude(_("The round has no submitted ideas."))
                progress(0, 1)
                data = documents.report_pdf(report)
                progress(1, 1)
                filename = f"{competition.slug}-{_('report')}.pdf"
        document.file.save(filename, ContentFile(data), save=False)
    except Exception as error:
        logger.exception("Round document %s could not be made", document.pk)
        if isinstance(error, ServiceError):
            reason = str(error)
        else:
            # The details (a library's or the file store's words) are in the log, not shown.
            with translation.override(document.language):
                reason = _(
                    "It could not be made. Please try again; if it fails again, tell the IT staff."
                )
        RoundDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, message=reason[:500], finished_at=timezone.now()
        )
        document.refresh_from_db()
        return document
    RoundDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.READY, file=document.file.name, finished_at=timezone.now()
    )
    older = RoundDocument.objects.filter(
        competition=competition,
        kind=document.kind,
        juror=document.juror,
        requested_by=document.requested_by,
        pk__lt=document.pk,
    ).exclude(status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING])
    for old in older:
        try:
            if old.file:
                old.file.delete(save=False)
        except Exception:
            # Kept, and tried again with the next document: the new one is ready either way.
            logger.exception("An older round document %s could not be removed", old.pk)
            continue
        old.delete()
    document.refresh_from_db()
    return document
