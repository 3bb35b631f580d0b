"""E-mails to teams and coordinators, each in its recipient's language.

Each function renders its messages at once and hands them to the outbox (``home.outbox``) in
the caller's transaction: the e-mail exists exactly when the change that caused it does, and
the background worker delivers it, retrying while the mail server is away.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from home.addresses import public_url
from home.mail import send_message

from .models import (
    CompetitionPage,
    Idea,
    IdeaStatus,
    InnovationPage,
    Invitation,
    OutcomeReminder,
    Phase,
    ReminderSent,
    Team,
    months_after,
)
from .models.ideas import field_labels
from .permissions import COORDINATORS_GROUP
from .questions import idea_answers

REMINDER_LEAD_TIME = timedelta(days=2)
AFTER_SUBMISSIONS = (Phase.JUDGING, Phase.DELIBERATION, Phase.RESULTS)
DEADLINE_REMINDER = "deadline_2_days"


def language_of(user) -> str:
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.language if profile is not None else settings.LANGUAGE_CODE


def _send(*, to: str, language: str, template: str, context: dict, receipt=None) -> None:
    send_message(
        to=to,
        template=f"ideas/email/{template}",
        context=context,
        language=language,
        receipt=receipt,
    )


def display_name(user) -> str:
    """The name a person gave in their profile, else their e-mail address."""
    profile = getattr(user, "profile", None)
    return (profile.name if profile is not None else "") or user.email


def _members(team: Team):
    User = get_user_model()
    return User.objects.filter(memberships__team=team).select_related("profile")


def _idea_text(idea: Idea) -> list[tuple[str, str]]:
    """The idea's fields and its answers to the round's questions, in the active language."""
    fields = [(label, getattr(idea, name)) for name, label in field_labels().items()]
    return fields + idea_answers(idea, audience="team")


def invitation_sent(*, invitation_id: int, link: str) -> None:
    """The invitee gets the link in their own language if they have an account, else in the
    language the lead was using."""
    language = translation.get_language()
    invitation = Invitation.objects.select_related("team", "invited_by").get(pk=invitation_id)
    invitee = (
        get_user_model()
        .objects.filter(email__iexact=invitation.email)
        .select_related("profile")
        .first()
    )
    _send(
        to=invitation.email,
        language=language_of(invitee) if invitee is not None else language,
        template="invitation",
        context={"invitation": invitation, "link": link},
    )


def _send_receipt(idea_id: int, changed_by_id: int | None = None) -> None:
    idea = Idea.objects.select_related("team", "competition").get(pk=idea_id)
    changed_by = get_user_model().objects.select_related("profile").filter(pk=changed_by_id).first()
    for member in _members(idea.team):
        language = language_of(member)
        with translation.override(language):
            text = [(str(label), value) for label, value in _idea_text(idea)]
        _send(
            to=member.email,
            language=language,
            template="receipt",
            context={
                "idea": idea,
                "text": text,
                "deadline": idea.competition.closes_at,
                "changed_by": display_name(changed_by) if changed_by else "",
            },
        )


def idea_submitted(*, idea_id: int) -> None:
    """Every member of the team gets a receipt with the text as submitted."""
    _send_receipt(idea_id)


def submitted_idea_changed(*, idea_id: int, by_id: int) -> None:
    """Every member of the team gets the text of the submitted idea as it now stands."""
    _send_receipt(idea_id, by_id)


def idea_withdrawn(*, idea_id: int) -> None:
    idea = Idea.objects.select_related("team", "competition").get(pk=idea_id)
    for member in _members(idea.team):
        _send(
            to=member.email,
            language=language_of(member),
            template="withdrawn",
            context={"idea": idea},
        )


def send_deadline_reminders(*, now: datetime | None = None) -> int:
    """Remind every team with an unsubmitted draft in a round closing within two days.

    A team gets this reminder once per round, however often this runs (and from two
    schedulers at once): the ReminderSent row's unique constraint stops a second one. Its
    ``sent_at`` is written by the outbox when an e-mail of it has been delivered.
    Returns how many teams were reminded now.
    """
    now = now or timezone.now()
    closing = CompetitionPage.objects.in_phase(Phase.OPEN, at=now).in_phase(
        *AFTER_SUBMISSIONS, at=now + REMINDER_LEAD_TIME
    )
    drafts = (
        Idea.objects.filter(status=IdeaStatus.DRAFT, competition__in=closing)
        .select_related("team", "competition")
        .order_by("team_id", "competition_id")
    )
    reminded = 0
    for team_id, competition_id in sorted({(i.team_id, i.competition_id) for i in drafts}):
        try:
            with transaction.atomic():
                record = ReminderSent.objects.create(
                    team_id=team_id, competition_id=competition_id, kind=DEADLINE_REMINDER
                )
                _send_reminder(record)
        except IntegrityError:
            continue
        reminded += 1
    return reminded


def _send_reminder(record: ReminderSent) -> None:
    team = record.team
    ideas = list(
        Idea.objects.filter(
            team=team, competition_id=record.competition_id, status=IdeaStatus.DRAFT
        ).select_related("competition")
    )
    for member in _members(team):
        _send(
            to=member.email,
            language=language_of(member),
            template="reminder",
            context={"team": team, "ideas": ideas, "deadline": ideas[0].competition.closes_at},
            receipt=record,
        )


# --- outcome reminders ------------------------------------------------------------------------

OUTCOME_MILESTONES = (6, 12)


def outcome_updates_due(*, now: datetime | None = None) -> list[tuple]:
    """Published innovations whose round's results are 6 or 12 months old and that have no
    outcome update dated since: (page, months) pairs, for the reminders and the admin panel.
    Innovations are counted in the default language, where the coordinators keep them."""
    today = timezone.localdate(now or timezone.now())
    pages = (
        InnovationPage.objects.live()
        .filter(locale=Locale.get_default())
        .with_round(round_results="results_published_at")
        .filter(round_results__isnull=False)
        .order_by("pk")
    )
    due = []
    for page in pages:
        results = timezone.localdate(page.round_results)
        latest_update = max((block.value["date"] for block in page.updates), default=None)
        for months in reversed(OUTCOME_MILESTONES):
            mark = months_after(results, months)
            if mark <= today:
                if latest_update is None or latest_update < mark:
                    due.append((page, months))
                break
    return due


def send_outcome_reminders(*, now: datetime | None = None) -> int:
    """E-mail the coordinators about each innovation due an outcome update, 6 and 12 months
    after its round's results. Each (innovation, milestone) is sent once, however often this
    runs: the OutcomeReminder row's unique constraint stops a second one; its ``sent_at`` is
    written by the outbox when an e-mail of it has been delivered. Returns how many."""
    now = now or timezone.now()
    sent = 0
    for page, months in outcome_updates_due(now=now):
        try:
            with transaction.atomic():
                record = OutcomeReminder.objects.create(
                    innovation=page, months=months, created_at=now
                )
                _send_outcome_reminder(record)
        except IntegrityError:
            continue
        sent += 1
    return sent


def coordinators():
    User = get_user_model()
    return (
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=COORDINATORS_GROUP))
        .filter(is_active=True)
        .exclude(email="")
        .distinct()
        .select_related("profile")
    )


def attachment_withheld(*, attachment) -> None:
    """Every coordinator learns that a file of a blind round could not be cleaned of its
    metadata, so its jurors will not receive it, and what the team can do."""
    idea = attachment.idea
    for user in coordinators():
        language = language_of(user)
        with translation.override(language):
            link = public_url(reverse("ideas:idea", args=[idea.pk]))
            reason = str(attachment.get_blind_copy_display())
        _send(
            to=user.email,
            language=language,
            template="attachment_withheld",
            context={"idea": idea, "attachment": attachment, "reason": reason, "link": link},
        )


def _send_outcome_reminder(record: OutcomeReminder) -> None:
    page = record.innovation
    link = public_url(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    for user in coordinators():
        _send(
            to=user.email,
            language=language_of(user),
            template="outcome_reminder",
            context={"page": page, "months": record.months, "link": link},
            receipt=record,
        )
