"""A round's phases, in the order a round goes through them. Which phase a round is in at a
moment is the round's to say: ``CompetitionPage.phase_at`` and ``in_phase``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for ideas")
    JUDGING = "judging", _("Judging")
    DELIBERATION = "deliberation", _("Jury deliberating")
    RESULTS = "results", _("Results published")
