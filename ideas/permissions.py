"""Who may do what with teams and ideas. Views enforce these; lists filter by the same rules.

Every predicate takes the user first and answers with a bool; ``now`` is passed in where the
answer depends on the round's deadline, so that the rules are testable at any moment.
"""

from datetime import datetime

from django.utils import timezone

from .phases import Phase

COORDINATORS_GROUP = "Coordinators"


def is_coordinator(user) -> bool:
    """A superuser, or a member of the Coordinators group the migrations create."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ideatori_is_coordinator", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATORS_GROUP).exists()
        user._ideatori_is_coordinator = cached
    return cached


def is_member(user, team) -> bool:
    return user.is_authenticated and team.memberships.filter(user=user).exists()


def is_lead(user, team) -> bool:
    return user.is_authenticated and team.memberships.filter(user=user, role="lead").exists()


def withheld_from_jurors(attachment) -> bool:
    """A blind round's jurors never receive a file that could not be cleaned of its metadata
    (its ``blind_copy`` records why); an open round's jurors receive every file as uploaded."""
    return attachment.idea.competition.blind_judging and attachment.blind_copy not in ("", "made")


# Who reads an idea's answers to its round's questions (``ideas.questions.idea_answers``).
AUDIENCES = ("team", "coordinator", "juror", "public")


def answer_shown_to(audience: str, question, *, blind: bool) -> bool:
    """The team and coordinators read every answer; jurors those marked visible to them,
    except, in a blind round, those marked identifying; the public (a winning innovation's
    page and the open-data API) only those marked public."""
    if audience in ("team", "coordinator"):
        return True
    if audience == "juror":
        return question.visible_to_jurors and not (blind and question.identifying)
    if audience == "public":
        return question.public
    raise ValueError(f"unknown audience {audience!r}")


def file_shown_to(audience: str, attachment, question, *, blind: bool) -> bool:
    """A file attached to the idea as a whole goes to whoever reads the idea; a file answering
    one of the round's questions (``question``, None when the round no longer has it) only
    where ``answer_shown_to`` lets the audience read that question's answer."""
    if not attachment.question_key:
        return True
    return question is not None and answer_shown_to(audience, question, blind=blind)


# --- the round's phase: every rule that depends on a date asks the round -----------------------


def accepts_ideas(competition, now: datetime | None = None) -> bool:
    """Teams start, write, submit and change ideas: submissions are open."""
    return competition.phase_at(now or timezone.now()) == Phase.OPEN


def before_deadline(competition, now: datetime | None = None) -> bool:
    """The submission deadline has not passed (the round may not have opened yet)."""
    return competition.phase_at(now or timezone.now()) in (Phase.UPCOMING, Phase.OPEN)


def results_published(competition, now: datetime | None = None) -> bool:
    """The coordinator has published the round's results and they are live (approved, where
    the site asks for a second coordinator's approval)."""
    return competition.phase_at(now or timezone.now()) == Phase.RESULTS


def reader_role(user, team) -> str | None:
    """As whom ``user`` reads the team's idea and files, for the audit trail: ``"member"``,
    ``"coordinator"`` (a coordinator who is not on the team), or None."""
    if is_member(user, team):
        return "member"
    return "coordinator" if is_coordinator(user) else None


def can_view_idea(user, idea) -> bool:
    """The team's members read their idea at any time; coordinators read every idea."""
    return is_coordinator(user) or is_member(user, idea.team)


def can_edit_idea(user, idea, now: datetime | None = None) -> bool:
    """Members change a draft or a submitted idea while the round is open (a submitted one
    stays submitted). Coordinators never edit."""
    return (
        idea.status in {"draft", "submitted"}
        and accepts_ideas(idea.competition, now)
        and is_member(user, idea.team)
    )


def can_submit_idea(user, idea, now: datetime | None = None) -> bool:
    return idea.status == "draft" and can_edit_idea(user, idea, now)


def can_withdraw_idea(user, idea, now: datetime | None = None) -> bool:
    """A draft or a submitted idea can be withdrawn by its team until the deadline."""
    return (
        idea.status in {"draft", "submitted"}
        and before_deadline(idea.competition, now)
        and is_member(user, idea.team)
    )


def can_reopen_idea(user, idea, now: datetime | None = None) -> bool:
    """A withdrawn idea can become a draft again while the round is open."""
    return (
        idea.status == "withdrawn"
        and accepts_ideas(idea.competition, now)
        and is_member(user, idea.team)
    )


def can_manage_team(user, team) -> bool:
    """The lead invites and removes members and hands over the lead role."""
    return is_lead(user, team)


def can_start_idea(user, team, competition, now: datetime | None = None) -> bool:
    return accepts_ideas(competition, now) and is_member(user, team)


def can_decide(user, competition, now: datetime | None = None) -> bool:
    """The coordinator records the jury's decision between the end of judging and results."""
    return is_coordinator(user) and competition.phase_at(now or timezone.now()) == (
        Phase.DELIBERATION
    )


def can_decide_idea(user, idea, now: datetime | None = None) -> bool:
    return can_decide(user, idea.competition, now)


def can_publish_results(user, competition, now: datetime | None = None) -> bool:
    """A coordinator publishes a round's results once the jury's decision is recorded (no
    entered idea is left without one), and only once."""
    return (
        can_decide(user, competition, now)
        and not competition.ideas.filter(status="submitted").exists()
    )


def can_create_innovation_page(user, idea, now: datetime | None = None) -> bool:
    """A coordinator drafts an innovation page from an awarded idea once results are out."""
    return (
        is_coordinator(user)
        and idea.status == "awarded"
        and results_published(idea.competition, now)
    )


def can_copy_round(user, competition) -> bool:
    """A coordinator makes next year's round from any round, in any phase; from a translation
    the round itself is copied."""
    return is_coordinator(user) and competition.pk is not None
