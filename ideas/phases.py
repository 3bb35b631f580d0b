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


class Stage(models.TextChoices):
    """The stages of a round's judging. A round without a screening date judges in one stage,
    stored as ``SCREENING``: each idea reviewed by the jurors the assignment gives it."""

    SCREENING = "screening", _("Screening")
    FINAL = "final", _("Final judging")
