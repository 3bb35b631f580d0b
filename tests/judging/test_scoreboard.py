"""The ranking's reads: scores carried out of the database, packed or not, and conflicts."""

import numpy as np
import pytest

from ideas.models import IdeaStatus
from judging.models import ConflictOfInterest, Review
from judging.scoreboard import (
    Packing,
    _unpacked_columns,
    criteria_of,
    round_ranking,
    score_columns,
)
from tests.factories import (
    make_assignment,
    make_criterion,
    make_idea,
    make_juror,
    make_review,
    make_round,
)

pytestmark = pytest.mark.django_db


def as_rows(columns):
    return sorted(
        zip(
            columns.review.tolist(),
            columns.juror.tolist(),
            columns.idea.tolist(),
            columns.criterion.tolist(),
            columns.value.tolist(),
            strict=True,
        )
    )


def scored_round(criteria=3):
    competition = make_round(phase="judging", criteria=criteria)
    jurors = [make_juror(competition) for _ in range(3)]
    ideas = [make_idea(competition=competition, status=IdeaStatus.SUBMITTED) for _ in range(4)]
    rng = np.random.default_rng(3)
    for idea in ideas:
        for juror in jurors:
            values = {c.pk: int(rng.integers(1, 6)) for c in criteria_of(competition)}
            make_review(make_assignment(juror, idea), values)
    return competition, ideas, jurors


def test_packed_scores_equal_the_rows_in_the_database():
    competition, ideas, jurors = scored_round()
    criteria = criteria_of(competition)
    assert Packing.for_criteria(criteria) is not None
    submitted = Review.objects.filter(assignment__idea__competition=competition)

    packed = as_rows(score_columns(competition, criteria, set()))

    assert packed == as_rows(_unpacked_columns(competition, submitted, set()))
    assert len(packed) == 4 * 3 * 3


def test_a_scale_too_wide_to_pack_is_read_row_by_row():
    competition, _ideas, _jurors = scored_round(criteria=0)
    for _ in range(6):
        make_criterion(competition, scale_min=0, scale_max=30000)
    criteria = criteria_of(competition)
    assert Packing.for_criteria(criteria) is None
    for review in Review.objects.all():
        for criterion in criteria:
            review.scores.create(criterion=criterion, value=29999)
    columns = score_columns(competition, criteria, set())
    assert len(columns) == 12 * 6
    assert set(columns.value.tolist()) == {29999.0}


def test_drafts_conflicts_and_other_rounds_stay_out_of_the_ranking():
    competition, ideas, jurors = scored_round()
    other, _ideas, _jurors = scored_round()
    draft = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    make_review(make_assignment(jurors[0], draft), 5, status="draft")
    ConflictOfInterest.objects.create(
        idea=ideas[0], juror=jurors[0], active=True, source="declared", reason="Friend."
    )

    ranking = round_ranking(competition).ranking

    assert {row.idea for row in ranking.ideas} == {idea.pk for idea in ideas}
    reviews = {row.idea: row.reviews for row in ranking.ideas}
    assert reviews[ideas[0].pk] == 2
    assert reviews[ideas[1].pk] == 3
