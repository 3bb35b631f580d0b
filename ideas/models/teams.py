import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.memo import shown_on_pages

INVITATION_VALIDITY = timedelta(days=7)


class ServiceArea(models.TextChoices):
    HEALTH = "health", _("Health")
    SOCIAL = "social", _("Social services")
    EDUCATION = "education", _("Education")
    CULTURE = "culture", _("Culture and libraries")
    YOUTH = "youth", _("Youth")
    EMPLOYMENT = "employment", _("Employment")
    OTHER = "other", _("Other")


class ServiceUnit(models.Model):
    """A unit of the organisation, such as the child health clinic; kept by coordinators."""

    name = models.CharField(verbose_name=_("name"), max_length=200, unique=True)
    service_area = models.CharField(
        verbose_name=_("service area"), max_length=32, choices=ServiceArea.choices
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")

    def __str__(self) -> str:
        return self.name


# Innovation pages show their units' names (``home.memo``).
shown_on_pages(ServiceUnit)


class TeamQuerySet(models.QuerySet):
    def of(self, user) -> "TeamQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Team(models.Model):
    """Colleagues from one or more service units who write ideas together. Always has a lead."""

    name = models.CharField(verbose_name=_("name"), max_length=200)
    service_units = models.ManyToManyField(
        ServiceUnit, verbose_name=_("service units"), related_name="teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        verbose_name=_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER
    )
    profession = models.CharField(verbose_name=_("profession"), max_length=120, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_user"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="lead"), name="one_lead_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


def hash_token(token: str) -> str:
    """Invitations keep only a hash of their token, so a copy of the database opens no team."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable_at(self, when) -> "InvitationQuerySet":
        return self.unanswered().filter(expires_at__gt=when)

    def unanswered(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, cancelled_at__isnull=True
        )

    def with_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=hash_token(token))


class Invitation(models.Model):
    """A single-use invitation to a team, sent by e-mail and valid for seven days."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(verbose_name=_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    def why_unusable(self, when) -> str:
        """Why the link no longer works, for the page its holder sees: one of "accepted",
        "declined", "cancelled", "expired", or "" while it works."""
        for state in ("accepted", "declined", "cancelled"):
            if getattr(self, f"{state}_at") is not None:
                return state
        return "expired" if self.expires_at <= when else ""


class Profile(models.Model):
    """What colleagues and coordinators see of a person, and the language mail reaches them in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    name = models.CharField(verbose_name=_("name"), max_length=200, blank=True)
    service_unit = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("service unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    profession = models.CharField(verbose_name=_("profession"), max_length=120, blank=True)
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.name or self.user.get_username()


class ReminderSent(models.Model):
    """One row per reminder, so that running the command again sends nothing twice."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reminders")
    competition = models.ForeignKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    # Written by the outbox when an e-mail of this reminder has been delivered.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "competition", "kind"], name="one_reminder_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.team}"
