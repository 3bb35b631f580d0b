import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from home.storage import ATTACHMENTS, named_storage
from ideas import permissions

# The idea's text, in the order a team writes it. Revisions, required-field checks and exports
# all read this list.
IDEA_TEXT_FIELDS = [
    "title",
    "summary",
    "problem",
    "service_model",
    "target_group",
    "pathway_before",
    "pathway_after",
    "cooperation",
    "impact",
    "transferability",
    "resources",
    "pilot_plan",
]
DEFAULT_REQUIRED_FIELDS = ["title", "summary", "problem", "service_model", "target_group"]
SUMMARY_MAX_LENGTH = 300


def field_labels(names: list[str] | None = None) -> dict[str, str]:
    """The idea's fields by name, each with its translatable label."""
    return {name: Idea._meta.get_field(name).verbose_name for name in names or IDEA_TEXT_FIELDS}


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Set by the jury's decision once judging has closed.
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")


# Ideas that took part in the round: submitted in time, whatever the jury decided since.
ENTERED_STATUSES = (IdeaStatus.SUBMITTED, IdeaStatus.AWARDED, IdeaStatus.NOT_AWARDED)


class IdeaQuerySet(models.QuerySet):
    def submitted(self) -> "IdeaQuerySet":
        return self.filter(status=IdeaStatus.SUBMITTED)

    def entered(self) -> "IdeaQuerySet":
        return self.filter(status__in=ENTERED_STATUSES)

    def drafts(self) -> "IdeaQuerySet":
        return self.filter(status=IdeaStatus.DRAFT)

    def of_teams_of(self, user) -> "IdeaQuerySet":
        """Ideas of the teams ``user`` belongs to: their own work, whatever else they may read."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(team__memberships__user=user)

    def visible_to(self, user) -> "IdeaQuerySet":
        """The ideas ``user`` may read: by the same rule as ``permissions.can_view_idea``."""
        if permissions.is_coordinator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.of_teams_of(user)


class Idea(models.Model):
    """A team's proposal to one round. Its status changes only in ``services.set_idea_status``."""

    competition = models.ForeignKey(
        "ideas.CompetitionPage",
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="ideas",
    )
    team = models.ForeignKey(
        "ideas.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="ideas"
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=IdeaStatus.choices,
        default=IdeaStatus.DRAFT,
        editable=False,
    )
    # Every save increments it; a save based on an older version is a conflict, not an overwrite.
    version = models.PositiveIntegerField(default=1, editable=False)

    title = models.CharField(verbose_name=_("title"), max_length=200, blank=True)
    summary = models.TextField(verbose_name=_("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    problem = models.TextField(verbose_name=_("the problem today"), blank=True)
    service_model = models.TextField(verbose_name=_("the proposed service model"), blank=True)
    target_group = models.TextField(verbose_name=_("target group"), blank=True)
    target_group_tags = models.CharField(
        verbose_name=_("target group keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, for example: expectant parents, families with babies"),
    )
    pathway_before = models.TextField(verbose_name=_("service pathway before"), blank=True)
    pathway_after = models.TextField(verbose_name=_("service pathway after"), blank=True)
    cooperation = models.TextField(
        verbose_name=_("which professions and units cooperate, and how"), blank=True
    )
    impact = models.TextField(verbose_name=_("expected impact"), blank=True)
    transferability = models.TextField(
        verbose_name=_("transfer to other client groups or units"), blank=True
    )
    resources = models.TextField(verbose_name=_("resources and costs"), blank=True)
    pilot_plan = models.TextField(verbose_name=_("pilot plan"), blank=True)
    # Answers to the round's own questions, keyed by each question's translation key (the
    # same in every language); read and checked through ``ideas.questions``.
    answers = models.JSONField(verbose_name=_("answers"), default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")

    def __str__(self) -> str:
        return self.title or str(_("Untitled idea"))

    @property
    def status_for_team(self) -> str:
        """The status as the team may read it: the jury's decision only once results are out."""
        if self.status in (IdeaStatus.AWARDED, IdeaStatus.NOT_AWARDED):
            if self.competition.phase != "results":
                return IdeaStatus.SUBMITTED.label
        return self.get_status_display()

    @property
    def keywords(self) -> list[str]:
        return [word.strip() for word in self.target_group_tags.split(",") if word.strip()]

    def text(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in IDEA_TEXT_FIELDS + ["target_group_tags"]}


class IdeaRevision(models.Model):
    """The idea's text as one save left it: who, when, and which fields changed."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.JSONField()
    changed_fields = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "version"], name="one_revision_per_version")
        ]
        verbose_name = _("idea revision")
        verbose_name_plural = _("idea revisions")

    def __str__(self) -> str:
        return f"{self.idea} v{self.version}"


def private_storage() -> Storage:
    """``STORAGES["attachments"]``: a folder outside MEDIA_ROOT or a private bucket, whose files
    only the permission-checked views hand out."""
    return named_storage(ATTACHMENTS)


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # The stored name never carries the person's file name: a blind jury must not read it.
    return f"ideas/{attachment.idea_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def blind_copy_path(attachment: "Attachment", filename: str) -> str:
    return f"ideas/{attachment.idea_id}/blind/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class BlindCopy(models.TextChoices):
    """Whether the attachment has a copy without metadata for a blind jury (``ideas.metadata``)."""

    PENDING = "", _("not made yet")
    MADE = "made", _("made")
    # The file could not be read to clean it: it is withheld from the jurors of a blind round.
    ENCRYPTED = "encrypted", _("The file is encrypted or protected with a password.")
    UNREADABLE = "unreadable", _("The file is damaged or cannot be read as its type.")
    TOO_LARGE = "too_large", _("The picture has too many pixels to be read safely.")
    EMBEDDED = "embedded", _("The file holds another file or object that cannot be checked.")


class AttachmentQuerySet(models.QuerySet):
    def withheld_from_jurors(self) -> "AttachmentQuerySet":
        """Files a blind round's jurors do not receive: by the rule of
        ``permissions.withheld_from_jurors``."""
        return self.filter(idea__competition__blind_judging=True).exclude(
            blind_copy__in=[BlindCopy.PENDING, BlindCopy.MADE]
        )


class Attachment(models.Model):
    """A team's file. The team and coordinators receive it as uploaded; the jurors of a blind
    round receive ``blind_file``, the same file without personal or organisational metadata."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=255)
    original_name = models.CharField(verbose_name=_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    blind_file = models.FileField(
        storage=private_storage, upload_to=blind_copy_path, max_length=255, blank=True
    )
    blind_copy = models.CharField(
        max_length=16, choices=BlindCopy.choices, default=BlindCopy.PENDING, blank=True
    )
    # The key of the round's file question this file answers (``RoundQuestion.key``); empty
    # for a file attached to the idea as a whole. Who receives it then follows the question's
    # rule (``permissions.answer_shown_to``).
    question_key = models.CharField(max_length=36, blank=True, default="", db_index=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
