"""Rules 1–4 and 6 of the ranking, and ``rank``, which applies them all to one round's
scores. The rules are listed in the package's doc."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .agreement import krippendorff_alpha_interval

DISAGREEMENT_RANGE = 0.4
DISAGREEMENT_SD = 1.5
MIN_REVIEWS_TO_NORMALISE = 5
# Scores equal to this many decimals are equal: float noise must not break a tie.
TIE_DECIMALS = 9


class OrderBy(StrEnum):
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
    disputed: bool
    criterion_means: dict[int, float]
    votes: int | None


@dataclass(slots=True)
class JurorResult:
    juror: int
    reviews: int
    mean: float
    sd: float
    too_few_to_normalise: bool
    totals: tuple[float, ...]


@dataclass(frozen=True)
class Ranking:
    ideas: list[IdeaResult]
    jurors: list[JurorResult]
    alpha: float | None
    criterion_alpha: dict[int, float | None]
    order_by: OrderBy
    scale: tuple[float, float]
    complete: bool


def default_order(complete: bool) -> OrderBy:
    """The mean when every juror scored every idea; otherwise each juror's scale is corrected."""
    return OrderBy.MEAN if complete else OrderBy.NORMALISED


def rank(
    scores: ScoreColumns,
    criteria: Mapping[int, CriterionScale],
    *,
    order_by: OrderBy | None = None,
    votes: Mapping[int, int] | None = None,
) -> Ranking:
    """The ranking table of one round from its submitted reviews' scores. See the package doc."""
    votes = votes or {}
    crit_ids = np.array(sorted(criteria), dtype=np.int64)
    weight = np.array([criteria[c].weight for c in crit_ids], dtype=np.float64)
    low = np.array([criteria[c].low for c in crit_ids], dtype=np.float64)
    high = np.array([criteria[c].high for c in crit_ids], dtype=np.float64)
    scale = (float(low.min()), float(high.max())) if len(crit_ids) else (0.0, 1.0)
    width = scale[1] - scale[0]

    if len(scores) == 0:
        return Ranking(
            [], [], None, {int(c): None for c in crit_ids}, order_by or OrderBy.MEAN, scale, True
        )

    crit = np.searchsorted(crit_ids, scores.criterion)
    rescaled = (scores.value - low[crit]) / (high[crit] - low[crit])

    # 1. Each review's weighted total, 0–1.
    review_ids, first, review = np.unique(scores.review, return_index=True, return_inverse=True)
    total = np.bincount(review, weights=rescaled * weight[crit]) / np.bincount(
        review, weights=weight[crit]
    )
    idea_ids, review_idea = np.unique(scores.idea[first], return_inverse=True)
    juror_ids, review_juror = np.unique(scores.juror[first], return_inverse=True)
    n_ideas, n_jurors = len(idea_ids), len(juror_ids)

    # 2. Mean, median and spread per idea, from the totals sorted within each idea.
    per_idea = np.bincount(review_idea, minlength=n_ideas)
    idea_sum = np.bincount(review_idea, weights=total, minlength=n_ideas)
    idea_mean = idea_sum / per_idea
    order = np.lexsort((total, review_idea))
    sorted_total = total[order]
    starts = np.cumsum(per_idea) - per_idea
    median = (sorted_total[starts + (per_idea - 1) // 2] + sorted_total[starts + per_idea // 2]) / 2
    spread = sorted_total[starts + per_idea - 1] - sorted_total[starts]

    # 3. Each juror's totals as z-scores, put back on the scale of all totals.
    per_juror = np.bincount(review_juror, minlength=n_jurors)
    juror_mean = np.bincount(review_juror, weights=total, minlength=n_jurors) / per_juror
    juror_sq = np.bincount(review_juror, weights=total * total, minlength=n_jurors) / per_juror
    juror_sd = np.sqrt(np.clip(juror_sq - juror_mean**2, 0, None))
    divisor = np.where(juror_sd > 1e-12, juror_sd, 1.0)
    round_mean, round_sd = float(total.mean()), float(total.std())
    normalised_total = round_mean + (total - juror_mean[review_juror]) / divisor[review_juror] * (
        round_sd
    )
    too_few = per_juror < MIN_REVIEWS_TO_NORMALISE
    normalised_total = np.where(too_few[review_juror], total, normalised_total)
    normalised = np.bincount(review_idea, weights=normalised_total, minlength=n_ideas) / per_idea

    # 4. Disagreement: a wide range, or one review far from the mean of the idea's others.
    others = per_idea[review_idea] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        others_mean = (idea_sum[review_idea] - total) / others
    far = (
        (others >= 2) & (np.abs(total - others_mean) > DISAGREEMENT_SD * round_sd) & (round_sd > 0)
    )
    disputed = (spread >= DISAGREEMENT_RANGE - 1e-12) | (
        np.bincount(review_idea, weights=far, minlength=n_ideas) > 0
    )

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

    # 5. Agreement.
    alpha = krippendorff_alpha_interval(review_idea, total)
    criterion_alpha = {}
    for index, crit_id in enumerate(crit_ids):
        mask = crit == index
        criterion_alpha[int(crit_id)] = krippendorff_alpha_interval(
            score_idea[mask], scores.value[mask]
        )

    # 6. Rank.
    complete = len(review_ids) == n_ideas * n_jurors
    order_by = order_by or default_order(complete)
    primary = {OrderBy.NORMALISED: normalised, OrderBy.MEAN: idea_mean, OrderBy.MEDIAN: median}[
        order_by
    ]
    vote = np.array([votes.get(int(i), 0) for i in idea_ids], dtype=np.float64)
    keys = [np.round(k, TIE_DECIMALS) for k in (primary, normalised, median)] + [vote]
    # np.lexsort sorts by the last key first; negate for "highest first", idea id last.
    ranked = np.lexsort([idea_ids] + [-k for k in reversed(keys)])
    stacked = np.column_stack(keys)[ranked]
    new_rank = np.ones(n_ideas, dtype=bool)
    new_rank[1:] = np.any(stacked[1:] != stacked[:-1], axis=1)
    position = np.arange(1, n_ideas + 1)
    rank_of = np.maximum.accumulate(np.where(new_rank, position, 0))

    # Python objects only for the finished table, built from whole columns at once.
    def on_scale(values: np.ndarray) -> list[float]:
        return (scale[0] + values * width).tolist()

    ids, crit_list = idea_ids.tolist(), crit_ids.tolist()
    means, medians, normals = on_scale(idea_mean), on_scale(median), on_scale(normalised)
    spreads, reviews = (spread * width).tolist(), per_idea.tolist()
    flags, cell_rows, has_rows = disputed.tolist(), cell_mean.tolist(), (cell_count > 0).tolist()
    ideas = [
        IdeaResult(
            idea=ids[index],
            rank=place,
            reviews=reviews[index],
            mean=means[index],
            median=medians[index],
            normalised=normals[index],
            spread=spreads[index],
            disputed=flags[index],
            criterion_means={
                c: m
                for c, m, has in zip(crit_list, cell_rows[index], has_rows[index], strict=True)
                if has
            },
            votes=votes.get(ids[index]),
        )
        for place, index in zip(rank_of.tolist(), ranked.tolist(), strict=True)
    ]
    juror_order = np.argsort(review_juror, kind="stable")
    juror_totals = np.split(scale[0] + total[juror_order] * width, np.cumsum(per_juror)[:-1])
    juror_means, juror_sds = on_scale(juror_mean), (juror_sd * width).tolist()
    jurors = [
        JurorResult(
            juror=int(juror_ids[j]),
            reviews=int(per_juror[j]),
            mean=juror_means[j],
            sd=juror_sds[j],
            too_few_to_normalise=bool(too_few[j]),
            totals=tuple(juror_totals[j].tolist()),
        )
        for j in range(n_jurors)
    ]
    return Ranking(ideas, jurors, alpha, criterion_alpha, order_by, scale, complete)
