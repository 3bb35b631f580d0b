"""Synthetic juries with a known truth, to measure how well a ranking recovers it.

The model: each idea has a true quality q ~ N(3, 0.7) on a 1–5 scale. Each juror has a
severity s ~ N(0, 0.6) (a harsh juror scores everything lower) and a scale gain g ~ U(0.6, 1.4)
(a cautious juror keeps to the middle of the scale). Each idea is reviewed by 3 of the 10
jurors, assigned as the round would assign them. On each of the 6 criteria the juror gives
round(3 + g (q - 3) + s + e), e ~ N(0, 0.5), clipped to 1–5.
"""

from dataclasses import dataclass

import numpy as np

from judging.assignment import plan_assignments
from judging.ranking import CriterionScale, OrderBy, ScoreColumns, rank

CRITERIA = {c: CriterionScale(weight=1.0, low=1, high=5) for c in range(1, 7)}
TOP = 5


@dataclass(frozen=True)
class Jury:
    quality: dict[int, float]
    scores: ScoreColumns


def synthetic_jury(seed: int, *, ideas: int = 40, jurors: int = 10, k: int = 3) -> Jury:
    rng = np.random.default_rng(seed)
    quality = dict(enumerate(rng.normal(3, 0.7, ideas), start=1))
    severity = rng.normal(0, 0.6, jurors)
    gain = rng.uniform(0.6, 1.4, jurors)
    plan = plan_assignments(ideas=quality, jurors=range(jurors), conflicts=set(), k=k, seed=seed)
    rows = []
    for review, (juror, idea) in enumerate(sorted(plan.pairs), start=1):
        for criterion in CRITERIA:
            raw = 3 + gain[juror] * (quality[idea] - 3) + severity[juror] + rng.normal(0, 0.5)
            rows.append((review, juror, idea, criterion, float(np.clip(np.round(raw), 1, 5))))
    return Jury(quality, ScoreColumns.from_rows(rows))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks_a = np.argsort(np.argsort(a))
    ranks_b = np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


@dataclass(frozen=True)
class Quality:
    spearman: float
    top_found: float


def quality_of(jury: Jury, order_by: OrderBy) -> Quality:
    """How well the ranking by ``order_by`` recovers the true order and the true top five."""
    result = rank(jury.scores, CRITERIA, order_by=order_by)
    attribute = {
        OrderBy.CALIBRATED: "calibrated",
        OrderBy.NORMALISED: "normalised",
        OrderBy.MEAN: "mean",
    }[order_by]
    ideas = sorted(jury.quality)
    scored = {row.idea: getattr(row, attribute) for row in result.ideas}
    truth = np.array([jury.quality[i] for i in ideas])
    found = np.array([scored[i] for i in ideas])
    true_top = set(sorted(ideas, key=jury.quality.get, reverse=True)[:TOP])
    ranked_top = set(sorted(ideas, key=lambda i: (-scored[i], i))[:TOP])
    return Quality(spearman(truth, found), len(true_top & ranked_top) / TOP)
