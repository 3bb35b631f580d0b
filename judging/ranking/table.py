"""Rules 1–3, 5 and 7 of the ranking, and ``rank``, which applies rules 1–7 to one round's
scores. The rules are listed in the package's doc."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .agreement import krippendorff_alpha_interval
from .jurors import FitNote, fit_juror_model

DISAGREEMENT_RANGE = 0.4
DISAGREEMENT_SD = 1.5
MIN_REVIEWS_TO_NORMALISE = 5
# Scores equal to this many decimals are equal: float noise must not break a tie.
TIE_DECIMALS = 9


class OrderBy(StrEnum):
    CALIBRATED = "calibrated"
    NORMALISED = "normalised"
    MEAN = "mean"
    MEDIAN = "median"


@dataclass(frozen=True)
class CriterionScale:
    weight: float
    low: float
    high: float


@dataclass(frozen=True)
class ScoreColumns:
    """One score per position: which review, juror, idea and criterion, and the value given."""

    review: np.ndarray
    juror: np.ndarray
    idea: np.ndarray
    criterion: np.ndarray
    value: np.ndarray

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, int, int, int, float]]) -> "ScoreColumns":
        """From ``(review, juror, idea, criterion, value)`` tuples."""
        table = np.array(list(rows), dtype=np.float64).reshape(-1, 5)
        ids = table[:, :4].astype(np.int64)
        return cls(ids[:, 0], ids[:, 1], ids[:, 2], ids[:, 3], table[:, 4])

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class ReviewTotals:
    """One position per review, in review id order: its juror, idea and total (0–1)."""

    review: np.ndarray
    juror: np.ndarray
    idea: np.ndarray
    total: np.ndarray


# Slots and no freezing: a frozen dataclass sets each field through object.__setattr__, which
# is a tenth of the ranking's time at 10,000 ideas.
@dataclass(slots=True)
class IdeaResult:
    idea: int
    rank: int
    reviews: int
    mean: float
    median: float
    normalised: float
    spread: float
    disputed: bool  # rule 5, on the calibrated totals
    criterion_means: dict[int, float]
    votes: int | None
    # Rule 4: the calibrated score, and the spread of the calibrated totals.
    calibrated: float = 0.0
    calibrated_spread: float = 0.0


@dataclass(slots=True)
class JurorResult:
    juror: int
    reviews: int
    mean: float
    sd: float
    too_few_to_normalise: bool
    totals: tuple[float, ...]
    # Rule 4, on the round's scale: what the juror adds to the average juror's total (below 0:
    # harsher), their gain (below 1: keeps to the middle), the spread of their totals around
    # their line, and their reliability (gain² / noise²) as a multiple of the average review's.
    severity: float = 0.0
    gain: float = 1.0
    noise: float = 0.0
    weight: float = 1.0
    calibrated: bool = True  # False: their totals used as they are
    poor_fit: bool = False


@dataclass(frozen=True)
class Ranking:
    ideas: list[IdeaResult]
    jurors: list[JurorResult]
    alpha: float | None
    criterion_alpha: dict[int, float | None]
    order_by: OrderBy
    scale: tuple[float, float]
    complete: bool
    notes: tuple[FitNote, ...] = ()


def scales(criteria: Mapping[int, CriterionScale]):
    """The criteria's ids (sorted), weights, lows and highs as columns."""
    crit_ids = np.array(sorted(criteria), dtype=np.int64)
    weight = np.array([criteria[c].weight for c in crit_ids], dtype=np.float64)
    low = np.array([criteria[c].low for c in crit_ids], dtype=np.float64)
    high = np.array([criteria[c].high for c in crit_ids], dtype=np.float64)
    return crit_ids, weight, low, high


@dataclass(frozen=True)
class Totals:
    """Rule 1, with the positions ``rank`` reads the scores by."""

    crit: np.ndarray  # per score: its criterion's position
    rescaled: np.ndarray  # per score: 0–1
    review: np.ndarray  # per score: its review's position
    review_ids: np.ndarray
    first: np.ndarray  # per review: its first score
    total: np.ndarray  # per review


def totals(scores: ScoreColumns, crit_ids, weight, low, high) -> Totals:
    """Rule 1: each review's total, with the positions the other rules read the scores by."""
    crit = np.searchsorted(crit_ids, scores.criterion)
    rescaled = (scores.value - low[crit]) / (high[crit] - low[crit])
    review_ids, first, review = np.unique(scores.review, return_index=True, return_inverse=True)
    total = np.bincount(review, weights=rescaled * weight[crit]) / np.bincount(
        review, weights=weight[crit]
    )
    return Totals(crit, rescaled, review, review_ids, first, total)


def review_totals(scores: ScoreColumns, criteria: Mapping[int, CriterionScale]) -> ReviewTotals:
    """Rule 1: each review's total, 0–1."""
    found = totals(scores, *scales(criteria))
    return ReviewTotals(
        found.review_ids, scores.juror[found.first], scores.idea[found.first], found.total
    )


def scatter_within_reviews(
    found: Totals, weight: np.ndarray, review_juror: np.ndarray, review_idea: np.ndarray
) -> np.ndarray | None:
    """Rule 4 per juror: how far the juror's scores on one review stray from one another,
    beyond what the idea's reviews agree on and beyond the juror's own habits. Each rescaled
    score less its review's total is the idea's profile across the criteria, as the juror saw
    it, plus the juror's noise; less the mean of that over the idea's reviews (its profile),
    and less the juror's mean of what is left on each criterion (a juror who always scores
    feasibility lower and impact higher has a habit, which the totals cancel, not noise), the
    noise is left, with a share of the other reviewers' of the idea: with few reviewers an idea
    tells its jurors apart less than it could, which errs towards the jury's noise. Weighted as
    the total weights each criterion and squared; per juror, summed and divided by what
    is left of each score's expected square once those two means are taken out: NaN for a
    juror whose ideas no other juror reviewed. None with fewer than two criteria."""
    n_crit = len(weight)
    if n_crit < 2:
        return None
    crit, review = found.crit, found.review
    n_ideas, n_jurors = int(review_idea.max()) + 1, int(review_juror.max()) + 1
    deviation = found.rescaled - found.total[review]
    idea_cell = review_idea[review] * n_crit + crit
    juror_cell = review_juror[review] * n_crit + crit
    per_idea_cell = np.bincount(idea_cell, minlength=n_ideas * n_crit)
    per_juror_cell = np.bincount(juror_cell, minlength=n_jurors * n_crit)
    noise = deviation - np.bincount(idea_cell, weights=deviation, minlength=n_ideas * n_crit)[
        idea_cell
    ] / np.maximum(per_idea_cell[idea_cell], 1)
    noise -= np.bincount(juror_cell, weights=noise, minlength=n_jurors * n_crit)[
        juror_cell
    ] / np.maximum(per_juror_cell[juror_cell], 1)
    share = (weight / weight.sum())[crit] ** 2
    left = share * (1 - 1 / per_idea_cell[idea_cell]) * (1 - 1 / per_juror_cell[juror_cell])
    juror = review_juror[review]
    squares = np.bincount(juror, weights=share * noise * noise, minlength=n_jurors)
    room = np.bincount(juror, weights=left, minlength=n_jurors)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(room > 1e-12, squares / room, np.nan)


def median_and_spread(review_idea: np.ndarray, total: np.ndarray, n_ideas: int):
    """Rule 2 per idea: the number of reviews, the median and the spread of the totals."""
    per_idea = np.bincount(review_idea, minlength=n_ideas)
    order = np.lexsort((total, review_idea))
    sorted_total = total[order]
    starts = np.cumsum(per_idea) - per_idea
    median = (sorted_total[starts + (per_idea - 1) // 2] + sorted_total[starts + per_idea // 2]) / 2
    spread = sorted_total[starts + per_idea - 1] - sorted_total[starts]
    return per_idea, median, spread


def normalised_totals(review_juror: np.ndarray, total: np.ndarray, n_jurors: int):
    """Rule 3 per review, with each juror's mean, standard deviation and too-few flag."""
    per_juror = np.bincount(review_juror, minlength=n_jurors)
    juror_mean = np.bincount(review_juror, weights=total, minlength=n_jurors) / per_juror
    juror_sq = np.bincount(review_juror, weights=total * total, minlength=n_jurors) / per_juror
    juror_sd = np.sqrt(np.clip(juror_sq - juror_mean**2, 0, None))
    divisor = np.where(juror_sd > 1e-12, juror_sd, 1.0)
    round_mean, round_sd = float(total.mean()), float(total.std())
    normalised = round_mean + (total - juror_mean[review_juror]) / divisor[review_juror] * round_sd
    too_few = per_juror < MIN_REVIEWS_TO_NORMALISE
    return np.where(too_few[review_juror], total, normalised), juror_mean, juror_sd, too_few


def disagreement(
    review_idea: np.ndarray, values: np.ndarray, n_ideas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 5 over one value per review (0–1), as ``rank`` applies it to the calibrated
    totals: per idea, the spread and whether the idea is disputed."""
    per_idea, _, spread = median_and_spread(review_idea, values, n_ideas)
    idea_sum = np.bincount(review_idea, weights=values, minlength=n_ideas)
    round_sd = float(values.std())
    others = per_idea[review_idea] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        others_mean = (idea_sum[review_idea] - values) / others
    far = (
        (others >= 2) & (np.abs(values - others_mean) > DISAGREEMENT_SD * round_sd) & (round_sd > 0)
    )
    disputed = (spread >= DISAGREEMENT_RANGE - 1e-12) | (
        np.bincount(review_idea, weights=far, minlength=n_ideas) > 0
    )
    return spread, disputed


def default_order(complete: bool) -> OrderBy:
    """The mean when every juror scored every idea; otherwise each juror is calibrated."""
    return OrderBy.MEAN if complete else OrderBy.CALIBRATED


def rank(
    scores: ScoreColumns,
    criteria: Mapping[int, CriterionScale],
    *,
    order_by: OrderBy | None = None,
    votes: Mapping[int, int] | None = None,
) -> Ranking:
    """The ranking table of one round from its submitted reviews' scores. See the package doc."""
    votes = votes or {}
    crit_ids, weight, low, high = scales(criteria)
    scale = (float(low.min()), float(high.max())) if len(crit_ids) else (0.0, 1.0)
    width = scale[1] - scale[0]

    if len(scores) == 0:
        return Ranking(
            [], [], None, {int(c): None for c in crit_ids}, order_by or OrderBy.MEAN, scale, True
        )

    # 1. Each review's weighted total, 0–1.
    found = totals(scores, crit_ids, weight, low, high)
    crit, review_ids, first, total = found.crit, found.review_ids, found.first, found.total
    idea_ids, review_idea = np.unique(scores.idea[first], return_inverse=True)
    juror_ids, review_juror = np.unique(scores.juror[first], return_inverse=True)
    n_ideas, n_jurors = len(idea_ids), len(juror_ids)

    # 2. Mean, median and spread per idea.
    per_idea, median, spread = median_and_spread(review_idea, total, n_ideas)
    idea_mean = np.bincount(review_idea, weights=total, minlength=n_ideas) / per_idea

    # 3. Each juror's totals as z-scores, put back on the scale of all totals.
    normalised_total, juror_mean, juror_sd, too_few = normalised_totals(
        review_juror, total, n_jurors
    )
    per_juror = np.bincount(review_juror, minlength=n_jurors)
    normalised = np.bincount(review_idea, weights=normalised_total, minlength=n_ideas) / per_idea

    # 4. The juror model.
    scatter = scatter_within_reviews(found, weight, review_juror, review_idea)
    model = fit_juror_model(review_juror, review_idea, total, scatter=scatter)

    # 5. Disagreement, once each juror's severity and scale are taken out.
    calibrated_spread, disputed = disagreement(review_idea, model.calibrated_total, n_ideas)

    # Per idea, per criterion: the mean score on the criterion's own scale.
    score_idea = np.searchsorted(idea_ids, scores.idea)
    cell = score_idea * len(crit_ids) + crit
    cells = n_ideas * len(crit_ids)
    cell_count = np.bincount(cell, minlength=cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = (np.bincount(cell, weights=scores.value, minlength=cells) / cell_count).reshape(
            n_ideas, len(crit_ids)
        )
    cell_count = cell_count.reshape(n_ideas, len(crit_ids))

    # 6. Agreement.
    alpha = krippendorff_alpha_interval(review_idea, total)
    criterion_alpha = {}
    for index, crit_id in enumerate(crit_ids):
        mask = crit == index
        criterion_alpha[int(crit_id)] = krippendorff_alpha_interval(
            score_idea[mask], scores.value[mask]
        )

    # 7. Rank.
    complete = len(review_ids) == n_ideas * n_jurors
    order_by = order_by or default_order(complete)
    primary = {
        OrderBy.CALIBRATED: model.quality,
        OrderBy.NORMALISED: normalised,
        OrderBy.MEAN: idea_mean,
        OrderBy.MEDIAN: median,
    }[order_by]
    vote = np.array([votes.get(int(i), 0) for i in idea_ids], dtype=np.float64)
    keys = [np.round(k, TIE_DECIMALS) for k in (primary, normalised, median)] + [vote]
    # np.lexsort sorts by the last key first; negate for "highest first", idea id last.
    ranked = np.lexsort([idea_ids] + [-k for k in reversed(keys)])
    stacked = np.column_stack(keys)[ranked]
    new_rank = np.ones(n_ideas, dtype=bool)
    new_rank[1:] = np.any(stacked[1:] != stacked[:-1], axis=1)
    position = np.arange(1, n_ideas + 1)
    rank_of = np.maximum.accumulate(np.where(new_rank, position, 0))

    # Python objects only for the finished table, built from whole columns at once, in rank
    # order, the fields given in the order IdeaResult declares them: at 10,000 ideas, looking
    # values up one by one and naming each field were a third of the ranking's time.
    def on_scale(values: np.ndarray) -> list[float]:
        return (scale[0] + values[ranked] * width).tolist()

    def widths(values: np.ndarray) -> list[float]:
        return (values[ranked] * width).tolist()

    ids, crit_list = idea_ids[ranked].tolist(), crit_ids.tolist()
    has = cell_count[ranked] > 0
    criterion_means = [
        dict(zip(crit_list, row, strict=True))
        if full
        else {c: m for c, m, scored in zip(crit_list, row, present, strict=True) if scored}
        for row, present, full in zip(
            cell_mean[ranked].tolist(), has.tolist(), has.all(axis=1).tolist(), strict=True
        )
    ]
    ideas = [
        IdeaResult(*fields)
        for fields in zip(
            ids,
            rank_of.tolist(),
            per_idea[ranked].tolist(),
            on_scale(idea_mean),
            on_scale(median),
            on_scale(normalised),
            widths(spread),
            disputed[ranked].tolist(),
            criterion_means,
            [votes.get(i) for i in ids],
            on_scale(model.quality),
            widths(calibrated_spread),
            strict=True,
        )
    ]
    juror_order = np.argsort(review_juror, kind="stable")
    juror_totals = np.split(scale[0] + total[juror_order] * width, np.cumsum(per_juror)[:-1])
    juror_means, juror_sds = (scale[0] + juror_mean * width).tolist(), (juror_sd * width).tolist()
    reliability = model.reliability
    counted = np.where(model.calibrated, per_juror, 0)
    average = float((reliability * counted).sum() / counted.sum()) if counted.sum() else 0.0
    weights = (reliability / average if average > 0 else np.ones(n_jurors)).tolist()
    severities, noises = (model.severity * width).tolist(), (model.noise * width).tolist()
    gains, fitted_flags, poor = model.gain.tolist(), model.calibrated.tolist(), model.poor_fit
    jurors = [
        JurorResult(
            juror=int(juror_ids[j]),
            reviews=int(per_juror[j]),
            mean=juror_means[j],
            sd=juror_sds[j],
            too_few_to_normalise=bool(too_few[j]),
            totals=tuple(juror_totals[j].tolist()),
            severity=severities[j],
            gain=gains[j],
            noise=noises[j],
            weight=weights[j],
            calibrated=fitted_flags[j],
            poor_fit=bool(poor[j]),
        )
        for j in range(n_jurors)
    ]
    return Ranking(ideas, jurors, alpha, criterion_alpha, order_by, scale, complete, model.notes)
