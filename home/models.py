from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PreviewableMixin, Site
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager, LogEntryQuerySet
from wagtail.search import index

from . import email_texts
from .blocks import BodyBlock
from .memo import ViewRestrictionsReadOnce, shared
from .permissions import can_view_audit_trail
from .theme import colour_on_white, colour_under_black


class HomePage(ViewRestrictionsReadOnce, Page):
    """The front page: the open round, the latest winners and an editable intro.

    One per site; its translations are the front pages of the other languages.
    """

    intro = RichTextField(
        verbose_name=_("intro"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("A few sentences on what the competition is and who it is for."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "ideas.CompetitionIndexPage",
        "ideas.InnovationIndexPage",
        "home.StandardPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(ViewRestrictionsReadOnce, Page):
    """A free-form page such as "About the competition" or the accessibility statement."""

    intro = models.TextField(verbose_name=_("intro"), blank=True, max_length=500)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Who runs the site and how it looks: the name (in every language), logo, colours and
    contact that every page shows."""

    organisation_name = models.CharField(
        verbose_name=_("organisation name"),
        max_length=200,
        blank=True,
        help_text=_("Shown in the header, the footer, the browser's tab and e-mails."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the left of the header, 48 pixels high."),
    )
    primary_colour = models.CharField(
        verbose_name=_("main colour"),
        max_length=7,
        blank=True,
        validators=[colour_on_white],
        help_text=_(
            "Buttons, links and the header's border, as #RRGGBB. It must be dark enough for "
            "white text on it and for links on white (contrast 4.5:1)."
        ),
    )
    highlight_colour = models.CharField(
        verbose_name=_("header colour"),
        max_length=7,
        blank=True,
        validators=[colour_under_black],
        help_text=_(
            "The header's and footer's background, as #RRGGBB. It must be light enough for "
            "black text on it (contrast 4.5:1)."
        ),
    )
    contact_email = models.EmailField(verbose_name=_("contact e-mail"), blank=True)
    contact_phone = models.CharField(verbose_name=_("contact phone"), max_length=40, blank=True)
    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    results_workflow = models.ForeignKey(
        "wagtailcore.Workflow",
        verbose_name=_("approval of a round's results"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The workflow a round's results go through before they are public, such as "
            "approval by a second coordinator. Empty: results are public once published."
        ),
    )
    require_sso_for_staff = models.BooleanField(
        verbose_name=_("jurors and coordinators sign in with the organisation's sign-in"),
        default=False,
        help_text=_(
            "When on, jurors and coordinators cannot sign in with a password, only through the "
            "organisation's identity provider. Administrators keep their password."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel(f"organisation_name_{code}") for code, _name in settings.LANGUAGES],
            heading=_("Organisation name in each language"),
        ),
        FieldPanel("logo"),
        FieldRowPanel([FieldPanel("primary_colour"), FieldPanel("highlight_colour")]),
        FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
        FieldPanel("accessibility_statement"),
        FieldPanel("results_workflow"),
        FieldPanel("require_sso_for_staff"),
    ]

    class Meta:
        verbose_name = _("site settings")

    @classmethod
    def for_request(cls, request):
        """Wagtail's, read once per edition of the site (``home.memo.shared``) rather than on
        every request: every page shows the settings."""
        name = cls.get_cache_attr_name()
        site = None if hasattr(request, name) else Site.find_for_request(request)
        if site is not None:
            found = shared(f"site_settings:{site.pk}", lambda: cls.for_site(site))
            found._request = request
            setattr(request, name, found)
        return super().for_request(request)

    def clean(self):
        super().clean()
        if self.logo_id is not None and not readable_image(self.logo):
            raise ValidationError(
                {"logo": _("This image cannot be read. Upload the logo again or choose another.")}
            )

    def name_here(self) -> str:
        """The organisation's name in the reader's language, or the project's."""
        return self.organisation_name or str(settings.WAGTAIL_SITE_NAME)


def readable_image(image) -> bool:
    """Whether a Wagtail image's file opens as an image (it may have gone from storage, or
    never have been one)."""
    try:
        with image.open_file() as handle, PILImage.open(handle) as opened:
            opened.verify()
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
        return False
    return True


# --- background work: the e-mail outbox, the schedule and the processes' heartbeats ---------


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, at) -> "OutboxMessageQuerySet":
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=at)


class OutboxMessage(models.Model):
    """An e-mail the site has sent, kept until the mail server took it, retried with backoff
    while the server is unreachable or answers "try later" (see ``home.outbox``)."""

    recipients = models.JSONField(verbose_name=_("recipients"))
    from_email = models.CharField(max_length=320)
    subject = models.CharField(verbose_name=_("subject"), max_length=998)
    # The whole message as sent (headers, text and any HTML part): read by the sender only,
    # never shown in the admin or written to a log.
    message = models.BinaryField(editable=False)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt"), default=timezone.now)
    give_up_at = models.DateTimeField(verbose_name=_("given up after"))
    sent_at = models.DateTimeField(verbose_name=_("sent"), null=True, blank=True)
    # What the message tells of: its ``sent_at`` is written when the message is delivered.
    receipt_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail in the outbox")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"


class ScheduledRun(models.Model):
    """One row per run of a periodic job in one time slot: two schedulers cannot both run it."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_and_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.slot}"


class Heartbeat(models.Model):
    """When a background process (a worker, the scheduler) last said it was alive."""

    process = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.process} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


# --- the coordinators' texts of the automatic e-mails (``home.email_texts``) -----------------


class EmailText(PreviewableMixin, models.Model):
    """A coordinator's text of one automatic e-mail in one language, sent instead of the
    built-in text; deleting it brings the built-in text back."""

    kind = models.CharField(
        verbose_name=_("e-mail"), max_length=64, choices=email_texts.kind_choices
    )
    language = models.CharField(
        verbose_name=_("language"), max_length=8, choices=settings.LANGUAGES
    )
    subject = models.CharField(verbose_name=_("subject"), max_length=200)
    body = models.TextField(verbose_name=_("text"))
    updated_at = models.DateTimeField(verbose_name=_("changed"), auto_now=True)

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("e-mail text")
        verbose_name_plural = _("e-mail texts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"],
                name="one_email_text_per_kind_and_language",
                violation_error_message=_(
                    "This e-mail already has a text in this language: change that one."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_language_display()})"

    @property
    def email_kind(self) -> "email_texts.EmailKind | None":
        return email_texts.kinds().get(self.kind)

    def clean(self) -> None:
        """Each of subject and text names only placeholders its e-mail offers; the subject
        is one line. Line ends are kept as the built-in texts have them."""
        self.body = self.body.replace("\r\n", "\n")
        errors = {}
        if "\n" in self.subject or "\r" in self.subject:
            errors["subject"] = _("The subject is one line.")
        if self.email_kind is not None:
            for name in ("subject", "body"):
                try:
                    email_texts.check_text(getattr(self, name), self.email_kind)
                except ValidationError as error:
                    errors.setdefault(name, error)
        if errors:
            raise ValidationError(errors)

    def get_preview_template(self, request, mode_name):
        return "home/admin/email_text_preview.html"

    def get_preview_context(self, request, mode_name):
        """Subject and text filled with sample values, in the text's language."""
        with translation.override(self.language):
            subject, body = email_texts.render_sample(
                kind=self.email_kind, subject=self.subject, body=self.body
            )
        return {"object": self, "subject": subject, "body": body}


class AuditEntryRefused(Exception):
    """An audit entry is written once and never changed or deleted."""


class AuditEntryQuerySet(LogEntryQuerySet):
    def update(self, **kwargs):
        raise AuditEntryRefused("audit entries are never changed")

    def delete(self):
        raise AuditEntryRefused("audit entries are never deleted")


class AuditEntryManager(BaseLogEntryManager):
    def get_queryset(self):
        return AuditEntryQuerySet(self.model, using=self._db)

    def viewable_by_user(self, user):
        """Only administrators read the trail (``permissions.can_view_audit_trail``), in the
        site history as in the audit trail."""
        return self.all() if can_view_audit_trail(user) else self.none()

    def for_instance(self, instance):
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=str(instance.pk))


class AuditEntry(BaseLogEntry):
    """Who did what, when and from which address: sign-ins, reads, exports, MFA changes.

    Written by ``home.audit.record`` only, one INSERT; never changed nor deleted (the model
    and its QuerySet refuse, and a database trigger refuses an UPDATE, on PostgreSQL a DELETE
    too). The object is what was read (an idea, an attachment, a round) or the account; a
    failed sign-in for an address no account holds has none.
    """

    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    address = models.GenericIPAddressField(verbose_name=_("address"), null=True, blank=True)

    objects = AuditEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.action} by {self.user_id or '-'} from {self.address or '-'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryRefused("audit entries are never changed")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryRefused("audit entries are never deleted")


class PendingPurge(models.Model):
    """An address the CDN has yet to be told to purge (``home.cdn_purges``): written when a
    page that shows it changes, deleted once every purge backend took it, retried with
    backoff while the purge endpoint is down."""

    url = models.CharField(verbose_name=_("address"), max_length=2000, unique=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        verbose_name=_("next attempt"), default=timezone.now, db_index=True
    )
    last_error = models.CharField(verbose_name=_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pending CDN purge")
        verbose_name_plural = _("pending CDN purges")

    def __str__(self) -> str:
        return self.url
