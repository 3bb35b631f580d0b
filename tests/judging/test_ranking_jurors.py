"""The juror model (rule 4 of the ranking) and disagreement on calibrated totals (rule 5), on
juries generated with a known truth: plain numbers, no database."""

import numpy as np
import pytest

from judging.ranking import (
    CriterionScale,
    FitNote,
    OrderBy,
    ScoreColumns,
    fit_juror_model,
    rank,
)
from judging.ranking import jurors as model

# One criterion on 0–100: a score is its total in per cent.
PERCENT = {1: CriterionScale(weight=1, low=0, high=100)}


def generated(
    seed: int,
    *,
    ideas: int,
    jurors: int,
    per_idea: int,
    severity: np.ndarray,
    gain: np.ndarray,
    noise: float,
):
    """Scores from the model itself: juror j gives idea i (quality q, 0–1)
    100 × (0.5 + severity_j + gain_j (q − 0.5) + noise), each idea to ``per_idea`` jurors
    drawn at random. Returns the scores and the qualities."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(0.5, 0.12, ideas)
    rows, review = [], 0
    for i in range(ideas):
        for j in sorted(rng.choice(jurors, per_idea, replace=False).tolist()):
            total = 0.5 + severity[j] + gain[j] * (quality[i] - 0.5) + rng.normal(0, noise)
            review += 1
            rows.append((review, j, i, 1, 100 * total))
    return ScoreColumns.from_rows(rows), quality


def shown(severity: np.ndarray, gain: np.ndarray, centre: float):
    """The true severities and gains as the model shows them: against the average juror, each
    juror counting once, severities measured at the round's mean total ``centre``."""
    mean_gain = gain.mean()
    at_centre = 0.5 + severity + gain / mean_gain * (centre - 0.5 - severity.mean()) - centre
    return at_centre, gain / mean_gain


def test_model_recovers_known_severities_and_scales():
    severity = np.array([-0.12, -0.05, 0.0, 0.03, 0.08, 0.15, -0.08, 0.0])
    gain = np.array([0.6, 0.8, 1.0, 1.2, 1.4, 0.9, 1.1, 1.0])
    scores, _ = generated(
        1, ideas=120, jurors=8, per_idea=4, severity=severity, gain=gain, noise=0.02
    )
    result = rank(scores, PERCENT)
    centre = scores.value.mean() / 100
    true_severity, true_gain = shown(severity, gain, centre)
    fitted = sorted(result.jurors, key=lambda j: j.juror)
    assert [j.severity / 100 for j in fitted] == pytest.approx(true_severity, abs=0.01)
    assert [j.gain for j in fitted] == pytest.approx(true_gain, abs=0.06)
    assert all(j.calibrated and not j.poor_fit for j in fitted)
    # The steadiest jurors (highest gain, same noise) weigh the most.
    weights = [j.weight for j in fitted]
    assert weights.index(max(weights)) == 4 and weights.index(min(weights)) == 0


def test_complete_design_orders_as_the_mean_when_jurors_differ_only_in_severity():
    quality = np.random.default_rng(3).uniform(20, 80, 15)
    severity = [-12.0, -3.0, 0.0, 6.0, 15.0]
    rows = [
        (j * 100 + i, j, i, 1, quality[i] + severity[j])
        for j in range(len(severity))
        for i in range(len(quality))
    ]
    scores = ScoreColumns.from_rows(rows)
    by_mean = rank(scores, PERCENT, order_by=OrderBy.MEAN)
    calibrated = rank(scores, PERCENT, order_by=OrderBy.CALIBRATED)
    assert by_mean.complete
    assert [r.idea for r in calibrated.ideas] == [r.idea for r in by_mean.ideas]
    # What is taken out is each juror's severity, and nothing of the ideas' spread.
    assert [j.severity for j in calibrated.jurors] == pytest.approx(
        np.array(severity) - np.mean(severity), abs=0.01
    )
    assert [r.calibrated for r in calibrated.ideas] == pytest.approx(
        [r.mean for r in by_mean.ideas], abs=0.01
    )


def one_review_jury(reviews_of_newcomer: int):
    """Six jurors who agree on 40 ideas (each reviewed by three), and juror 9, who scores
    ``reviews_of_newcomer`` of them 25 points below the others."""
    severity = np.array([-0.05, 0.05, 0.0, 0.1, -0.1, 0.0])
    gain = np.ones(6)
    scores, quality = generated(
        5, ideas=40, jurors=6, per_idea=3, severity=severity, gain=gain, noise=0.03
    )
    rows = list(
        zip(
            scores.review.tolist(),
            scores.juror.tolist(),
            scores.idea.tolist(),
            scores.criterion.tolist(),
            scores.value.tolist(),
            strict=True,
        )
    )
    for i in range(reviews_of_newcomer):
        rows.append((10_000 + i, 9, i, 1, 100 * (quality[i] - 0.25)))
    return ScoreColumns.from_rows(rows)


def newcomer(reviews: int):
    """Juror 9's fit, and their severity against the mean of the six others'."""
    jurors = {j.juror: j for j in rank(one_review_jury(reviews), PERCENT).jurors}
    others = np.mean([jurors[j].severity for j in range(6)])
    return jurors[9], jurors[9].severity - others


def test_juror_with_one_review_is_pulled_towards_the_average():
    steady, steady_offset = newcomer(25)
    alone, alone_offset = newcomer(1)
    # With 25 reviews the juror's severity is their own; with one, pulled towards the others'.
    assert steady_offset == pytest.approx(-25, abs=2)
    assert -25 * 0.8 < alone_offset < -2
    assert alone.gain == pytest.approx(1, abs=0.1)
    assert alone.calibrated and steady.calibrated


def test_juror_whose_scores_fit_poorly_is_flagged():
    severity, gain = np.zeros(8), np.ones(8)
    scores, _ = generated(
        7, ideas=60, jurors=8, per_idea=4, severity=severity, gain=gain, noise=0.02
    )
    # Juror 7 scores at random.
    rng = np.random.default_rng(0)
    value = np.where(scores.juror == 7, rng.uniform(20, 80, len(scores)), scores.value)
    result = rank(
        ScoreColumns(scores.review, scores.juror, scores.idea, scores.criterion, value), PERCENT
    )
    flagged = {j.juror for j in result.jurors if j.poor_fit}
    assert flagged == {7}
    weight = {j.juror: j.weight for j in result.jurors}
    assert weight[7] < 0.2 * min(w for juror, w in weight.items() if juror != 7)


def test_harsh_and_lenient_jurors_who_agree_on_the_order_are_no_dispute():
    # Jurors 0 and 1 review the same twenty ideas in the same order, 30 points apart; jurors
    # 2–5 link them to the rest of the round.
    rng = np.random.default_rng(11)
    quality = rng.uniform(30, 70, 40)
    rows = []

    def review(juror: int, idea: int, value: float) -> None:
        rows.append((len(rows) + 1, juror, idea, 1, value))

    for i in range(20):
        review(0, i, quality[i] - 15)
        review(1, i, quality[i] + 15)
    for i in range(40):
        for juror in (2 + i % 4, 2 + (i + 1) % 4):
            review(juror, i, quality[i] + rng.normal(0, 2))
    # One real dispute: juror 3 finds idea 25 far better than juror 4 does.
    rows = [r if r[1:3] != (3, 25) else (*r[:4], quality[25] + 50) for r in rows]
    result = rank(ScoreColumns.from_rows(rows), PERCENT)
    ideas = {r.idea: r for r in result.ideas}
    assert max(ideas[i].spread for i in range(20)) > 25  # raw totals 30 points apart
    assert not any(ideas[i].disputed for i in range(20))
    assert max(ideas[i].calibrated_spread for i in range(20)) < 10
    assert {i for i, r in ideas.items() if r.disputed} == {25}


def test_idea_known_from_fewer_reviews_is_pulled_further_towards_the_mean():
    # Noisy jurors: one review says clearly less than four.
    severity, gain = np.zeros(6), np.ones(6)
    scores, _ = generated(
        13, ideas=60, jurors=6, per_idea=3, severity=severity, gain=gain, noise=0.08
    )
    # Ideas 100 and 101 both get 90 from every juror who reads them: four jurors read 100,
    # one of those four reads 101.
    extra = [(9_000 + j, j, 100, 1, 90.0) for j in range(4)] + [(9_010, 0, 101, 1, 90.0)]
    scores = ScoreColumns(
        *(
            np.concatenate([getattr(scores, f), np.array([row[k] for row in extra])])
            for k, f in enumerate(("review", "juror", "idea", "criterion", "value"))
        )
    )
    result = rank(scores, PERCENT)
    ideas = {r.idea: r for r in result.ideas}
    mean = np.mean([r.calibrated for r in result.ideas])
    # Both stay high and are pulled towards the round's mean, the one known from a single
    # review further: it is ranked below the other.
    assert mean < ideas[101].calibrated < ideas[100].calibrated < 90
    assert ideas[100].rank < ideas[101].rank
    assert ideas[100].mean == ideas[101].mean == 90


def test_disconnected_juror_is_used_uncalibrated_and_the_ranking_says_so():
    severity, gain = np.array([0.0, 0.05, -0.05, 0.0]), np.ones(4)
    scores, _ = generated(
        9, ideas=30, jurors=4, per_idea=3, severity=severity, gain=gain, noise=0.02
    )
    # Juror 8 alone reviews ideas 100 and 101: nothing ties their severity to anyone's.
    extra = [(9_000, 8, 100, 1, 90.0), (9_001, 8, 101, 1, 40.0)]
    scores = ScoreColumns(
        *(
            np.concatenate([getattr(scores, f), np.array([row[k] for row in extra])])
            for k, f in enumerate(("review", "juror", "idea", "criterion", "value"))
        )
    )
    result = rank(scores, PERCENT)
    assert result.notes == (FitNote.DISCONNECTED,)
    jurors = {j.juror: j for j in result.jurors}
    assert not jurors[8].calibrated and (jurors[8].severity, jurors[8].gain) == (0, 1)
    assert all(jurors[j].calibrated for j in range(4))
    ideas = {r.idea: r for r in result.ideas}
    assert (ideas[100].calibrated, ideas[101].calibrated) == pytest.approx((90, 40))
    assert len(result.ideas) == 32


def test_fit_that_does_not_converge_falls_back_to_the_mean():
    severity, gain = np.array([0.1, -0.1, 0.0, 0.05]), np.array([0.7, 1.3, 1.0, 1.0])
    scores, _ = generated(
        13, ideas=30, jurors=4, per_idea=2, severity=severity, gain=gain, noise=0.03
    )
    fitted = fit_juror_model(scores.juror, scores.idea, scores.value / 100, max_iterations=1)
    assert fitted.notes == (FitNote.NOT_CONVERGED,)
    assert not fitted.calibrated.any()
    means = np.bincount(scores.idea, weights=scores.value / 100) / np.bincount(scores.idea)
    assert fitted.quality == pytest.approx(means)


def test_ranking_without_a_converged_fit_still_appears_and_says_so(monkeypatch):
    severity, gain = np.array([0.1, -0.1, 0.0, 0.05]), np.array([0.7, 1.3, 1.0, 1.0])
    scores, _ = generated(
        13, ideas=30, jurors=4, per_idea=2, severity=severity, gain=gain, noise=0.03
    )
    monkeypatch.setattr(model, "MAX_ITERATIONS", 1)
    result = rank(scores, PERCENT)
    assert FitNote.NOT_CONVERGED in result.notes
    assert result.order_by == OrderBy.CALIBRATED
    assert len(result.ideas) == 30
    assert not any(j.calibrated for j in result.jurors)
    by_mean = rank(scores, PERCENT, order_by=OrderBy.MEAN)
    assert [r.idea for r in result.ideas] == [r.idea for r in by_mean.ideas]
    assert [r.calibrated for r in result.ideas] == pytest.approx([r.mean for r in result.ideas])


def test_fit_is_the_same_whatever_the_row_order():
    severity, gain = np.array([0.1, -0.1, 0.0, 0.05, 0.0]), np.array([0.7, 1.3, 1.0, 1.0, 0.9])
    scores, _ = generated(
        17, ideas=40, jurors=5, per_idea=3, severity=severity, gain=gain, noise=0.03
    )
    shuffled = np.random.default_rng(2).permutation(len(scores))
    reordered = ScoreColumns(
        *(getattr(scores, f)[shuffled] for f in ("review", "juror", "idea", "criterion", "value"))
    )
    first, second = rank(scores, PERCENT), rank(reordered, PERCENT)
    assert [(r.idea, r.rank) for r in first.ideas] == [(r.idea, r.rank) for r in second.ideas]
    assert [r.calibrated for r in first.ideas] == pytest.approx(
        [r.calibrated for r in second.ideas], abs=1e-6
    )


def test_calibrated_ranking_beats_the_normalised_one_on_synthetic_juries():
    from tests.bench.synthetic import quality_of, synthetic_jury

    juries = [synthetic_jury(seed, ideas=30) for seed in range(20)]
    calibrated = np.mean([quality_of(j, OrderBy.CALIBRATED).spearman for j in juries])
    normalised = np.mean([quality_of(j, OrderBy.NORMALISED).spearman for j in juries])
    assert calibrated > normalised + 0.005


def test_noise_is_pooled_as_far_as_the_jurors_noises_look_alike():
    rng = np.random.default_rng(6)
    dof = np.full(12, 20.0)
    alike = 0.01 * rng.chisquare(20, 12)
    differing = np.geomspace(0.0025, 0.04, 12) * rng.chisquare(20, 12)
    assert model.noise_prior_reviews(alike, dof) >= 30
    assert model.noise_prior_reviews(differing, dof) == model.MIN_NOISE_PRIOR_REVIEWS
    # Too few jurors to show how alike they are: the fixed prior.
    assert model.noise_prior_reviews(alike[:3], dof[:3]) == model.NOISE_PRIOR_REVIEWS


# Four criteria of equal weight on 0–100: a total is the mean of its four scores.
FOUR = {c: CriterionScale(weight=1, low=0, high=100) for c in range(1, 5)}


def generated_by_criterion(seed: int, noise: np.ndarray, *, straight: int | None = None):
    """Juror j scores each of the four criteria of idea i at 100 × (0.5 + severity_j +
    gain_j (q_i + profile_ic − 0.5) + noise), the noise drawn afresh for every criterion with
    the juror's own ``noise[j]``; 48 ideas, each to 5 of the jurors at random. The juror
    ``straight`` gives all four criteria of a review the same score, their noise drawn once
    with half the spread: the noise of their totals is then as large as with four draws.
    Returns the scores and each juror's true noise of a total (0–1)."""
    rng = np.random.default_rng(seed)
    jurors = len(noise)
    severity, gain = rng.normal(0, 0.08, jurors), rng.uniform(0.7, 1.3, jurors)
    quality = rng.normal(0.5, 0.12, 48)
    profile = rng.normal(0, 0.04, (48, 4))
    rows, review = [], 0
    for i in range(48):
        for j in sorted(rng.choice(jurors, 5, replace=False).tolist()):
            review += 1
            line = 0.5 + severity[j] + gain[j] * (quality[i] + profile[i] - 0.5)
            error = np.full(4, rng.normal(0, noise[j] / 2)) if j == straight else None
            error = rng.normal(0, noise[j], 4) if error is None else error
            rows += [(review, j, i, c + 1, 100 * v) for c, v in enumerate(line + error)]
    return ScoreColumns.from_rows(rows), noise / 2


def fitted_noise(scores: ScoreColumns, *, scatter: bool) -> np.ndarray:
    from judging.ranking.table import scales, scatter_within_reviews, totals

    crit_ids, weight, low, high = scales(FOUR)
    found = totals(scores, crit_ids, weight, low, high)
    juror = scores.juror[found.first]
    idea = np.unique(scores.idea[found.first], return_inverse=True)[1]
    within = scatter_within_reviews(found, weight, juror, idea) if scatter else None
    return fit_juror_model(juror, idea, found.total, scatter=within).noise


def test_each_jurors_noise_is_read_closer_to_the_truth_from_their_scatter_within_reviews():
    # Noise variances from half to twice the middle one's.
    noise = np.geomspace(0.05, 0.1, 12)
    errors = {True: [], False: []}
    for seed in range(6):
        scores, truth = generated_by_criterion(seed, noise)
        for scatter in errors:
            errors[scatter].append(np.abs(np.log(fitted_noise(scores, scatter=scatter) / truth)))
    with_scatter = np.array([e.mean() for e in errors[True]])
    totals_only = np.array([e.mean() for e in errors[False]])
    assert (with_scatter < totals_only).all()
    assert with_scatter.mean() < 0.7 * totals_only.mean()


def test_a_juror_who_gives_every_criterion_the_same_score_is_not_taken_for_an_exact_one():
    # Their scores hardly stray within a review, though their totals are as noisy as anyone's.
    scores, truth = generated_by_criterion(7, np.full(12, 0.08), straight=0)
    found = fitted_noise(scores, scatter=True)
    assert found[0] > 0.75 * truth[0]
    # Their reviews weigh less than 1 / MIN_SCATTER_RATIO times an average juror's.
    assert found[0] ** -2 < np.mean(found**-2) / model.MIN_SCATTER_RATIO


def test_scatter_within_reviews_needs_two_criteria_shared_ideas_and_two_reviews():
    from judging.ranking.table import scales, scatter_within_reviews, totals

    two = {1: PERCENT[1], 2: PERCENT[1]}

    def scatter(rows, criteria):
        scores = ScoreColumns.from_rows(rows)
        found = totals(scores, *scales(criteria))
        juror = scores.juror[found.first]
        idea = np.unique(scores.idea[found.first], return_inverse=True)[1]
        return scatter_within_reviews(found, scales(criteria)[1], juror, idea)

    # Jurors 0 and 1 share ideas 0 and 1; juror 2 alone reviewed ideas 2 and 3; juror 3 once.
    first = [(1, 0, 0, 60.0), (2, 1, 0, 40.0), (3, 0, 1, 70.0), (4, 1, 1, 50.0)]
    first += [(5, 2, 2, 50.0), (6, 2, 3, 55.0), (7, 3, 0, 45.0)]
    assert scatter([(r, j, i, 1, v) for r, j, i, v in first], PERCENT) is None
    # Every juror scores criterion 2 ten above criterion 1: no noise between jurors 0 and 1;
    # juror 3's only review cannot tell a habit from noise, and juror 2's ideas nobody else
    # reviewed: both unknown.
    rows = [(r, j, i, 1, v) for r, j, i, v in first]
    rows += [(r, j, i, 2, v + 10) for r, j, i, v in first]
    found = scatter(rows, two)
    assert found[:2] == pytest.approx([0, 0])
    assert np.isnan(found[2]) and np.isnan(found[3])
    # Juror 0 keeps a habit, criterion 2 always 20 above where juror 1 puts it 10 above: a
    # habit the totals cancel, not noise.
    habit = [(r, j, i, 1, v) for r, j, i, v in first[:4]]
    habit += [(r, j, i, 2, v + (20 if j == 0 else 10)) for r, j, i, v in first[:4]]
    assert scatter(habit, two)[:2] == pytest.approx([0, 0])
