"""Synthetic juries with a known truth, to measure how well a ranking recovers it.

Every design follows one model: a review's total (0–1, as the ranking computes it) is
``0.5 + severity + gain × (quality − 0.5)`` plus the juror's noise, before rounding to the
criteria's scales. Each ``Jury`` carries that truth: each idea's quality and each juror's
severity, gain and noise (the standard deviation of one review's total around the juror's
line), so that an *oracle* can calibrate every review with the true parameters.

``synthetic_jury``, the repository's design: each idea has a true quality q ~ N(3, 0.7) on a
1–5 scale. Each juror has a severity s ~ N(0, 0.6) (a harsh juror scores everything lower) and
a scale gain g ~ U(0.6, 1.4) (a cautious juror keeps to the middle of the scale). Each idea is
reviewed by 3 of the 10 jurors, assigned as the round would assign them. On each of the 6
criteria the juror gives round(3 + g (q - 3) + s + e), e ~ N(0, 0.5), clipped to 1–5.

``harder_jury``, a design that asks more of a ranking: 5 of 12 jurors per idea; six criteria on
different scales (0–3 to 1–10) with unequal weights, and each idea a little better on some
criteria than on others; three of the jurors squeeze every score towards the middle (gain
0.25–0.45); jurors differ in noise; and 15 % of the assigned reviews never come in.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from judging.assignment import plan_assignments
from judging.ranking import CriterionScale, OrderBy, ScoreColumns, rank, review_totals

CRITERIA = {c: CriterionScale(weight=1.0, low=1, high=5) for c in range(1, 7)}
# The harder design's criteria: unequal weights, scales from 0–3 to 1–10.
UNEVEN_CRITERIA = {
    1: CriterionScale(weight=3.0, low=1, high=5),
    2: CriterionScale(weight=1.0, low=1, high=5),
    3: CriterionScale(weight=2.0, low=0, high=10),
    4: CriterionScale(weight=1.0, low=1, high=7),
    5: CriterionScale(weight=1.0, low=0, high=3),
    6: CriterionScale(weight=2.0, low=1, high=10),
}
TOP = 5


@dataclass(frozen=True)
class Jury:
    quality: dict[int, float]  # idea → true quality (any scale: only its order is used)
    scores: ScoreColumns
    criteria: Mapping[int, CriterionScale]
    # juror → the truth of the model in the module doc, in units of a review's 0–1 total.
    severity: dict[int, float]
    gain: dict[int, float]
    noise: dict[int, float]


def synthetic_jury(
    seed: int, *, ideas: int = 40, jurors: int = 10, k: int | None = 3, mixed: bool = False
) -> Jury:
    """``mixed``: instead of the round's assignment, each idea's k jurors are the least
    loaded, ties broken afresh at random for every idea (the same truth, other jurors)."""
    rng = np.random.default_rng(seed)
    quality = dict(enumerate(rng.normal(3, 0.7, ideas), start=1))
    severity = rng.normal(0, 0.6, jurors)
    gain = rng.uniform(0.6, 1.4, jurors)
    if mixed:
        pairs = mixed_assignment(list(quality), jurors, k, seed)
    else:
        plan = plan_assignments(
            ideas=quality, jurors=range(jurors), conflicts=set(), k=k, seed=seed
        )
        pairs = plan.pairs
    rows = []
    for review, (juror, idea) in enumerate(sorted(pairs), start=1):
        for criterion in CRITERIA:
            raw = 3 + gain[juror] * (quality[idea] - 3) + severity[juror] + rng.normal(0, 0.5)
            rows.append((review, juror, idea, criterion, float(np.clip(np.round(raw), 1, 5))))
    # On the 0–1 total: (3 + g (q - 3) + s - 1) / 4 = 0.5 + s / 4 + g ((q - 1) / 4 - 0.5); the
    # noise is e / 4 and the rounding to whole points (variance 1/12 of a point²), over six
    # criteria of equal weight.
    noise = float(np.sqrt((0.5**2 + 1 / 12) / 16 / len(CRITERIA)))
    return Jury(
        quality,
        ScoreColumns.from_rows(rows),
        CRITERIA,
        severity={j: float(severity[j] / 4) for j in range(jurors)},
        gain={j: float(gain[j]) for j in range(jurors)},
        noise=dict.fromkeys(range(jurors), noise),
    )


def mixed_assignment(ideas: list[int], jurors: int, k: int, seed: int) -> set[tuple[int, int]]:
    """Each idea to the k least-loaded jurors, ties broken afresh for every idea, so that
    many different groups of jurors meet (the round's assignment breaks ties in one fixed
    order, and the same few groups recur)."""
    rng = np.random.default_rng(20_000 + seed)
    loads = np.zeros(jurors)
    pairs = set()
    for idea in ideas:
        for juror in np.lexsort((rng.random(jurors), loads))[:k].tolist():
            pairs.add((juror, idea))
            loads[juror] += 1
    return pairs


def harder_jury(
    seed: int,
    *,
    ideas: int = 60,
    jurors: int = 12,
    k: int = 5,
    squeezers: int = 3,
    missing: float = 0.15,
) -> Jury:
    rng = np.random.default_rng(10_000 + seed)
    criteria = UNEVEN_CRITERIA
    ids = sorted(criteria)
    weight = np.array([criteria[c].weight for c in ids])
    steps = np.array([criteria[c].high - criteria[c].low for c in ids])
    base = rng.normal(0.5, 0.15, ideas)
    # Each idea is a little better on some criteria than on others; its true quality is the
    # weighted mean over the criteria, which is what the jury is asked to judge.
    per_criterion = base[:, None] + rng.normal(0, 0.05, (ideas, len(ids)))
    truth = per_criterion @ weight / weight.sum()
    severity = rng.normal(0, 0.1, jurors)
    gain = rng.uniform(0.7, 1.3, jurors)
    gain[:squeezers] = rng.uniform(0.25, 0.45, squeezers)
    noise = rng.uniform(0.05, 0.15, jurors)
    plan = plan_assignments(
        ideas=range(ideas), jurors=range(jurors), conflicts=set(), k=k, seed=seed
    )
    pairs = sorted(plan.pairs, key=lambda pair: (pair[1], pair[0]))
    kept, left = [], {i: k for i in range(ideas)}
    for juror, idea in pairs:
        # A review goes missing, but every idea keeps at least one.
        if rng.random() < missing and left[idea] > 1:
            left[idea] -= 1
            continue
        kept.append((juror, idea))
    rows = []
    for review, (juror, idea) in enumerate(kept, start=1):
        line = 0.5 + severity[juror] + gain[juror] * (per_criterion[idea] - 0.5)
        place = np.clip(line + rng.normal(0, noise[juror], len(ids)), 0, 1)
        values = np.array([criteria[c].low for c in ids]) + np.round(place * steps)
        rows += [(review, juror, idea + 1, c, float(v)) for c, v in zip(ids, values, strict=True)]
    # The noise of a total: each criterion's own noise and its rounding to the scale's steps
    # (variance step² / 12), weighted as the total weights them.
    rounding = (1 / steps) ** 2 / 12
    total_noise = np.sqrt(
        (weight**2 * (noise[:, None] ** 2 + rounding)).sum(axis=1) / weight.sum() ** 2
    )
    return Jury(
        {i + 1: float(truth[i]) for i in range(ideas)},
        ScoreColumns.from_rows(rows),
        criteria,
        severity={j: float(severity[j]) for j in range(jurors)},
        gain={j: float(gain[j]) for j in range(jurors)},
        noise={j: float(total_noise[j]) for j in range(jurors)},
    )


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks_a = np.argsort(np.argsort(a))
    ranks_b = np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


@dataclass(frozen=True)
class Quality:
    spearman: float
    top_found: float


def truth_calibrated(jury: Jury, *, gains: bool = True, weights: bool = True) -> dict[int, float]:
    """Each idea's score when every juror's true severity (and, with ``gains``, gain) is taken
    out of their totals, each review counting (with ``weights``) by the juror's true signal,
    gain² / noise². With both: the *oracle*, the best a ranking could do knowing the jurors,
    the yardstick of the fitted juror model. With neither: what knowing the severities alone
    is worth."""
    totals = review_totals(jury.scores, jury.criteria)
    jurors = totals.juror.tolist()
    severity = np.array([jury.severity[j] for j in jurors])
    gain = np.array([jury.gain[j] for j in jurors]) if gains else np.ones(len(jurors))
    noise = np.array([jury.noise[j] for j in jurors]) if weights else np.ones(len(jurors))
    calibrated = 0.5 + (totals.total - 0.5 - severity) / gain
    weight = gain**2 / noise**2
    ids, index = np.unique(totals.idea, return_inverse=True)
    scores = np.bincount(index, weights=weight * calibrated) / np.bincount(index, weights=weight)
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))


def severities_learnt(jury: Jury) -> dict[int, float]:
    """Each idea's score by the best a ranking can do that knows every juror's true gain and
    noise but must learn their severities from the reviews, as the fitted model must: the
    posterior mean of the qualities in the design's own linear model, each juror's severity
    drawn from a normal of the jury's true spread of severities, each idea's quality from a
    normal of the spread its oracle scores show beyond their errors. Its distance from the
    oracle is what the oracle's knowledge of the severities is worth on the design, which no
    estimator that learns them (and the gains and noises besides) can be expected to close."""
    totals = review_totals(jury.scores, jury.criteria)
    ids, idea = np.unique(totals.idea, return_inverse=True)
    jurors, juror = np.unique(totals.juror, return_inverse=True)
    n_ideas, n_jurors = len(ids), len(jurors)
    gain = np.array([jury.gain[j] for j in jurors.tolist()])[juror]
    weight = 1 / np.array([jury.noise[j] for j in jurors.tolist()])[juror] ** 2
    severity_var = max(float(np.var([jury.severity[j] for j in jurors.tolist()])), 1e-12)
    oracle = np.array([truth_calibrated(jury)[i] for i in ids.tolist()])
    information = np.bincount(idea, weights=weight * gain**2)
    quality_var = max(float(oracle.var() - (1 / information).mean()), 1e-12)
    # total − 0.5 = severity + gain × (quality − 0.5) + noise, quality − 0.5 ~ N(centre, τ²).
    design = np.zeros((len(idea), n_ideas + n_jurors))
    design[np.arange(len(idea)), idea] = gain
    design[np.arange(len(idea)), n_ideas + juror] = 1
    prior = np.concatenate([np.full(n_ideas, 1 / quality_var), np.full(n_jurors, 1 / severity_var)])
    centre = np.concatenate([np.full(n_ideas, float(oracle.mean()) - 0.5), np.zeros(n_jurors)])
    normal = design.T @ (weight[:, None] * design) + np.diag(prior)
    solved = np.linalg.solve(normal, design.T @ (weight * (totals.total - 0.5)) + prior * centre)
    return dict(zip(ids.tolist(), (0.5 + solved[:n_ideas]).tolist(), strict=True))


def oracle_scores(jury: Jury) -> dict[int, float]:
    return truth_calibrated(jury)


ATTRIBUTE = {
    OrderBy.CALIBRATED: "calibrated",
    OrderBy.NORMALISED: "normalised",
    OrderBy.MEAN: "mean",
    OrderBy.MEDIAN: "median",
}


def scores_of(jury: Jury, order_by: OrderBy) -> dict[int, float]:
    """Each idea's score by ``order_by``, as ``rank`` gives it."""
    result = rank(jury.scores, jury.criteria, order_by=order_by)
    return {row.idea: getattr(row, ATTRIBUTE[order_by]) for row in result.ideas}


def estimates(jury: Jury) -> dict[str, dict[int, float]]:
    """Every score ``rank`` gives each idea, from one ranking of the jury."""
    result = rank(jury.scores, jury.criteria)
    return {
        order_by.value: {row.idea: getattr(row, attribute) for row in result.ideas}
        for order_by, attribute in ATTRIBUTE.items()
    }


def quality_of_scores(jury: Jury, scored: Mapping[int, float]) -> Quality:
    """How well ``scored`` recovers the true order and the true top five."""
    ideas = sorted(jury.quality)
    truth = np.array([jury.quality[i] for i in ideas])
    found = np.array([scored[i] for i in ideas])
    true_top = set(sorted(ideas, key=jury.quality.get, reverse=True)[:TOP])
    ranked_top = set(sorted(ideas, key=lambda i: (-scored[i], i))[:TOP])
    return Quality(spearman(truth, found), len(true_top & ranked_top) / TOP)


def quality_of(jury: Jury, order_by: OrderBy) -> Quality:
    """How well the ranking by ``order_by`` recovers the true order and the true top five."""
    return quality_of_scores(jury, scores_of(jury, order_by))
