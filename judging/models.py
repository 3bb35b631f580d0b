import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable, TranslatableMixin

from ideas.models import Award as AwardLevel
from ideas.models import Stage
from ideas.models.ideas import private_storage
from ideas.models.teams import hash_token

# The round editor's jury rows choose people by searching (never from a list of every
# account); a widget is what Wagtail's panels need here.
from .widgets import UserChooserWidget

JUROR_INVITATION_VALIDITY = timedelta(days=14)


class Criterion(TranslatableMixin, Orderable):
    """One thing the jury scores a round's ideas on, edited on the round's page.

    Translatable, so that a round's Finnish and Swedish pages show the criteria in
    their own language; the scale and weight are the same in every translation.
    """

    competition = ParentalKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(verbose_name=_("name"), max_length=120)
    description = models.TextField(verbose_name=_("description"), blank=True)
    lowest_means = models.CharField(
        verbose_name=_("what the lowest score means"), max_length=255, blank=True
    )
    highest_means = models.CharField(
        verbose_name=_("what the highest score means"), max_length=255, blank=True
    )
    weight = models.DecimalField(
        verbose_name=_("weight"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    scale_min = models.SmallIntegerField(verbose_name=_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(verbose_name=_("highest score"), default=5)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("lowest_means"), FieldPanel("highest_means")]),
        FieldRowPanel([FieldPanel("weight"), FieldPanel("scale_min"), FieldPanel("scale_max")]),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = ValidationError(
                _("The weight must be greater than zero."), code="weight_not_positive"
            )
        if (
            self.scale_min is not None
            and self.scale_max is not None
            and self.scale_min >= self.scale_max
        ):
            errors["scale_max"] = ValidationError(
                _("The highest score must be greater than the lowest score."),
                code="scale_order",
            )
        if errors:
            raise ValidationError(errors)


class JuryRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")


class JuryMember(Orderable):
    """A juror of one round, kept by the coordinator on the round's page.

    Rows are written when the page is published; who has been told what is kept apart in
    ``JurorNotice``, so that republishing an older draft never mails anyone twice.
    """

    competition = ParentalKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="jury_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("juror"),
        on_delete=models.CASCADE,
        related_name="jury_memberships",
    )
    role = models.CharField(
        verbose_name=_("role"), max_length=16, choices=JuryRole.choices, default=JuryRole.MEMBER
    )
    final_jury = models.BooleanField(
        verbose_name=_("in the final jury"),
        default=True,
        help_text=_("In a round judged in two stages, scores the shortlist."),
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("user", widget=UserChooserWidget),
                FieldPanel("role"),
                FieldPanel("final_jury"),
            ]
        )
    ]
    # Read by the round editor's inline panel (``home.panels.ChildInlinePanel``): a person
    # chosen twice is refused on the row in words a coordinator reads.
    formset_class = "judging.jury_forms.JuryMemberFormSet"

    class Meta(Orderable.Meta):
        verbose_name = _("juror")
        verbose_name_plural = _("jury")
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="one_seat_per_juror")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class JurorNotice(models.Model):
    """One row per e-mail of each kind sent to a juror for a round: nobody gets one twice."""

    JURY_SET = "jury_set"
    JUDGING_OPEN = "judging_open"
    FINAL_STAGE = "final_stage"

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    # Written by the outbox when the e-mail has been delivered.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user", "kind"], name="one_juror_notice_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user}"


class JurorInvitationQuerySet(models.QuerySet):
    def pending(self) -> "JurorInvitationQuerySet":
        """Neither accepted nor cancelled: waiting for an answer, or expired and sendable again."""
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

    def usable_at(self, when) -> "JurorInvitationQuerySet":
        return self.pending().filter(expires_at__gt=when)

    def with_token(self, token: str) -> "JurorInvitationQuerySet":
        return self.filter(token_hash=hash_token(token))


class JurorInvitation(models.Model):
    """An invitation to a round's jury for a person without an account, sent by e-mail.

    Its link works once, for 14 days, and lets the person create an account with the invited
    address (verified by the link) and join the jury. Only a hash of the token is kept, as for
    a team's invitations. Written only by the jury functions of ``services``.
    """

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(verbose_name=_("name"), max_length=200)
    email = models.EmailField(verbose_name=_("e-mail"))
    role = models.CharField(
        verbose_name=_("role"), max_length=16, choices=JuryRole.choices, default=JuryRole.MEMBER
    )
    language = models.CharField(
        verbose_name=_("language of the invitation"), max_length=8, choices=settings.LANGUAGES
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Written by the outbox when the (latest) invitation e-mail has been delivered.
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = JurorInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("juror invitation")
        verbose_name_plural = _("juror invitations")

    def __str__(self) -> str:
        return f"{self.email} to the jury of {self.competition_id}"

    def why_unusable(self, when) -> str:
        """Why the link no longer works, for the page its holder sees: "accepted",
        "cancelled", "expired", or "" while it works."""
        for state in ("accepted", "cancelled"):
            if getattr(self, f"{state}_at") is not None:
                return state
        return "expired" if self.expires_at <= when else ""


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic (same team or service unit)")
    DECLARED = "declared", _("Declared by the juror")
    COORDINATOR = "coordinator", _("Set by the coordinator")


class ConflictOfInterest(models.Model):
    """A juror's conflict with one idea, as last set by a person.

    Without a row, the automatic rule decides (the juror is in the team, or shares a service
    unit with it). A row overrides the rule either way: ``active`` true is a declared or added
    conflict, false a lifted one. Changes go through ``services.set_conflict``, which logs them.
    """

    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=ConflictSource.choices)
    reason = models.TextField(verbose_name=_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["idea", "juror"], name="one_conflict_row_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.juror} / {self.idea_id}: {'active' if self.active else 'lifted'}"


class Assignment(models.Model):
    """One juror reviews one idea in one stage of judging (a one-stage round has only the
    first). A conflicted pair is never assigned; if a conflict arises later, the pair is left
    out of the juror's list and the ranking until it is lifted."""

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="assignments")
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    stage = models.CharField(
        verbose_name=_("stage"), max_length=16, choices=Stage.choices, default=Stage.SCREENING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea_id", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "juror", "stage"], name="one_assignment_per_pair_and_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.juror} → {self.idea_id}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Review(models.Model):
    """A juror's review of one assigned idea: scores per criterion and an overall comment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    overall_comment = models.TextField(verbose_name=_("overall comment"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} ({self.status})"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class ScoreChange(models.Model):
    """The audit trail of a submitted review: every change of a score or its comment."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old_value = models.SmallIntegerField(null=True)
    new_value = models.SmallIntegerField(null=True)
    old_comment = models.TextField(blank=True)
    new_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.old_value} → {self.new_value}"


class Award(models.Model):
    """The jury's decision on one idea: an award level or none, with the written grounds.

    ``feedback`` is for the team, released when results are published. Written only by
    ``services.record_decision``.
    """

    idea = models.OneToOneField("ideas.Idea", on_delete=models.CASCADE, related_name="award")
    level = models.CharField(
        verbose_name=_("award"), max_length=32, choices=AwardLevel.choices, blank=True
    )
    rationale = models.TextField(verbose_name=_("the jury's rationale"), blank=True)
    criteria = models.ManyToManyField(
        Criterion, verbose_name=_("criteria the decision rests on"), blank=True, related_name="+"
    )
    feedback = models.TextField(verbose_name=_("feedback to the team"), blank=True)
    votes = models.PositiveSmallIntegerField(verbose_name=_("jury votes"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.level or 'not awarded'}"


class ShortlistEntry(models.Model):
    """One idea of the shortlist the coordinator chose from a round's screening ranking: the
    final stage's jury scores these ideas. Written only by ``services.choose_shortlist``."""

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="+"
    )
    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, related_name="shortlist_entry"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea_id"]
        verbose_name = _("shortlisted idea")
        verbose_name_plural = _("shortlist")

    def __str__(self) -> str:
        return f"{self.idea_id} shortlisted"


class MeetingVote(models.Model):
    """The votes an idea got at the jury's meeting, as the chair (or the coordinator)
    recorded them. Written only by ``services.record_meeting_votes``; the decision screen
    offers them as the jury's recorded vote."""

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="+"
    )
    idea = models.OneToOneField("ideas.Idea", on_delete=models.CASCADE, related_name="meeting_vote")
    votes = models.PositiveSmallIntegerField(verbose_name=_("votes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting vote")
        verbose_name_plural = _("meeting votes")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.votes}"


class MessageGroup(models.TextChoices):
    TEAMS = "teams", _("Every team of the round")
    DRAFTING = "drafting", _("Teams with an unsubmitted draft")
    JURORS = "jurors", _("Every juror of the round")
    LATE_JURORS = "late_jurors", _("Jurors with unfinished reviews")


class RoundMessage(models.Model):
    """A message the coordinator sent to a group of the round: the log of who wrote what, to
    whom and when. ``texts`` holds the subject and body per language written."""

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="messages"
    )
    group = models.CharField(verbose_name=_("to"), max_length=20, choices=MessageGroup.choices)
    texts = models.JSONField(verbose_name=_("text"))
    recipients = models.JSONField(verbose_name=_("recipients"), default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(verbose_name=_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("message to a round's people")
        verbose_name_plural = _("messages to a round's people")

    def __str__(self) -> str:
        return f"{self.get_group_display()} ({len(self.recipients)})"


def round_document_path(document: "RoundDocument", filename: str) -> str:
    return f"rounds/{document.competition_id}/{document.kind}/{uuid.uuid4().hex}/{filename}"


class DocumentKind(models.TextChoices):
    REPORT = "report", _("Round report (PDF)")
    INTERNAL_REPORT = "internal_report", _("Round report, internal version (PDF)")
    PACKET = "packet", _("Jury packet (ZIP)")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class RoundDocument(models.Model):
    """A round's report or jury packet, made in the background (``services.build_document``)
    and kept in the private store; handed out only by the permission-checked download view.

    A juror's packet has ``juror`` set and holds only their ideas; the coordinator's has none.
    """

    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(max_length=10)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=round_document_path, max_length=255, blank=True
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("round document")
        verbose_name_plural = _("round documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
