import io

import numpy as np
import pytest
from django.core.management import call_command

from ideas.models import CompetitionPage, IdeaStatus
from judging.models import Award, ConflictOfInterest, JuryMember, Review
from judging.ranking import disagreement, review_totals
from judging.scoreboard import round_ranking, scales_of

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


def test_demo_disputes_are_read_on_calibrated_totals():
    """The demo's jurors score each idea at its quality plus their severity (harsh −1.1,
    lenient +0.9, the rest 0) plus at most ±0.6, rounded to 1–5 on each of six criteria. Their
    only real disagreement is the severity, which calibration takes out.

    On raw totals the harsh and the lenient juror stand 2.0–2.3 points apart on every idea,
    beyond the 1.6 points (40 % of the 1–5 scale) that make a dispute, except on the model
    case, where the lenient juror meets the ceiling of 5 (spread 1.5): five of six disputed.
    Once each juror's fitted severity and scale are taken out, the widest spread of an idea's
    calibrated totals is about half a point (the counsellor's study space: 2.88 to 3.41), and
    no calibrated total lies further than about half a point from the mean of its idea's
    others, well inside 1.5 standard deviations of the round's calibrated totals (1.1 points):
    no idea is disputed."""
    call_command("load_demo", stdout=io.StringIO())
    finished = CompetitionPage.objects.get(locale__language_code="en", slug="2025")
    result = round_ranking(finished)
    titles = dict(finished.ideas.values_list("pk", "title"))
    ideas = {titles[row.idea]: row for row in result.ranking.ideas}
    model_case = "A psychologist within reach of the child health clinic"

    raw = review_totals(result.scores, scales_of(result.criteria))
    idea_ids, review_idea = np.unique(raw.idea, return_inverse=True)
    _spread, raw_disputed = disagreement(review_idea, raw.total, len(idea_ids))
    on_raw_totals = {titles[i] for i in idea_ids[raw_disputed].tolist()}
    assert on_raw_totals == set(ideas) - {model_case}  # five of six
    assert {t for t, row in ideas.items() if row.disputed} == set()
    assert max(row.calibrated_spread for row in ideas.values()) < 0.6
    assert all(row.spread - row.calibrated_spread > 1 for row in ideas.values())
    assert all(j.calibrated and not j.poor_fit for j in result.ranking.jurors)
