"""Rule 4 of the ranking: the juror model. The rules are listed in the package's doc.

Reviews come in as positions: ``juror`` and ``idea`` numbered 0, 1, … (every number used),
with each review's 0–1 total. Severities, spreads and noises are in units of that total.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

MAX_ITERATIONS = 100
TOLERANCE = 1e-7
# The fit whose residuals only give the noise need not be exact.
ROUGH_TOLERANCE = 1e-3
NOISE_ROUNDS = 1
# Levenberg–Marquardt: the first damping (a share of each unknown's own curvature), its floor,
# and how many times a step that does not lower the sum of squares is tried again, damped.
DAMPING = 1e-3
MIN_DAMPING = 1e-9
DAMPING_TRIES = 12
DAMPING_FALL = 3
# See Design.
DENSE_SHARE = 0.25
# Priors when too few jurors show the jury's spread: a severity within about ±10 % of the
# scale, a gain within about ±25 % of the average juror's.
SEVERITY_SD = 0.1
GAIN_SD = 0.25
MIN_REVIEWS_FOR_SPREAD = 5
MIN_JURORS_FOR_SPREAD = 4
# Never assume the jurors alike: severities differ by at least 1 % of the scale, gains by
# 15 %. The gains' floor also keeps the fit of a jury that agrees on nothing (pure noise) from
# wandering among the many ways noise can be read as signal.
MIN_SEVERITY_SD = 0.01
MIN_GAIN_SD = 0.15
MIN_GAIN = 0.2
# Nor the ideas: their qualities are taken to spread by at least 1 % of the scale, so that the
# ideas of a jury whose totals differ no more than its noise are still ordered by the reviews.
MIN_QUALITY_SD = 0.01
# How many of the round's reviews a juror's own noise is pooled with: as many as the spread of
# the jurors' noises allows (empirical Bayes), between these two; NOISE_PRIOR_REVIEWS when
# fewer than MIN_JURORS_FOR_SPREAD jurors have two degrees of freedom to show it.
NOISE_PRIOR_REVIEWS = 8
MIN_NOISE_PRIOR_REVIEWS = 4
MAX_NOISE_PRIOR_REVIEWS = 100
# A juror's scatter within reviews moves the noise variance their own residuals are pooled
# with to at most twice the round's, and to no less than two thirds of it: little scatter has
# innocent causes that leave the totals as noisy as anyone's (a juror who gives every
# criterion of a review the same score, or whose scores pile up at an end of the scale), so
# it is believed less than much scatter.
MAX_SCATTER_RATIO = 2.0
MIN_SCATTER_RATIO = 2 / 3
# No juror is taken as more exact than 0.1 % of the scale: an exact fit must not weigh
# infinitely.
MIN_NOISE = 1e-3
POOR_FIT_P = 0.001
# The normal deviate with POOR_FIT_P above it, for the chi-square of the poor-fit flag.
POOR_FIT_Z = 3.090


class FitNote(StrEnum):
    """What the round's page should say about the juror model."""

    DISCONNECTED = "disconnected"
    NOT_CONVERGED = "not_converged"


@dataclass(frozen=True)
class JurorModel:
    """The fitted model, by juror and idea position, shown against the average juror."""

    quality: np.ndarray  # per idea: the calibrated score
    severity: np.ndarray  # per juror
    gain: np.ndarray
    noise: np.ndarray
    calibrated: np.ndarray  # per juror: False when their totals are used as they are
    poor_fit: np.ndarray
    calibrated_total: np.ndarray  # per review, in the order given
    centre: float  # m, the round's mean total
    severity_sd: float  # the spreads of severities, gains and qualities the priors assumed
    gain_sd: float
    quality_sd: float
    iterations: int
    notes: tuple[FitNote, ...]

    @property
    def reliability(self) -> np.ndarray:
        return self.gain**2 / self.noise**2


@dataclass(frozen=True)
class Design:
    """Who reviewed what, as the fit reads it, worked out once per round.

    The fit works on the reviews sorted by juror (``order``), so that a sum per juror is a sum
    of consecutive values: summing into a few bins at random is many times slower. Each idea's
    quality, solved out of the fit, couples every two of its reviews' jurors: ``left`` and
    ``right`` list those pairs of reviews (each pair once), sorted by the cell of their two
    jurors. A design with more such pairs than DENSE_SHARE of a table of ideas × jurors²
    (every juror on nearly every idea) is worked through that table instead (``dense``).
    """

    n_jurors: int
    n_ideas: int
    calibrated: np.ndarray  # per juror
    main: np.ndarray  # per idea: reviewed by a calibrated juror
    order: np.ndarray
    juror: np.ndarray  # per review, in ``order``
    idea: np.ndarray
    juror_starts: np.ndarray
    dense: bool
    left: np.ndarray
    right: np.ndarray
    pair_starts: np.ndarray
    pair_cells: np.ndarray  # left juror × n_jurors + right juror, per run of pairs

    @classmethod
    def of(cls, juror: np.ndarray, idea: np.ndarray) -> "Design":
        n_jurors, n_ideas = int(juror.max()) + 1, int(idea.max()) + 1
        calibrated = main_component(juror, idea, n_jurors)
        order = np.argsort(juror, kind="stable")
        juror, idea = juror[order], idea[order]
        juror_starts = np.searchsorted(juror, np.arange(n_jurors))
        main = np.bincount(idea, weights=calibrated[juror], minlength=n_ideas) > 0
        per_idea = np.bincount(idea, minlength=n_ideas)
        dense = int((per_idea * (per_idea - 1) // 2).sum()) > DENSE_SHARE * n_ideas * n_jurors**2
        none = np.zeros(0, dtype=np.int64)
        if dense:
            pairs = (none, none, none, none)
        else:
            by_idea = np.argsort(idea, kind="stable")
            after = (np.cumsum(per_idea)[idea[by_idea]]) - np.arange(len(by_idea)) - 1
            within = np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after)
            left = np.repeat(by_idea, after)
            right = by_idea[np.repeat(np.arange(len(by_idea)) + 1, after) + within]
            cell = juror[left] * n_jurors + juror[right]
            by_cell = np.argsort(cell, kind="stable")
            left, right, cell = left[by_cell], right[by_cell], cell[by_cell]
            new_cell = np.ones(len(cell), dtype=bool)
            new_cell[1:] = cell[1:] != cell[:-1]
            pairs = (left, right, np.flatnonzero(new_cell), cell[new_cell])
        return cls(
            n_jurors, n_ideas, calibrated, main, order, juror, idea, juror_starts, dense, *pairs
        )


def main_component(juror: np.ndarray, idea: np.ndarray, n_jurors: int) -> np.ndarray:
    """Per juror: whether they belong to the part of the jury, connected through shared
    ideas, that holds the most reviews."""
    parent = list(range(n_jurors))

    def root(j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    # Every juror of an idea is linked to the idea's first juror: few distinct links remain.
    order = np.argsort(idea, kind="stable")
    sorted_idea = idea[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_idea[1:] != sorted_idea[:-1]
    anchor = juror[order][np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))]
    links = np.unique(anchor * n_jurors + juror[order])
    for a, b in zip((links // n_jurors).tolist(), (links % n_jurors).tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(j) for j in range(n_jurors)])
    size = np.bincount(roots[juror], minlength=n_jurors)
    return roots == int(np.argmax(size))


def fit_juror_model(
    juror: np.ndarray,
    idea: np.ndarray,
    total: np.ndarray,
    *,
    scatter: np.ndarray | None = None,
    design: Design | None = None,
    start: JurorModel | None = None,
    max_iterations: int | None = None,
) -> JurorModel:
    """The juror model of one round's reviews.

    ``scatter``: per juror, how far their scores on one review stray from one another beyond
    the idea's profile (``table.scatter_within_reviews``; NaN: unknown), or None. Each juror's
    noise is then pooled with what their scatter says of it rather than with the round's
    noise alone. ``design``: ``Design.of(juror, idea)``, when already worked out. ``start``:
    a fit of the same design to begin from, so that a refit of slightly changed totals takes
    few steps. ``max_iterations``: ``MAX_ITERATIONS`` unless given.
    """
    max_iterations = MAX_ITERATIONS if max_iterations is None else max_iterations
    design = design or Design.of(juror, idea)
    fit = _Fit(design, total[design.order], scatter)
    n_jurors = design.n_jurors
    notes = () if design.calibrated.all() else (FitNote.DISCONNECTED,)
    floored = np.zeros(n_jurors, dtype=bool)
    damping = DAMPING
    if start is not None:
        quality, severity, gain = start.quality, start.severity, start.gain
        variance = start.noise**2
        fit.prior_s, fit.prior_g = 1 / start.severity_sd**2, 1 / start.gain_sd**2
        fit.set_quality_prior(1 / start.quality_sd**2)
    else:
        # Every gain at 1 first: a plain least squares, solved in one step, where the spreads of
        # the jury's severities and gains are measured.
        quality = fit.per_idea(fit.total) / fit.per_idea(np.ones(len(fit.total)))
        severity, gain = np.zeros(n_jurors), np.ones(n_jurors)
        spread = float(((fit.total - quality[fit.idea]) ** 2).mean())
        variance = np.full(n_jurors, max(spread, MIN_NOISE**2))
        quality, severity, gain, damping = fit.step(
            quality, severity, gain, variance, floored, damping, gains=False
        )
        variance = fit.noise(quality, severity, gain, variance)[0]
        fit.estimate_priors(quality, variance)

    iteration, noise_round, converged = 0, 0, False
    while iteration < max_iterations:
        iteration += 1
        new_quality, severity, gain, damping = fit.step(
            quality, severity, gain, variance, floored, damping
        )
        if not np.all(np.isfinite(new_quality)):
            break
        moved = float(np.abs(new_quality - quality).max())
        quality = new_quality
        if moved >= (TOLERANCE if noise_round == NOISE_ROUNDS else ROUGH_TOLERANCE):
            continue
        # A gain held at MIN_GAIN by a step that overshot is let go if it would rise.
        rising = floored & (fit.gain_slope(quality, severity, gain, variance) > 0)
        if rising.any():
            floored &= ~rising
            continue
        if noise_round == NOISE_ROUNDS:
            converged = True
            break
        variance = fit.noise(quality, severity, gain, variance)[0]
        # The spreads measured again, against qualities fitted with each juror's gain and noise
        # rather than with every gain at 1 and one noise; not yet pulled towards the centre,
        # as at the start (pulled, they would spread less than the jurors' totals do, and
        # every juror would look as steep as the spread of their noise allows).
        unpulled = fit.unpulled(severity, gain, variance)
        fit.estimate_priors(unpulled, variance)
        if start is None:
            # The spread of the qualities, once the jurors' lines are fitted: in the first fit,
            # every gain at 1, a juror who reads the ideas backwards would hide it, and every
            # idea would be pulled to the centre.
            fit.estimate_quality_prior(unpulled, gain, variance)
        noise_round += 1
    if not converged:
        return uncalibrated(design, total, iteration, notes)
    return fit.model(quality, severity, gain, variance, floored, iteration, notes)


def uncalibrated(design: Design, total: np.ndarray, iterations: int, notes) -> JurorModel:
    """The model not used: every juror's totals as they are, the calibrated score the mean."""
    juror, idea = design.juror, design.idea
    sorted_total = total[design.order]
    per_idea = np.bincount(idea, minlength=design.n_ideas)
    quality = np.bincount(idea, weights=sorted_total, minlength=design.n_ideas) / per_idea
    residual = sorted_total - quality[idea]
    reviews = np.diff(np.append(design.juror_starts, len(juror)))
    squares = np.add.reduceat(residual * residual, design.juror_starts)
    return JurorModel(
        quality=quality,
        severity=np.zeros(design.n_jurors),
        gain=np.ones(design.n_jurors),
        noise=np.maximum(np.sqrt(squares / reviews), MIN_NOISE),
        calibrated=np.zeros(design.n_jurors, dtype=bool),
        poor_fit=np.zeros(design.n_jurors, dtype=bool),
        calibrated_total=total.copy(),
        centre=float(total.mean()),
        severity_sd=SEVERITY_SD,
        gain_sd=GAIN_SD,
        quality_sd=float("inf"),
        iterations=iterations,
        notes=(FitNote.NOT_CONVERGED, *notes),
    )


def _chi2_upper(dof: np.ndarray) -> np.ndarray:
    """The chi-square exceeded with chance POOR_FIT_P (Wilson and Hilferty's approximation)."""
    dof = np.maximum(dof, 1e-9)
    return dof * (1 - 2 / (9 * dof) + POOR_FIT_Z * np.sqrt(2 / (9 * dof))) ** 3


def _solve(system: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """The solution of a small system, or None unless it is positive definite (the damping
    must then grow). By Cholesky and substitution: LAPACK's general solver and NumPy's matrix
    product start threads, which on a busy machine cost milliseconds to wake for a matrix
    this small; the factorisation and the dot products of single vectors do not."""
    try:
        lower = np.linalg.cholesky(system)
    except np.linalg.LinAlgError:
        return None
    n = len(rhs)
    forward = np.zeros(n)
    for j in range(n):
        forward[j] = (rhs[j] - lower[j, :j] @ forward[:j]) / lower[j, j]
    solution = np.zeros(n)
    for j in range(n - 1, -1, -1):
        solution[j] = (forward[j] - lower[j + 1 :, j] @ solution[j + 1 :]) / lower[j, j]
    return solution


def noise_prior_reviews(
    squares: np.ndarray, dof: np.ndarray, expected: np.ndarray | float = 1.0
) -> float:
    """How many reviews at the noise ``expected`` of each juror (by default one for all: the
    round's pooled noise) each juror's own residuals are pooled with: the jurors' noises as
    spread around what was expected as their residuals show, beyond what chance alone would
    spread them. A juror's log mean square over d degrees of freedom scatters around the log
    of their noise variance by 2 / d; what the jury's scatter exceeds that by is the spread of
    log noise variances, v, and a prior worth 2 / v reviews has that spread. Jurors who look
    as expected are thus pooled nearly into it; jurors who differ keep their own."""
    able = (dof >= 2) & (squares > 0)
    if able.sum() < MIN_JURORS_FOR_SPREAD:
        return NOISE_PRIOR_REVIEWS
    d = dof[able]
    # The log of a mean square over d degrees of freedom lies about 1 / d below the log of
    # its variance.
    expected = np.broadcast_to(expected, squares.shape)[able]
    log_variance = np.log(squares[able] / d) + 1 / d - np.log(expected)
    centre = _weighted_mean(log_variance, d)
    excess = _weighted_mean((log_variance - centre) ** 2 - 2 / d, d)
    if excess <= 0:
        return MAX_NOISE_PRIOR_REVIEWS
    return float(np.clip(2 / excess, MIN_NOISE_PRIOR_REVIEWS, MAX_NOISE_PRIOR_REVIEWS))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else 0.0


class _Fit:
    """The fit of one round: its steps, its noise and its priors."""

    def __init__(self, design: Design, total: np.ndarray, scatter: np.ndarray | None):
        self.design, self.total = design, total
        self.juror, self.idea = design.juror, design.idea
        self.n_jurors, self.n_ideas = design.n_jurors, design.n_ideas
        self.calibrated, self.fixed = design.calibrated, ~design.calibrated
        self.reviews = np.diff(np.append(design.juror_starts, len(total))).astype(np.float64)
        # The reference the severities are measured at: the round's mean total.
        self.centre = float(total[self.calibrated[self.juror]].mean())
        self.deviation = total - self.centre
        self.pair_idea = self.idea[design.left]
        self.cell = self.idea * self.n_jurors + self.juror
        self.prior_s, self.prior_g = 1 / SEVERITY_SD**2, 1 / GAIN_SD**2
        # None on the ideas' qualities until their spread is measured, with the noises.
        self.set_quality_prior(0.0)
        self.noise_shape = self.shape_of(scatter)

    def shape_of(self, scatter: np.ndarray | None) -> np.ndarray | None:
        """Each juror's scatter within reviews against the calibrated jurors' (each counting
        by their reviews), between MIN_SCATTER_RATIO and MAX_SCATTER_RATIO: 1 where it is
        unknown. None when no calibrated juror's is known."""
        if scatter is None:
            return None
        known = np.isfinite(scatter) & self.calibrated
        if not known.any() or scatter[known].max() <= 0:
            return None
        shape = scatter / _weighted_mean(scatter[known], self.reviews[known])
        shape = np.where(np.isfinite(shape), shape, 1.0)
        return np.clip(shape, MIN_SCATTER_RATIO, MAX_SCATTER_RATIO)

    def sums(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, self.design.juror_starts)

    def per_idea(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.idea, weights=values, minlength=self.n_ideas)

    def estimate_priors(self, quality: np.ndarray, variance: np.ndarray) -> None:
        """The spread of severities and of gains in the jury: each able juror's own least
        squares against the qualities, less the part their estimation error explains."""
        zi = quality[self.idea] - self.centre
        w = 1 / variance[self.juror]
        a, b, c = self.sums(w), self.sums(w * zi), self.sums(w * zi * zi)
        u, v = self.sums(w * self.deviation), self.sums(w * zi * self.deviation)
        det = a * c - b * b
        able = self.calibrated & (self.reviews >= MIN_REVIEWS_FOR_SPREAD) & (det > 1e-12 * a * c)
        if able.sum() < MIN_JURORS_FOR_SPREAD:
            return
        a, b, c, u, v, det = a[able], b[able], c[able], u[able], v[able], det[able]
        n = self.reviews[able]
        own_s, own_g = (c * u - b * v) / det, (a * v - b * u) / det
        spread_s = _weighted_mean((own_s - _weighted_mean(own_s, n)) ** 2 - c / det, n)
        spread_g = _weighted_mean((own_g - _weighted_mean(own_g, n)) ** 2 - a / det, n)
        self.prior_s = 1 / max(spread_s, MIN_SEVERITY_SD**2)
        self.prior_g = 1 / max(spread_g, MIN_GAIN_SD**2)

    def set_quality_prior(self, precision: float) -> None:
        """The ideas' prior precision, 1 / τ², per idea: none for an idea only uncalibrated
        jurors reviewed, whose totals are used as they are."""
        self.prior_q = precision
        self.quality_prior = np.where(self.design.main, precision, 0.0)

    def estimate_quality_prior(self, quality, gain, variance) -> None:
        """The spread of the ideas' qualities, τ²: the variance of their least-squares
        qualities less the part their estimation error explains (on average 1 / an idea's
        information, Σ gain² / noise² over its reviews), ``quality`` not pulled towards the
        centre."""
        main = self.design.main
        information = self.per_idea(gain[self.juror] ** 2 / variance[self.juror])[main]
        z = quality[main] - self.centre
        spread = float((z**2).mean() - (1 / information).mean())
        self.set_quality_prior(1 / max(spread, MIN_QUALITY_SD**2))

    def unpulled(self, severity, gain, variance) -> np.ndarray:
        """Each idea's quality by weighted least squares on the jurors' lines, without the
        prior on qualities."""
        juror = self.juror
        e_s = gain[juror] / variance[juror]
        z = self.per_idea(e_s * (self.deviation - severity[juror])) / self.per_idea(
            e_s * gain[juror]
        )
        return self.centre + z

    def objective(self, z, severity, gain, w) -> float:
        residual = self.deviation - severity[self.juror] - gain[self.juror] * z[self.idea]
        prior = self.prior_s * (severity**2).sum() + self.prior_g * ((gain - 1) ** 2).sum()
        prior += (self.quality_prior * z**2).sum()
        return float((w * residual * residual).sum() + prior)

    def coupling(self, a: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Σ over ideas, over every two reviews r and s of the idea (r = s included), of
        a_r × b_s / h (the idea's), summed into the cell of the pair of their jurors."""
        design, n = self.design, self.n_jurors
        if design.dense:
            table_a = np.bincount(self.cell, weights=a, minlength=self.n_ideas * n)
            table_b = np.bincount(self.cell, weights=b, minlength=self.n_ideas * n)
            table_a, table_b = table_a.reshape(-1, n), table_b.reshape(-1, n)
            return np.einsum("ij,ik->jk", table_a, table_b / h[:, None])
        # Each pair of different reviews is listed once: its two orders go to the cell and to
        # the transposed cell. A review with itself falls on its juror's diagonal.
        left, right, per_pair = design.left, design.right, 1 / h[self.pair_idea]
        ab = np.zeros(n * n)
        ab[design.pair_cells] = np.add.reduceat(a[left] * b[right] * per_pair, design.pair_starts)
        ba = np.zeros(n * n)
        ba[design.pair_cells] = np.add.reduceat(a[right] * b[left] * per_pair, design.pair_starts)
        cells = ab.reshape(n, n) + ba.reshape(n, n).T
        cells[np.diag_indices(n)] += self.sums(a * b / h[self.idea])
        return cells

    def step(self, quality, severity, gain, variance, floored, damping, *, gains=True):
        """One damped Newton step with the noise held: damped more while it does not lower the
        penalised sum of squares, less once it does. A gain the step takes below MIN_GAIN is
        held there. ``gains=False`` holds every gain where it is."""
        juror, idea, n = self.juror, self.idea, self.n_jurors
        z = quality - self.centre
        zi, g = z[idea], gain[juror]
        w = 1 / variance[juror]
        residual = self.deviation - severity[juror] - g * zi
        prior_s, prior_g = self.prior_s, self.prior_g
        # Second derivatives (halved) of the penalised sum of squares between each review's
        # idea quality and its juror's severity (e_s) and gain (e_g); the quality's own is h.
        e_s, e_g = w * g, w * (g * zi - residual)
        h = self.per_idea(e_s * g) + self.quality_prior
        bz = self.per_idea(e_s * residual) - self.quality_prior * z
        css, csg = self.coupling(e_s, e_s, h), self.coupling(e_s, e_g, h)
        cgg = self.coupling(e_g, e_g, h)
        nss, nsg, ngg = self.sums(w), self.sums(w * zi), self.sums(w * zi * zi)
        system = np.block(
            [
                [np.diag(nss + prior_s) - css, np.diag(nsg) - csg],
                [np.diag(nsg) - csg.T, np.diag(ngg + prior_g) - cgg],
            ]
        )
        back = (bz / h)[idea]
        rhs = np.concatenate(
            [
                self.sums(w * residual - e_s * back) - prior_s * severity,
                self.sums(w * residual * zi - e_g * back) - prior_g * (gain - 1),
            ]
        )
        free = np.concatenate([self.calibrated, self.calibrated & ~floored & gains])
        system, rhs = system[np.ix_(free, free)], rhs[free]
        scale = np.abs(np.diag(system)) + 1e-12
        before = self.objective(z, severity, gain, w)
        for _ in range(DAMPING_TRIES):
            solved = _solve(system + damping * np.diag(scale), rhs)
            if solved is None:
                damping *= 4
                continue
            delta = np.zeros(2 * n)
            delta[free] = solved
            d_severity, d_gain = delta[:n], delta[n:]
            d_z = (bz - self.per_idea(e_s * d_severity[juror] + e_g * d_gain[juror])) / h
            new_s, new_z = severity + d_severity, z + d_z
            new_g = np.where(self.calibrated, np.maximum(gain + d_gain, MIN_GAIN), 1.0)
            if self.objective(new_z, new_s, new_g, w) <= before:
                floored |= self.calibrated & (gain + d_gain < MIN_GAIN)
                return new_z + self.centre, new_s, new_g, max(damping / DAMPING_FALL, MIN_DAMPING)
            damping *= 4
        return quality, severity, gain, damping

    def gain_slope(self, quality, severity, gain, variance) -> np.ndarray:
        """How fast the penalised sum of squares (halved) falls as each gain rises."""
        zi = quality[self.idea] - self.centre
        residual = self.deviation - severity[self.juror] - gain[self.juror] * zi
        w = 1 / variance[self.juror]
        return self.sums(w * residual * zi) - self.prior_g * (gain - 1)

    def noise(self, quality, severity, gain, variance):
        """Each juror's noise variance from the residuals, with their sums of squares and the
        degrees of freedom those have: less what each idea's quality takes of each of its
        reviews (its leverage), and what the juror's two values take (fewer than two when the
        priors hold them)."""
        juror = self.juror
        g, zi = gain[juror], quality[self.idea] - self.centre
        residual = self.deviation - severity[juror] - g * zi
        information = g * g / variance[juror]
        leverage = information / (self.per_idea(information) + self.quality_prior)[self.idea]
        squares = self.sums(residual * residual)
        w = 1 / variance[juror]
        a = self.sums(w) + self.prior_s
        b = self.sums(w * zi)
        c = self.sums(w * zi * zi) + self.prior_g
        line = np.where(
            self.fixed, 0.0, 2 - (c * self.prior_s + a * self.prior_g) / (a * c - b * b)
        )
        dof = np.clip(self.sums(1 - leverage) - line, 0, None)
        # What each juror's noise is pooled with: the round's, or with each juror's scatter
        # within reviews, the round's shaped by it (scaled so that the jury's residuals agree
        # with it on the whole).
        shape = 1.0 if self.noise_shape is None else self.noise_shape
        pooled = squares.sum() / max(float((dof * shape).sum()), 1e-12)
        expected = np.maximum(pooled * shape, MIN_NOISE**2)
        prior = noise_prior_reviews(squares, dof, expected)
        variance = (squares + prior * expected) / (dof + prior)
        return np.maximum(variance, MIN_NOISE**2), squares, dof

    def model(self, quality, severity, gain, variance, floored, iterations, notes) -> JurorModel:
        _, squares, dof = self.noise(quality, severity, gain, variance)
        calibrated, fixed, centre = self.calibrated, self.fixed, self.centre
        # Against the average juror, each juror counting once.
        stretch = float(gain[calibrated].mean())
        gain = np.where(fixed, 1.0, gain / stretch)
        shift = float(severity[calibrated].mean())
        severity = np.where(fixed, 0.0, severity - gain * shift)
        quality = np.where(self.design.main, centre + stretch * (quality - centre) + shift, quality)
        calibrated_total = np.empty(len(self.total))
        calibrated_total[self.design.order] = (
            centre + (self.deviation - severity[self.juror]) / gain[self.juror]
        )
        others = np.maximum(dof.sum() - dof, 1e-12)
        others_noise = np.maximum((squares.sum() - squares) / others, MIN_NOISE**2)
        too_far = (dof >= 1) & (squares > others_noise * _chi2_upper(dof))
        return JurorModel(
            quality=quality,
            severity=severity,
            gain=gain,
            noise=np.sqrt(variance),
            calibrated=calibrated,
            poor_fit=calibrated & (too_far | floored),
            calibrated_total=calibrated_total,
            centre=centre,
            severity_sd=float(self.prior_s**-0.5),
            gain_sd=float(self.prior_g**-0.5),
            quality_sd=stretch / np.sqrt(self.prior_q) if self.prior_q > 0 else float("inf"),
            iterations=iterations,
            notes=notes,
        )
