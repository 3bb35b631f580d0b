"""The round's report: its figures from the data, the admin page and the PDF."""

import io
from collections import defaultdict

import krippendorff
import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import Count
from pypdf import PdfReader

from ideas.charts import figure
from ideas.models import (
    CompetitionPage,
    Idea,
    InnovationPage,
    Membership,
    ServiceUnit,
    Team,
)
from ideas.models.ideas import ENTERED_STATUSES
from judging import documents
from judging.models import Award, ConflictOfInterest, JuryMember, Score
from judging.round_report import round_report

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo_round():
    call_command("load_demo", stdout=io.StringIO())
    return CompetitionPage.objects.get(locale__language_code="en", slug="2025")


def alpha_from_scores(competition) -> float:
    """Krippendorff's alpha (interval) over each review's weighted mean, by the reference
    package: jurors as coders, ideas as units, declared conflicts left out."""
    conflicts = set(
        ConflictOfInterest.objects.filter(idea__competition=competition, active=True).values_list(
            "juror_id", "idea_id"
        )
    )
    sums = defaultdict(lambda: [0.0, 0.0])
    rows = Score.objects.filter(
        review__assignment__idea__competition=competition, review__status="submitted"
    ).values_list(
        "review__assignment__juror_id",
        "review__assignment__idea_id",
        "value",
        "criterion__weight",
        "criterion__scale_min",
        "criterion__scale_max",
    )
    for juror, idea, value, weight, low, high in rows:
        if (juror, idea) in conflicts:
            continue
        sums[juror, idea][0] += float(weight) * (value - low) / (high - low)
        sums[juror, idea][1] += float(weight)
    jurors = sorted({j for j, _ in sums})
    ideas = sorted({i for _, i in sums})
    matrix = np.full((len(jurors), len(ideas)), np.nan)
    for (juror, idea), (total, weight) in sums.items():
        matrix[jurors.index(juror), ideas.index(idea)] = total / weight
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")


def test_demo_report_pdf_holds_the_figures_of_the_data(demo_round):
    ideas = Idea.objects.filter(competition=demo_round, status__in=ENTERED_STATUSES)
    teams = Team.objects.filter(ideas__in=ideas).distinct()
    people = Membership.objects.filter(team__in=teams).values("user").distinct().count()
    units = ServiceUnit.objects.filter(teams__in=teams).distinct().count()
    professions = {
        p for p in Membership.objects.filter(team__in=teams).values_list("profession", flat=True)
    } - {""}
    multi = teams.annotate(n=Count("service_units", distinct=True)).filter(n__gt=1).count()
    jurors = JuryMember.objects.filter(competition=demo_round).select_related("user__profile")
    awards = Award.objects.filter(idea__competition=demo_round).exclude(level="")

    text = flat(pdf_text(documents.report_pdf(round_report(demo_round))))

    assert f"Ideas submitted {ideas.count()}" in text
    assert f"Teams {teams.count()}" in text
    assert f"People in the teams {people}" in text
    assert f"Service units involved {units}" in text
    assert f"Professions involved {len(professions)}" in text
    assert f"Teams spanning several units {multi}" in text
    assert f"Jurors {jurors.count()}" in text
    assert f"Krippendorff's alpha) {alpha_from_scores(demo_round):.3f}" in text
    for award in awards:
        assert flat(award.rationale) in text
        assert award.idea.title in text
    # An open round names its jury.
    for member in jurors:
        assert member.user.profile.name in text
    # The round's pilots, with their status and metrics to date.
    pilots = InnovationPage.objects.child_of(demo_round).filter(locale=demo_round.locale)
    assert pilots.exists()
    for pilot in pilots:
        assert f"Pilot status: {pilot.get_pilot_status_display()}" in text
        for metric in pilot.metrics.all():
            assert f"{metric.name} {figure(metric.baseline, metric.unit)}" in text
