"""Everything that writes in judging: the jury's notices, assignments, conflicts, reviews and the
decision. Keyword-only, typed, each in one transaction; refusals raise a ``ServiceError``."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log
from wagtail.models import Locale

from ideas.models import CompetitionPage, Idea, IdeaStatus, Phase
from ideas.models.ideas import ENTERED_STATUSES
from ideas.notifications import language_of
from ideas.permissions import can_decide
from ideas.services import NotAllowed, ServiceError, draft_innovation_page, set_idea_status

from . import notifications, permissions
from .assignment import AssignmentPlan, plan_assignments
from .models import (
    Assignment,
    Award,
    AwardLevel,
    ConflictOfInterest,
    ConflictSource,
    JurorNotice,
    MessageGroup,
    Review,
    ReviewStatus,
    RoundMessage,
    Score,
    ScoreChange,
)
from .scoreboard import (
    conflicted_pairs,
    criteria_of,
    entered_ideas,
    jurors_of,
    round_ranking,
    unfinished_reviews,
)

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


def juror_reminder_kind(competition) -> str:
    """One reminder per juror and deadline: moving the deadline makes a new one due."""
    return f"reminder:{competition.judging_closes_at:%Y%m%d%H%M}"


def remind_jurors(*, now: datetime | None = None) -> int:
    """E-mail each juror who has unfinished reviews in a round whose judging ends within the
    round's ``juror_reminder_days``; never twice for the same deadline (a ``JurorNotice`` per
    juror and deadline, its ``sent_at`` written on delivery). Returns how many were reminded.
    Run by the schedule every hour."""
    now = now or timezone.now()
    rounds = (
        CompetitionPage.objects.live()
        .filter(locale=Locale.get_default(), juror_reminder_days__isnull=False)
        .in_phase(Phase.JUDGING, at=now)
    )
    reminded = 0
    for competition in rounds:
        soon = now + timedelta(days=competition.juror_reminder_days)
        if competition.phase_at(soon) == Phase.JUDGING:
            continue  # judging ends later than the reminder comes
        unfinished = unfinished_reviews(competition)
        jurors = [m.user_id for m in jurors_of(competition) if unfinished.get(m.user_id)]
        with transaction.atomic():
            told = _notify_once(
                competition, jurors, juror_reminder_kind(competition), unfinished=unfinished
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

    Refused outside judging (before the submission deadline, after judging closed), and once
    any score has been entered: from then on the coordinator changes single assignments.
    Logged in the round's history.
    """
    if not permissions.judging_open(competition, now):
        raise NotAllowed(_("Ideas are assigned while judging runs, not before or after it."))
    if Score.objects.filter(review__assignment__idea__competition=competition).exists():
        raise NotAllowed(
            _("Scores have been entered: change single assignments instead of regenerating.")
        )
    plan = preview_assignments(competition=competition, seed=seed)
    Assignment.objects.filter(idea__competition=competition).delete()
    Assignment.objects.bulk_create(
        [Assignment(juror_id=juror, idea_id=idea) for juror, idea in sorted(plan.pairs)]
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
    """Assign one more idea to a juror of its round while judging runs; never a conflicted
    pair."""
    competition = idea.competition
    if not permissions.can_change_assignments(by, competition, now):
        raise NotAllowed(_("Assignments change only while judging runs."))
    if not permissions.is_juror(juror, competition):
        raise NotAllowed(_("Only a juror of this round can be assigned its ideas."))
    if idea.status not in ENTERED_STATUSES:
        raise NotAllowed(_("Only submitted ideas are reviewed."))
    if permissions.is_conflicted(juror, idea):
        raise NotAllowed(_("This juror has a conflict of interest with the idea."))
    assignment, created = Assignment.objects.get_or_create(idea=idea, juror=juror)
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
    return list(people.distinct().select_related("profile").order_by("email"))


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
