"""The jury's ranking: from score rows to a ranked table, with the jury's agreement measured.

Pure: no database and no Django, so that every rule here is tested with plain numbers. The
input is one row per score, held as columns (NumPy arrays), because a round of 10,000 ideas
has 180,000 scores and one Python object per score would be the slowest part of the ranking.
Each rule's constants are named at the top of the module that applies it: ``table`` (rules
1–3, 5 and 7), ``jurors`` (4), ``agreement`` (6) and ``certainty`` (8).

The rules, in the order they are applied:

1. Each score is rescaled to 0–1 by its criterion's scale, and each review gets the weighted
   mean of its rescaled scores (its *total*).
2. Per idea: the mean and the median of its reviews' totals, and the *spread* (highest total
   minus lowest).
3. Per juror: the mean and the standard deviation of the totals that juror gave. Each total
   becomes a z-score against its juror (a juror with no spread counts as spread 1), and is put
   back on the round's scale with the mean and standard deviation of all totals. A harsh and a
   lenient juror thus count the same. A juror with fewer than ``MIN_REVIEWS_TO_NORMALISE``
   reviews is flagged, and their totals are used as they are: a mean and a spread over so few
   ideas say more about the ideas than about the juror. The idea's *normalised* score is the
   mean of its reviews' normalised totals.
4. The juror model, fitted to all totals at once: juror j's total for idea i is
   ``m + severity_j + gain_j × (quality_i − m)`` plus noise of the juror's own standard
   deviation, m being the round's mean total. Unlike rule 3, a juror's severity is measured
   against the ideas they actually got: a juror who drew the best ideas is not taken for a
   lenient one.

   - The fit is least squares, each review weighted by 1 / noise², with the priors below as
     penalties: damped Newton steps (Levenberg–Marquardt) on all severities, gains and
     qualities at once, each idea's quality solved out so that two unknowns per juror remain,
     until no quality moves by ``TOLERANCE``; at most ``MAX_ITERATIONS`` steps. It begins with
     every gain at 1, a plain least squares solved in one step.
   - Regularisation: normal priors pull each severity towards 0 and each gain towards 1 (the
     average juror), as far as the spread of severities and of gains in the jury allows. The
     spreads are measured from each juror's own least squares (jurors with at least
     ``MIN_REVIEWS_FOR_SPREAD`` reviews) less the part their estimation error explains: at the
     start, and again when the noises are estimated, against the least-squares qualities of
     the jurors' lines by then (before the pull of the prior below);
     never below ``MIN_SEVERITY_SD`` and ``MIN_GAIN_SD``; ``SEVERITY_SD`` and ``GAIN_SD`` when
     fewer than ``MIN_JURORS_FOR_SPREAD`` jurors can show them. A juror with few reviews thus
     stays near the average juror; one with many is measured by their own reviews.
   - A normal prior, too, pulls each idea's quality towards the round's mean m, as far as the
     spread of the ideas' qualities allows (τ², measured when the noises are: the variance
     of the least-squares qualities less their average error variance, 1 / Σ gain² / noise²
     over an idea's reviews; τ never below ``MIN_QUALITY_SD``). From there on the prior is
     part of the fit, so the jurors' lines are fitted to the pulled qualities. The quality is
     thus the estimate of a mixed model (the ideas as random effects), an empirical Bayes
     posterior mean: an idea known from few reviews, or from jurors who squeeze their scores
     or are noisy, is pulled further towards m than one known well, so that it does not rank
     high on a lucky few reviews. Ideas known equally well keep their order; an idea only
     uncalibrated jurors reviewed is not pulled.
   - A gain is never below ``MIN_GAIN``: a juror whose totals do not rise with quality is not
     read backwards, and gets almost no weight.
   - Each juror's noise: the residuals of a first fit (to ``ROUGH_TOLERANCE``) against the
     degrees of freedom the fit left the juror, pooled as if with n more reviews with what
     the juror's noise is expected to be, never below ``MIN_NOISE``. Expected: with one
     criterion, the round's pooled noise; with several, the round's shaped by each juror's
     *scatter within reviews* — how far the juror's scores on one review stray from one
     another beyond the idea's profile across the criteria and beyond the juror's own habits
     (each score less its review's total, less the mean of that over the idea's reviews, less
     the juror's mean of what is left on the criterion; weighted as the total weights the
     criteria), against the jury's: its noise variance times that ratio, kept between
     ``MIN_SCATTER_RATIO`` and ``MAX_SCATTER_RATIO``, the level set so that the jury's
     residuals agree with it on the whole. A review's six scores show a juror's noise far
     better than the few residuals of their totals do; with few reviewers per idea the scatter
     also holds a share of the other reviewers' noise, and tells jurors apart less than it
     could. Little scatter is believed less than much (see the constants). n is as large as the
     jurors' noises look as expected (empirical Bayes: 2 over the spread of their log mean
     squares around it beyond what their degrees of freedom explain), from
     ``MIN_NOISE_PRIOR_REVIEWS`` to ``MAX_NOISE_PRIOR_REVIEWS``; ``NOISE_PRIOR_REVIEWS`` when
     too few jurors show it: a jury whose scatter within reviews does not match their totals
     (scores that move together on every criterion of a review) is read mostly from the
     totals.
     Then held while the fit is finished (two-step weighted least squares, ``NOISE_ROUNDS``
     estimates).
   - The fit is the same if every quality moves and the jurors' lines move with it; it is
     shown against the average juror, each juror counting once: mean severity 0 (severity
     below 0: harsher) and mean gain 1 (below 1: keeps to the middle of the scale). A
     quality is thus the total the average juror would give the idea.
   - A review's *calibrated total* is ``m + (total − m − severity) / gain``: the juror's
     severity and scale taken out. The idea's *calibrated* score is its fitted quality: the
     mean of its calibrated totals, each weighted by its juror's reliability
     ``gain² / noise²``, pulled towards the round's mean by the prior above: by the share
     ``1 / τ²`` holds of ``1 / τ² + Σ reliability`` (as the fit measures them).
   - A juror *fits poorly* when their residuals are larger than the rest of the jury's noise
     would leave them with less than a ``POOR_FIT_P`` chance (chi-square against the other
     jurors' pooled residuals), or when their gain is held at ``MIN_GAIN``.
   - Jurors the design cannot separate from the ideas — who share no idea, directly or through
     other jurors, with the part of the jury holding the most reviews — are *uncalibrated*
     (severity 0, gain 1: their totals used as they are) and the ranking is noted
     ``DISCONNECTED``. A fit that has not converged in ``MAX_ITERATIONS`` steps is not used:
     every juror is uncalibrated, the calibrated score is the mean, the ranking is noted
     ``NOT_CONVERGED``.
5. An idea is flagged as disputed when the spread of its *calibrated* totals is at least
   ``DISAGREEMENT_RANGE`` of the scale, or when one calibrated total lies more than
   ``DISAGREEMENT_SD`` standard deviations (of all the round's calibrated totals) from the
   mean of the idea's others (when it has at least two others: between two reviews the range
   rule already speaks). A harsh and a lenient juror who agree on the order are no dispute.
6. Krippendorff's alpha (interval metric) over ideas as units and jurors as coders, for the
   totals and for each criterion's scores; ideas with a single review are not pairable and are
   left out, as the coefficient prescribes. ``None`` when it is undefined (no pairable values
   or no variation at all).
7. The rank orders ideas by the chosen score — by default the calibrated score, or the mean
   when every juror scored every idea (severities then change no order, and the mean asks
   nothing of a model) — then by the fixed tie-break order: normalised score, median, the
   jury's recorded vote. Ideas equal on all of these share a rank ("1, 2, 2, 4"); within a
   shared rank they are listed by idea id, which is not a ranking.
8. How sure each rank is (``rank_certainty``, apart from ``rank`` for its cost): ``RESAMPLES``
   rounds are drawn from the fitted juror model and each is ranked by the ranking's chosen
   score (for the calibrated score, the model fitted again). In a drawn round each review's
   total is its juror's line at the idea's quality plus a residual drawn, with replacement,
   from the round's reviews' residuals (each standardised, then scaled to the juror's noise):
   a residual bootstrap, seeded, so the same round gives the same answer. The quality is the
   fitted one, already pulled towards the round's mean as far as the idea's reviews leave it
   uncertain (rule 4): an idea that looks best on three reviews is probably a little less
   good, and its interval says so. Per idea: the share of drawn rounds in which it
   ranks within the top ``top`` (``AWARDS`` by default), and the interval that holds the
   middle ``RANK_LEVEL`` of its ranks. A pair of ideas, one among the first ``top`` as the
   ranking lists them and one after, is pointed out when both their intervals cross the line
   between rank ``top`` and ``top + 1``, or when they share a rank (tied across the line): the
   ranking cannot tell which of them belongs above the line.

Scores are shown "on the round's scale": from the lowest ``low`` to the highest ``high`` of the
round's criteria (1–5 by default).
"""

from .agreement import krippendorff_alpha_interval
from .certainty import IdeaCertainty, RankCertainty, rank_certainty
from .jurors import Design, FitNote, JurorModel, fit_juror_model
from .table import (
    CriterionScale,
    IdeaResult,
    JurorResult,
    OrderBy,
    Ranking,
    ReviewTotals,
    ScoreColumns,
    default_order,
    disagreement,
    rank,
    review_totals,
)

__all__ = [
    "CriterionScale",
    "Design",
    "FitNote",
    "IdeaCertainty",
    "IdeaResult",
    "JurorModel",
    "JurorResult",
    "OrderBy",
    "RankCertainty",
    "Ranking",
    "ReviewTotals",
    "ScoreColumns",
    "default_order",
    "disagreement",
    "fit_juror_model",
    "krippendorff_alpha_interval",
    "rank",
    "rank_certainty",
    "review_totals",
]
