import io

import pytest
from django.core.management import call_command

from ideas.models import CompetitionPage, IdeaStatus
from judging.models import Award, ConflictOfInterest, JuryMember, Review
from judging.scoreboard import round_ranking

pytestmark = pytest.mark.django_db


def test_demo_judging_of_the_finished_round():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=io.StringIO())  # a second load changes nothing

    finished = CompetitionPage.objects.get(locale__language_code="en", slug="2025")
    jury = JuryMember.objects.filter(competition=finished)
    assert jury.count() == 5
    assert jury.filter(role="chair").count() == 1
    reviews = Review.objects.filter(assignment__idea__competition=finished)
    assert reviews.count() == 5 * finished.ideas.count()
    assert set(reviews.values_list("status", flat=True)) == {"submitted"}
    (conflict,) = ConflictOfInterest.objects.filter(idea__competition=finished)
    assert conflict.active and conflict.source == "declared"

    ranking = round_ranking(finished).ranking
    jurors = {j.juror: j for j in ranking.jurors}
    means = sorted(j.mean for j in jurors.values())
    assert means[-1] - means[0] > 1  # one harsh and one lenient juror
    winner = Award.objects.get(idea__competition=finished, level="winner")
    assert winner.idea.title == "A psychologist within reach of the child health clinic"
    assert winner.rationale and winner.criteria.exists()
    assert ranking.ideas[0].idea == winner.idea_id
    assert set(finished.ideas.values_list("status", flat=True)) == {
        IdeaStatus.AWARDED,
        IdeaStatus.NOT_AWARDED,
    }
    assert "juror@example.org / ideatori-jury" in out.getvalue()
