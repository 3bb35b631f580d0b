"""Rule 8 of the ranking: how sure each rank is. The rules are listed in the package's doc.

Apart from ``rank`` because it fits the juror model once per drawn round: ``make bench``
times it on its own.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .jurors import Design, fit_juror_model
from .table import (
    TIE_DECIMALS,
    CriterionScale,
    OrderBy,
    Ranking,
    ScoreColumns,
    median_and_spread,
    normalised_totals,
    scales,
    scatter_within_reviews,
    totals,
)

AWARDS = 3
RANK_LEVEL = 0.9
RESAMPLES = 200


@dataclass(slots=True)
class IdeaCertainty:
    idea: int
    rank: int  # as in the ranking
    top_probability: float  # the share of drawn rounds that rank it within the top
    rank_low: int  # the interval holding the middle ``level`` of its ranks in drawn rounds
    rank_high: int


@dataclass(frozen=True)
class RankCertainty:
    ideas: list[IdeaCertainty]  # in the ranking's order
    # (inside, outside): idea ids, one listed within the first ``top`` and one after them, whose
    # intervals both cross the line below rank ``top`` or who share a rank (tied across the
    # line); by the inside idea's place in the ranking, then the outside one's.
    close_at_boundary: list[tuple[int, int]]
    top: int
    level: float
    resamples: int
    order_by: OrderBy


def rank_certainty(
    scores: ScoreColumns,
    criteria: Mapping[int, CriterionScale],
    ranking: Ranking,
    *,
    top: int = AWARDS,
    level: float = RANK_LEVEL,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> RankCertainty:
    """How sure each rank of ``ranking`` is; ``ranking`` is ``rank`` of the same scores."""
    order_by = ranking.order_by
    if not ranking.ideas:
        return RankCertainty([], [], top, level, resamples, order_by)
    crit_ids, weight, low, high = scales(criteria)
    found = totals(scores, crit_ids, weight, low, high)
    first, total = found.first, found.total
    idea_ids, review_idea = np.unique(scores.idea[first], return_inverse=True)
    _, review_juror = np.unique(scores.juror[first], return_inverse=True)
    n_ideas, n_reviews = len(idea_ids), len(total)
    n_jurors = int(review_juror.max()) + 1
    per_idea = np.bincount(review_idea, minlength=n_ideas)
    design = Design.of(review_juror, review_idea)
    # The drawn rounds draw totals only: each juror's scatter within reviews stays as scored.
    scatter = scatter_within_reviews(found, weight, review_juror, review_idea)
    fitted = fit_juror_model(review_juror, review_idea, total, scatter=scatter, design=design)

    def score(drawn: np.ndarray) -> np.ndarray:
        if order_by == OrderBy.CALIBRATED:
            return fit_juror_model(
                review_juror, review_idea, drawn, scatter=scatter, design=design, start=fitted
            ).quality
        if order_by == OrderBy.NORMALISED:
            drawn = normalised_totals(review_juror, drawn, n_jurors)[0]
        elif order_by == OrderBy.MEDIAN:
            return median_and_spread(review_idea, drawn, n_ideas)[1]
        return np.bincount(review_idea, weights=drawn, minlength=n_ideas) / per_idea

    # Each juror's line at each idea's fitted quality, which the fit has already pulled
    # towards the round's mean by its uncertainty (rule 4).
    gain, severity = fitted.gain[review_juror], fitted.severity[review_juror]
    noise = fitted.noise[review_juror]
    information = gain * gain / noise**2
    idea_information = np.bincount(review_idea, weights=information, minlength=n_ideas)
    idea_information += 1 / fitted.quality_sd**2
    quality, centre = fitted.quality, fitted.centre
    line = centre + severity + gain * (quality[review_idea] - centre)
    # The residuals, each standardised by its juror's noise and by what its idea's quality
    # took of it (a review alone on its idea left almost none), then brought to spread 1: the
    # noise estimates have already counted what the jurors' lines took.
    leverage = information / idea_information[review_idea]
    residual = total - line
    usable = leverage < 1 - 1e-9
    pool = residual[usable] / (noise[usable] * np.sqrt(1 - leverage[usable]))
    pool = pool - pool.mean() if len(pool) > 1 else np.zeros(1)
    pool = pool / pool.std() if pool.std() > 0 else pool

    rng = np.random.default_rng(seed)
    ranks = np.empty((resamples, n_ideas), dtype=np.int64)
    for resample in range(resamples):
        drawn = line + noise * pool[rng.integers(0, len(pool), n_reviews)]
        key = -np.round(score(drawn), TIE_DECIMALS)
        # Competition ranks: one more than the number of ideas scored strictly higher.
        ranks[resample] = np.searchsorted(np.sort(key), key, side="left") + 1

    ranks.sort(axis=0)
    tail = (1 - level) / 2
    rank_low = ranks[int(np.floor(tail * resamples))]
    rank_high = ranks[min(int(np.ceil((1 - tail) * resamples)) - 1, resamples - 1)]
    top_probability = (ranks <= top).mean(axis=0)
    position = dict(zip(idea_ids.tolist(), range(n_ideas), strict=True))
    ideas = []
    for row in ranking.ideas:
        index = position[row.idea]
        ideas.append(
            IdeaCertainty(
                idea=row.idea,
                rank=row.rank,
                top_probability=float(top_probability[index]),
                rank_low=int(rank_low[index]),
                rank_high=int(rank_high[index]),
            )
        )
    # The line falls after the first ``top`` ideas as listed: ideas tied across it (sharing a
    # rank) are on either side of it, and no order of theirs is the ranking's.
    close = [
        (a.idea, b.idea)
        for a in ideas[:top]
        for b in ideas[top:]
        if a.rank == b.rank or (a.rank_high > top and b.rank_low <= top)
    ]
    return RankCertainty(ideas, close, top, level, resamples, order_by)
