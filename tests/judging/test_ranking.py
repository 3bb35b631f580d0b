"""The ranking is a pure function: these tests use plain numbers, no database."""

import math
import random

import krippendorff
import numpy as np
import pytest

from judging.ranking import (
    CriterionScale,
    OrderBy,
    ScoreColumns,
    disagreement,
    krippendorff_alpha_interval,
    rank,
)

ONE_TO_FIVE = {1: CriterionScale(weight=1, low=1, high=5)}


def columns(table: dict[tuple[int, int], float | list[float]]) -> ScoreColumns:
    """From {(juror, idea): value or [value per criterion]}, one review per pair."""
    rows = []
    for review, ((juror, idea), values) in enumerate(sorted(table.items()), start=1):
        values = values if isinstance(values, list) else [values]
        rows += [(review, juror, idea, crit, v) for crit, v in enumerate(values, start=1)]
    return ScoreColumns.from_rows(rows)


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the worked example with
# four observers, twelve units and missing values. Published: interval alpha = 0.849.
WORKED_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_alpha_matches_the_published_worked_example():
    units, values = [], []
    for coder in WORKED_EXAMPLE:
        for unit, value in enumerate(coder):
            if value is not None:
                units.append(unit)
                values.append(value)
    alpha = krippendorff_alpha_interval(np.array(units), np.array(values, dtype=float))
    assert round(alpha, 3) == 0.849


@pytest.mark.parametrize("seed", range(8))
def test_alpha_matches_the_krippendorff_package_on_random_incomplete_data(seed):
    rng = random.Random(seed)
    jurors, ideas = rng.randint(3, 8), rng.randint(5, 30)
    matrix = np.full((jurors, ideas), np.nan)
    units, values = [], []
    for idea in range(ideas):
        quality = rng.uniform(1, 5)
        for juror in rng.sample(range(jurors), rng.randint(1, jurors)):
            value = min(5, max(1, round(quality + rng.gauss(0, 1))))
            matrix[juror, idea] = value
            units.append(idea)
            values.append(value)
    ours = krippendorff_alpha_interval(np.array(units), np.array(values, dtype=float))
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
    assert round(ours, 3) == round(theirs, 3)


def test_alpha_is_undefined_without_pairable_values_or_variation():
    assert krippendorff_alpha_interval(np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0])) is None
    assert krippendorff_alpha_interval(np.array([1, 1, 2, 2]), np.array([3.0] * 4)) is None
    assert krippendorff_alpha_interval(np.array([], dtype=int), np.array([])) is None


def test_total_is_the_weighted_mean_of_rescaled_scores():
    criteria = {
        1: CriterionScale(weight=2, low=1, high=5),
        2: CriterionScale(weight=1, low=0, high=10),
    }
    # Criterion 1: 5 → 1.0; criterion 2: 0 → 0.0; weighted: (2·1 + 1·0) / 3 = 2/3 of the scale.
    result = rank(columns({(1, 7): [5, 0]}), criteria)
    (idea,) = result.ideas
    assert result.scale == (0.0, 10.0)
    assert idea.mean == pytest.approx(10 * 2 / 3)
    assert idea.criterion_means == {1: 5.0, 2: 0.0}


def test_mean_median_and_spread_per_idea():
    result = rank(columns({(1, 1): 1, (2, 1): 2, (3, 1): 5, (4, 1): 4}), ONE_TO_FIVE)
    (idea,) = result.ideas
    assert (idea.mean, idea.median, idea.spread, idea.reviews) == (3.0, 3.0, 4.0, 4)


def harsh_and_lenient_jury():
    """Ten ideas whose true order is 10 > 9 > … > 1, each reviewed by three of five jurors in
    rotation. Juror 0 scores everything 1.5 points low, juror 1 everything 1.5 points high."""
    table = {}
    for idea in range(1, 11):
        for juror in (idea % 5, (idea + 1) % 5, (idea + 2) % 5):
            table[(juror, idea)] = 1 + 0.3 * idea + {0: -1.5, 1: 1.5}.get(juror, 0)
    return table


def test_normalised_score_corrects_harsh_and_lenient_jurors():
    jury = harsh_and_lenient_jury()
    criteria = {1: CriterionScale(weight=1, low=-5, high=10)}
    by_mean = [r.idea for r in rank(columns(jury), criteria, order_by=OrderBy.MEAN).ideas]
    result = rank(columns(jury), criteria, order_by=OrderBy.NORMALISED)
    # The raw mean lets the harsh and the lenient juror reorder the ideas they happened to get…
    assert by_mean != list(range(10, 0, -1))
    # … while each juror's totals as z-scores give back the true order.
    assert [r.idea for r in result.ideas] == list(range(10, 0, -1))
    assert not result.complete
    assert not any(j.too_few_to_normalise for j in result.jurors)


def test_calibrated_score_corrects_harsh_and_lenient_jurors_by_default():
    jury = harsh_and_lenient_jury()
    result = rank(columns(jury), {1: CriterionScale(weight=1, low=-5, high=10)})
    assert result.order_by == OrderBy.CALIBRATED
    assert [r.idea for r in result.ideas] == list(range(10, 0, -1))
    severity = {j.juror: j.severity for j in result.jurors}
    assert severity[0] < -1 < 1 < severity[1]
    assert result.notes == ()


def test_juror_without_spread_counts_as_spread_one():
    table = {(1, idea): 3 for idea in range(1, 7)}
    table.update({(2, idea): idea % 5 + 1 for idea in range(1, 7)})
    result = rank(columns(table), ONE_TO_FIVE)
    flat = next(j for j in result.jurors if j.juror == 1)
    assert flat.sd == 0
    assert all(math.isfinite(r.normalised) for r in result.ideas)


def test_default_order_is_mean_when_complete_and_calibrated_otherwise():
    complete = {(j, i): (i + j) % 5 + 1 for j in range(1, 4) for i in range(1, 5)}
    assert rank(columns(complete), ONE_TO_FIVE).order_by == OrderBy.MEAN
    partial = dict(complete)
    del partial[(1, 1)]
    assert rank(columns(partial), ONE_TO_FIVE).order_by == OrderBy.CALIBRATED


def test_ties_share_a_rank_and_the_tie_break_order_is_fixed():
    # Each juror reviews two ideas, too few to normalise: the normalised score is the mean.
    # Ideas 1 and 2: equal mean (3); idea 1 has the higher median (4 against 2) → above.
    # Ideas 3 and 4: identical in every score, no votes → the same rank.
    # Ideas 5 and 6: identical scores, idea 6 has more jury votes → ranked above.
    table = {
        (1, 1): 1, (2, 1): 4, (3, 1): 4,
        (1, 2): 2, (2, 2): 2, (3, 2): 5,
        (4, 3): 2, (5, 3): 2, (6, 3): 2,
        (4, 4): 2, (5, 4): 2, (6, 4): 2,
        (7, 5): 1, (8, 5): 1, (9, 5): 1,
        (7, 6): 1, (8, 6): 1, (9, 6): 1,
    }  # fmt: skip
    result = rank(columns(table), ONE_TO_FIVE, order_by=OrderBy.MEAN, votes={6: 3, 5: 1})
    assert [(r.idea, r.rank) for r in result.ideas] == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 3),
        (6, 5),
        (5, 6),
    ]


def test_ties_survive_float_noise():
    criteria = {1: CriterionScale(1, 1, 5), 2: CriterionScale(1, 1, 5), 3: CriterionScale(1, 1, 5)}
    table = {(1, 1): [1, 2, 4], (1, 2): [4, 2, 1], (1, 3): [2, 4, 1]}
    result = rank(columns(table), criteria)
    assert {r.rank for r in result.ideas} == {1}


def test_disagreement_flag_on_a_wide_range():
    # Two reviews of idea 0 span 0.4 of the scale: flagged; those of idea 1 span 0.375: not.
    idea = np.array([0, 0, 1, 1])
    spread, disputed = disagreement(idea, np.array([0.25, 0.65, 0.25, 0.625]), 2)
    assert spread == pytest.approx([0.4, 0.375])
    assert disputed.tolist() == [True, False]


def test_disagreement_flag_on_one_review_far_from_the_others():
    # Ten ideas of three agreeing reviews; a fourth review of idea 3 lies 0.375 above the
    # others (several of the round's standard deviations), though the range stays under 0.4.
    idea, values = [], []
    for i in range(10):
        idea += [i, i, i]
        values += [0.5 + (i % 3) * 0.125] * 3
    idea.append(3)
    values.append(0.5 + 0.375)
    spread, disputed = disagreement(np.array(idea), np.array(values), 10)
    assert np.flatnonzero(disputed).tolist() == [3]
    assert spread[3] < 0.4


def test_juror_with_fewer_than_five_reviews_is_flagged():
    table = {(1, idea): idea % 5 + 1 for idea in range(1, 6)}
    table.update({(2, idea): idea % 4 + 1 for idea in range(1, 5)})
    jurors = {j.juror: j for j in rank(columns(table), ONE_TO_FIVE).jurors}
    assert not jurors[1].too_few_to_normalise
    assert jurors[2].too_few_to_normalise
    assert jurors[2].reviews == 4
    assert len(jurors[2].totals) == 4


def test_criterion_alpha_per_criterion():
    criteria = {1: CriterionScale(1, 1, 5), 2: CriterionScale(1, 1, 5)}
    # Criterion 1: jurors agree perfectly; criterion 2: they disagree completely.
    table = {
        (1, 1): [1, 1], (2, 1): [1, 5],
        (1, 2): [3, 5], (2, 2): [3, 1],
        (1, 3): [5, 3], (2, 3): [5, 3],
    }  # fmt: skip
    result = rank(columns(table), criteria)
    assert result.criterion_alpha[1] == pytest.approx(1.0)
    assert result.criterion_alpha[2] < 0


def test_ranking_is_deterministic_whatever_the_row_order():
    rng = random.Random(5)
    table = {
        (j, i): rng.randint(1, 5) for j in range(1, 6) for i in range(1, 20) if rng.random() < 0.6
    }
    scores = columns(table)
    shuffled = np.random.default_rng(1).permutation(len(scores))
    reordered = ScoreColumns(
        *(getattr(scores, f)[shuffled] for f in ScoreColumns.__dataclass_fields__)
    )
    first, second = rank(scores, ONE_TO_FIVE), rank(reordered, ONE_TO_FIVE)
    assert [(r.idea, r.rank) for r in first.ideas] == [(r.idea, r.rank) for r in second.ideas]
    assert [r.normalised for r in first.ideas] == pytest.approx(
        [r.normalised for r in second.ideas]
    )
    assert first.alpha == pytest.approx(second.alpha)


def test_no_scores_gives_an_empty_table():
    result = rank(ScoreColumns.from_rows([]), ONE_TO_FIVE)
    assert result.ideas == [] and result.alpha is None


def test_normalised_ranking_beats_the_raw_mean_on_synthetic_juries():
    from tests.bench.synthetic import quality_of, synthetic_jury

    juries = [synthetic_jury(seed) for seed in range(20)]
    normalised = np.mean([quality_of(j, OrderBy.NORMALISED).spearman for j in juries])
    raw = np.mean([quality_of(j, OrderBy.MEAN).spearman for j in juries])
    assert normalised > raw + 0.02
